// The statements of staff accounts (accounts_store.h).
#include "store/accounts_store.h"

#include "store/sql.h"

namespace xt::store {

const char kAccountsSchema[] = R"SQL(
CREATE TABLE IF NOT EXISTS staff_accounts(
  username TEXT PRIMARY KEY, display_name TEXT NOT NULL, role TEXT NOT NULL, duty TEXT NOT NULL,
  scope TEXT NOT NULL, password_hash TEXT NOT NULL, disabled INT64 NOT NULL, failed_attempts INT64 NOT NULL,
  locked_until INT64 NOT NULL, created INT64 NOT NULL, changed INT64 NOT NULL) CLUSTERED;
)SQL";

namespace {

constexpr char kColumns[] =
    "username, display_name, role, duty, scope, password_hash, disabled, failed_attempts, locked_until, created, "
    "changed";

StaffAccountRow ReadAccount(const sql::Stmt& s) {
  StaffAccountRow a;
  a.username = s.Text(0);
  a.display_name = s.Text(1);
  a.role = s.Text(2);
  a.duty = s.Text(3);
  a.scope = s.Text(4);
  a.password_hash = s.Text(5);
  a.disabled = s.Int(6) != 0;
  a.failed_attempts = s.Int(7);
  a.locked_until = s.Int(8);
  a.created = s.Int(9);
  a.changed = s.Int(10);
  return a;
}

}  // namespace

Result<std::optional<StaffAccountRow>> AccountsReader::FindAccount(std::string_view username) {
  static const std::string kSql = std::string("SELECT ") + kColumns + " FROM staff_accounts WHERE username = ?";
  return c_.One<StaffAccountRow>(kSql.c_str(), [&](sql::Stmt& s) { s.Bind(1, username); }, ReadAccount);
}

Status AccountsReader::ForEachAccount(const std::function<bool(const StaffAccountRow&)>& fn) {
  static const std::string kSql = std::string("SELECT ") + kColumns + " FROM staff_accounts ORDER BY username";
  return c_.Scan(kSql.c_str(), [](sql::Stmt&) {}, [&](const sql::Stmt& s) { return fn(ReadAccount(s)); });
}

Status AccountsWriter::PutAccount(const StaffAccountRow& a) {
  return c_.Exec(
      "INSERT INTO staff_accounts(username, display_name, role, duty, scope, password_hash, disabled, failed_attempts, "
      "locked_until, created, changed) VALUES(?,?,?,?,?,?,?,?,?,?,?) "
      "ON CONFLICT(username) DO UPDATE SET display_name = excluded.display_name, role = excluded.role, "
      "duty = excluded.duty, scope = excluded.scope, password_hash = excluded.password_hash, "
      "disabled = excluded.disabled, failed_attempts = excluded.failed_attempts, "
      "locked_until = excluded.locked_until, created = excluded.created, changed = excluded.changed",
      [&](sql::Stmt& s) {
        s.Bind(1, a.username).Bind(2, a.display_name).Bind(3, a.role).Bind(4, a.duty).Bind(5, a.scope);
        s.Bind(6, a.password_hash).Bind(7, int64_t{a.disabled ? 1 : 0}).Bind(8, a.failed_attempts);
        s.Bind(9, a.locked_until).Bind(10, a.created).Bind(11, a.changed);
      });
}

}  // namespace xt::store
