// Who is calling: the role and scope of an authenticated credential, or the
// local operator at the command line. The transaction processor and the
// REST use cases decide from it what the caller may do and see
// (docs/security.md has the whole matrix).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace xt::service {

enum class Role {
  kHospital,  // scope: its fixmedins_code; acts on its own visits and settlements
  kAgency,    // scope: a province code ("130000"); sees its region's funds and settlements
  kResident,  // scope: their psn_no; sees only themself
  kAdmin,     // scope: "*"; operators: reads everything, moves no money
  kLocal,     // the command line on the server itself (xietong call, demo): never a credential
};

std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);  // hospital | agency | resident | admin

// What a hospital's caller does there. A system (a HIS with an API key)
// may use every hospital route; a staff account of role hospital is a
// cashier (the national interface and the counter) or a doctor (recognised
// results and their decisions). The server enforces it by route
// (http/routes.h); other roles have no duty (kSystem).
enum class Duty {
  kSystem,
  kCashier,
  kDoctor,
};

std::string_view DutyName(Duty duty);                  // system | cashier | doctor
std::optional<Duty> ParseStaffDuty(std::string_view name);  // cashier | doctor only

struct Caller {
  Role role = Role::kLocal;
  std::string scope;
  std::string key_id;  // empty for the local operator and for staff accounts
  Duty duty = Duty::kSystem;
  std::string account = {};  // the staff account's user name, for a caller signed in by session

  // The actor written into the audit log: "user:<name>" for a staff
  // account, the key_id of an API key, "local" for the command line.
  std::string actor() const {
    if (!account.empty()) return "user:" + account;
    return key_id.empty() ? std::string("local") : key_id;
  }
  static Caller Local() { return Caller{Role::kLocal, "*", ""}; }
};

}  // namespace xt::service

