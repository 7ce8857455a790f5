// The rows of staff accounts: the people who use the web application (a
// hospital's cashiers and doctors, agencies' clerks, residents, operators),
// each with a user name, a role and scope as an API key has, and a password
// kept only as its Argon2id hash (service/accounts.h says how they are
// made and checked). Sessions are not stored: the server keeps them in
// memory (docs/security.md says why).
//
// Thread-safety: as the transaction it comes from (store/txn.h): valid only
// inside the callback the transaction was passed to, on that thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/date.h"
#include "core/status.h"

namespace xt::store {

namespace sql {
class Conn;
}

struct StaffAccountRow {
  std::string username;       // unique; what the person types to sign in
  std::string display_name;   // shown on the pages
  std::string role;           // hospital | agency | resident | admin
  std::string duty;           // cashier | doctor for role hospital; empty otherwise
  std::string scope;          // fixmedins_code | province code | psn_no | "*"
  std::string password_hash;  // libsodium crypto_pwhash_str (Argon2id, with its salt and parameters)
  bool disabled = false;
  int64_t failed_attempts = 0;     // failed sign-ins in a row since the last success or lock
  LocalSeconds locked_until = 0;   // 0, or no sign-in before this time
  LocalSeconds created = 0;
  LocalSeconds changed = 0;        // last change of password, duty or state (ends its sessions)
};

class AccountsReader {
 public:
  explicit AccountsReader(sql::Conn& conn) : c_(conn) {}

  [[nodiscard]] Result<std::optional<StaffAccountRow>> FindAccount(std::string_view username);
  // Every account, by user name.
  [[nodiscard]] Status ForEachAccount(const std::function<bool(const StaffAccountRow&)>& fn);

 protected:
  sql::Conn& c_;
};

class AccountsWriter : public AccountsReader {
 public:
  using AccountsReader::AccountsReader;

  // Inserts an account, or replaces the one with the same user name.
  [[nodiscard]] Status PutAccount(const StaffAccountRow& account);
};

// The table's schema (sql.h's dialect), created on every opening.
extern const char kAccountsSchema[];

}  // namespace xt::store
