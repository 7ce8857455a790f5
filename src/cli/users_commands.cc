// `xietong users`: staff accounts added, listed, disabled and given a new
// password on the server's database. A password is read from stdin (never
// from the command line, where other users of the machine could see it in
// the process list) or made at random and printed once; no hash is ever
// printed.
#include "cli/users_commands.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "cli/cli_util.h"
#include "core/clock.h"
#include "core/json_writer.h"
#include "service/accounts.h"
#include "service/errors.h"
#include "service/refdata.h"
#include "store/store.h"

namespace xt::cli {

namespace {

// The password of --password-stdin (its first line, without the line end),
// or a new random one (`*made` set: print it).
Result<std::string> PasswordOf(const UsersArgs& a, bool* made) {
  *made = false;
  if (!a.password_stdin) {
    *made = true;
    return service::NewRandomPassword();
  }
  std::string line;
  if (!std::getline(std::cin, line)) return service::err::WeakPassword(service::kPasswordCharsMin);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string State(const store::StaffAccountRow& r, LocalSeconds now) {
  if (r.disabled) return "disabled";
  if (r.locked_until > now) return "locked until " + FormatLocalTime(r.locked_until);
  return "enabled";
}

int Add(const UsersArgs& a) {
  auto opened = OpenDatabase(a.db, /*create=*/false, "", /*progress_bar=*/false);
  if (!opened.ok()) return Fail(opened.status());
  service::NewAccount account;
  account.username = a.username;
  account.display_name = a.name;
  account.scope = a.scope;
  const auto role = service::ParseRole(a.role);
  if (!role) return Fail(service::err::BadAccount("--role must be hospital, agency, resident or admin"));
  account.role = *role;
  if (!a.duty.empty()) {
    account.duty = service::ParseStaffDuty(a.duty);
    if (!account.duty) return Fail(service::err::BadAccount("--duty must be cashier or doctor"));
  }
  bool made = false;
  auto password = PasswordOf(a, &made);
  if (!password.ok()) return Fail(password.status());
  auto row = service::AddAccount(opened->store.get(), *opened->ref, account, *password,
                                 SystemClock::Instance().NowLocal());
  if (!row.ok()) return Fail(row.status());
  if (a.json) {
    JsonWriter w;
    w.BeginObject().Field("username", row->username).Field("role", row->role).Field("duty", row->duty);
    w.Field("scope", row->scope);
    if (made) w.Field("password", *password);
    w.EndObject();
    std::cout << w.str() << "\n";
    return 0;
  }
  std::printf("added %s (%s%s%s, scope %s)\n", row->username.c_str(), row->role.c_str(), row->duty.empty() ? "" : " ",
              row->duty.c_str(), row->scope.c_str());
  if (made) std::printf("password (shown once; only its hash is stored): %s\n", password->c_str());
  return 0;
}

int List(const UsersArgs& a) {
  auto store = OpenExistingStore(a.db);
  if (!store.ok()) return Fail(store.status());
  auto rows = service::ListAccounts(store->get());
  if (!rows.ok()) return Fail(rows.status());
  const LocalSeconds now = SystemClock::Instance().NowLocal();
  for (const auto& r : *rows) {
    if (a.json) {
      JsonWriter w;
      w.BeginObject().Field("username", r.username).Field("display_name", r.display_name).Field("role", r.role);
      w.Field("duty", r.duty).Field("scope", r.scope).Field("state", State(r, now));
      w.FieldInt("failed_attempts", r.failed_attempts);
      w.Field("created", FormatLocalTime(r.created)).Field("changed", FormatLocalTime(r.changed)).EndObject();
      std::cout << w.str() << "\n";
    } else {
      std::printf("%-20s %-9s %-8s %-17s %-9s %s\n", r.username.c_str(), r.role.c_str(),
                  r.duty.empty() ? "-" : r.duty.c_str(), r.scope.c_str(), State(r, now).c_str(),
                  r.display_name.c_str());
    }
  }
  if (!a.json && rows->empty()) std::printf("no staff accounts: add one with `xietong users add`\n");
  return 0;
}

int Disable(const UsersArgs& a) {
  auto store = OpenExistingStore(a.db);
  if (!store.ok()) return Fail(store.status());
  Status st = service::DisableAccount(store->get(), a.username, SystemClock::Instance().NowLocal());
  if (!st.ok()) return Fail(st);
  std::printf("disabled %s (a running server ends its sessions within %d seconds)\n", a.username.c_str(),
              service::AccountsOptions{}.recheck_s);
  return 0;
}

int Reset(const UsersArgs& a) {
  auto store = OpenExistingStore(a.db);
  if (!store.ok()) return Fail(store.status());
  bool made = false;
  auto password = PasswordOf(a, &made);
  if (!password.ok()) return Fail(password.status());
  Status st = service::ResetPassword(store->get(), a.username, *password, SystemClock::Instance().NowLocal());
  if (!st.ok()) return Fail(st);
  std::printf("new password for %s; its sessions end within %d seconds\n", a.username.c_str(),
              service::AccountsOptions{}.recheck_s);
  if (made) std::printf("password (shown once; only its hash is stored): %s\n", password->c_str());
  return 0;
}

}  // namespace

void AddUsersCommands(CLI::App& app, UsersArgs* a) {
  auto* users = app.add_subcommand("users", "staff accounts of the web application (cashiers, doctors, agencies, "
                                            "residents, operators)");
  users->require_subcommand(1);
  auto* add = users->add_subcommand("add", "add an account; without --password-stdin a random password is printed once");
  add->add_option("--db", a->db, "SQLite database file")->capture_default_str();
  add->add_option("--username", a->username, "1-64 of a-z 0-9 . _ -")->required();
  add->add_option("--role", a->role, "hospital | agency | resident | admin")->required();
  add->add_option("--duty", a->duty, "cashier | doctor (role hospital only, and required there)");
  add->add_option("--scope", a->scope, "fixmedins_code | province code (130000) | psn_no | *")->required();
  add->add_option("--name", a->name, "the name shown on the pages (default: the user name)");
  add->add_flag("--password-stdin", a->password_stdin, "read the password from the first line of stdin");
  add->add_flag("--json", a->json, "print the account as JSON");
  auto* list = users->add_subcommand("list", "list the accounts (never their password hashes)");
  list->add_option("--db", a->db, "SQLite database file")->capture_default_str();
  list->add_flag("--json", a->json, "one JSON object per account");
  auto* disable = users->add_subcommand("disable", "disable an account: no more sign-ins, its sessions end");
  disable->add_option("--db", a->db, "SQLite database file")->capture_default_str();
  disable->add_option("USERNAME", a->username, "the account")->required();
  auto* reset = users->add_subcommand("reset", "a new password (random and printed once, or --password-stdin); "
                                               "unlocks the account and ends its sessions");
  reset->add_option("--db", a->db, "SQLite database file")->capture_default_str();
  reset->add_option("USERNAME", a->username, "the account")->required();
  reset->add_flag("--password-stdin", a->password_stdin, "read the password from the first line of stdin");
}

int RunUsers(CLI::App& app, const UsersArgs& a) {
  auto* users = app.get_subcommand("users");
  if (!users->parsed()) return -1;
  if (users->get_subcommand("add")->parsed()) return Add(a);
  if (users->get_subcommand("list")->parsed()) return List(a);
  if (users->get_subcommand("disable")->parsed()) return Disable(a);
  if (users->get_subcommand("reset")->parsed()) return Reset(a);
  return -1;
}

}  // namespace xt::cli
