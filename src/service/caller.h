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

struct Caller {
  Role role = Role::kLocal;
  std::string scope;
  std::string key_id;  // empty for the local operator

  // The actor written into the audit log.
  std::string actor() const { return key_id.empty() ? std::string("local") : key_id; }
  static Caller Local() { return Caller{Role::kLocal, "*", ""}; }
};

}  // namespace xt::service

