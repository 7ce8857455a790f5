// The operator's routes (/api/v1/admin) over the real server on 127.0.0.1,
// signed in as the demo operator: staff accounts added, signed in with,
// reset and disabled (their sessions end), the refusals (a duplicate, weak
// or wrong input, another role, a change without the CSRF token), the API
// keys listed without their secrets, and `verify` and `audit verify` run
// over REST on the demo's data, then after the test edits the SQLite file
// behind the service's back.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "http_util.h"
#include "ledger/ledger.h"
#include "service/audit.h"
#include "tools/demo.h"
#include "test_env.h"

namespace xt::testing {
namespace {

using json = nlohmann::json;
using service::Role;

struct Session {
  std::string token;
  std::string csrf;
};

class OperatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = std::make_unique<Env>(std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".db");
    auto demo = service::ProvideDemoAccounts(env_->store.get(), *env_->ref, env_->clock.NowLocal());
    ASSERT_TRUE(demo.ok()) << demo.status().ToString();
    for (const auto& a : *demo) passwords_[a.account.username] = a.password;
    server_ = std::make_unique<RunningServer>(*env_, TestOptions());
    op_ = SignIn("demo.operator", passwords_.at("demo.operator"));
    ASSERT_FALSE(op_.token.empty());
  }

  httplib::Client Client() {
    httplib::Client cli("127.0.0.1", server_->port());
    cli.set_read_timeout(30, 0);
    return cli;
  }

  // Signs in over HTTP; an empty token when refused (*status: why).
  Session SignIn(const std::string& username, const std::string& password, int* status = nullptr) {
    auto res = Client().Post("/api/v1/session", json{{"username", username}, {"password", password}}.dump(),
                             "application/json");
    if (!res) return {};
    if (status) *status = res->status;
    if (res->status != 200) return {};
    const std::string cookie = res->get_header_value("Set-Cookie");
    const size_t eq = cookie.find('=');
    return {cookie.substr(eq + 1, cookie.find(';') - eq - 1), json::parse(res->body)["csrf_token"]};
  }

  static httplib::Headers Headers(const Session& s, bool with_csrf = true) {
    httplib::Headers h{{"Cookie", std::string(service::kSessionCookie) + "=" + s.token}};
    if (with_csrf) h.emplace("X-CSRF-Token", s.csrf);
    return h;
  }
  httplib::Result Get(const Session& s, const std::string& path) { return Client().Get(path, Headers(s)); }
  httplib::Result Post(const Session& s, const std::string& path, const std::string& body, bool with_csrf = true) {
    return Client().Post(path, Headers(s, with_csrf), body, "application/json");
  }

  // The session's own view: 200 while it lives, 401 once it has ended.
  int SessionStatus(const Session& s) {
    auto res = Get(s, "/api/v1/session");
    return res ? res->status : -1;
  }

  // Runs SQL on the database file behind the service's back.
  void Tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(env_->path.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    EXPECT_GT(sqlite3_changes(db), 0) << "the tamper changed nothing: " << sql;
    sqlite3_free(err);
    sqlite3_close(db);
  }

  // Past the time a session trusts what it read of its account.
  void PastRecheck() { env_->clock.AdvanceMillis((env_->accounts->options().recheck_s + 1) * 1000); }

  std::unique_ptr<Env> env_;
  std::unique_ptr<RunningServer> server_;
  std::map<std::string, std::string> passwords_;
  Session op_;
};

TEST_F(OperatorTest, AddsACashierWhoSignsInIsResetThenDisabled) {
  const std::string tj = env_->Hospital("120000", 3).fixmedins_code;
  auto added = Post(op_, "/api/v1/admin/accounts",
                    json{{"username", "cashier.new"}, {"display_name", "新收费员"}, {"role", "hospital"},
                         {"duty", "cashier"}, {"scope", tj}}
                        .dump());
  ASSERT_TRUE(added);
  ASSERT_EQ(added->status, 201) << added->body;
  const json a = json::parse(added->body);
  EXPECT_EQ(a["account"]["username"], "cashier.new");
  EXPECT_EQ(a["account"]["duty"], "cashier");
  EXPECT_EQ(a["account"]["disabled"], false);
  const std::string generated = a.value("password", "");
  EXPECT_GE(generated.size(), service::kPasswordCharsMin) << "no password was sent: one is generated and shown";

  // Listed, with no hash of any password in the answer.
  auto list = Get(op_, "/api/v1/admin/accounts");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200) << list->body;
  bool listed = false;
  const json listed_body = json::parse(list->body);
  for (const auto& row : listed_body["accounts"]) {
    listed |= row["username"] == "cashier.new" && row["display_name"] == "新收费员";
    EXPECT_FALSE(row.contains("password_hash"));
  }
  EXPECT_TRUE(listed) << list->body;
  EXPECT_EQ(list->body.find("$argon2id$"), std::string::npos);
  EXPECT_EQ(list->body.find(generated), std::string::npos);

  // The new account signs in with the generated password.
  Session cashier = SignIn("cashier.new", generated);
  ASSERT_FALSE(cashier.token.empty());
  EXPECT_EQ(SessionStatus(cashier), 200);

  // A duplicate is refused and changes nothing.
  auto dup = Post(op_, "/api/v1/admin/accounts",
                  json{{"username", "cashier.new"}, {"role", "agency"}, {"scope", "130000"},
                       {"password", "another long password"}}
                      .dump());
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->status, 409);
  EXPECT_EQ(json::parse(dup->body)["err_code"], "XT-AUTH-013");
  EXPECT_FALSE(SignIn("cashier.new", generated).token.empty()) << "the first account is untouched";

  // Reset with a chosen password: the old sessions end, the old password no
  // longer works, the new one does.
  auto reset =
      Post(op_, "/api/v1/admin/accounts/cashier.new/reset", json{{"password", "a fresh sample password"}}.dump());
  ASSERT_TRUE(reset);
  ASSERT_EQ(reset->status, 200) << reset->body;
  EXPECT_FALSE(json::parse(reset->body).contains("password")) << "a chosen password is not echoed";
  PastRecheck();
  EXPECT_EQ(SessionStatus(cashier), 401);
  int status = 0;
  EXPECT_TRUE(SignIn("cashier.new", generated, &status).token.empty());
  EXPECT_EQ(status, 401);
  cashier = SignIn("cashier.new", "a fresh sample password");
  ASSERT_FALSE(cashier.token.empty());

  // Disable: the session ends and no sign-in works any more.
  auto disabled = Post(op_, "/api/v1/admin/accounts/cashier.new/disable", "");
  ASSERT_TRUE(disabled);
  ASSERT_EQ(disabled->status, 200) << disabled->body;
  PastRecheck();
  EXPECT_EQ(SessionStatus(cashier), 401);
  EXPECT_TRUE(SignIn("cashier.new", "a fresh sample password", &status).token.empty());
  EXPECT_EQ(status, 401);
  list = Get(op_, "/api/v1/admin/accounts");
  ASSERT_TRUE(list);
  const json after = json::parse(list->body);
  for (const auto& row : after["accounts"]) {
    if (row["username"] == "cashier.new") {
      EXPECT_EQ(row["disabled"], true);
    }
  }

  // The audit log names the operator as the actor of each change.
  auto audit = service::ReadAudit(*env_->store, 1, 10000);
  ASSERT_TRUE(audit.ok());
  std::map<std::string, std::string> actors;
  for (const auto& r : *audit) {
    if (r.subject == "cashier.new") actors[r.action] = r.actor;
  }
  EXPECT_EQ(actors["account add"], "user:demo.operator");
  EXPECT_EQ(actors["account reset"], "user:demo.operator");
  EXPECT_EQ(actors["account disable"], "user:demo.operator");
}

TEST_F(OperatorTest, RefusesBadInputOtherRolesAndChangesWithoutTheCsrfToken) {
  auto code = [](const httplib::Result& res) { return res ? json::parse(res->body).value("err_code", "") : "?"; };
  const std::string tj = env_->Hospital("120000", 3).fixmedins_code;
  const json good{{"username", "cashier.two"}, {"role", "hospital"}, {"duty", "cashier"}, {"scope", tj}};

  // Without the session's CSRF token: refused, nothing added.
  auto no_csrf = Post(op_, "/api/v1/admin/accounts", good.dump(), /*with_csrf=*/false);
  ASSERT_TRUE(no_csrf);
  EXPECT_EQ(no_csrf->status, 403);
  EXPECT_EQ(code(no_csrf), "XT-AUTH-010");

  // An agency's and a cashier's sessions are refused, reading or changing.
  for (const char* who : {"demo.agency", "demo.cashier"}) {
    Session s = SignIn(who, passwords_.at(who));
    ASSERT_FALSE(s.token.empty()) << who;
    auto read = Get(s, "/api/v1/admin/accounts");
    ASSERT_TRUE(read);
    EXPECT_EQ(read->status, 403) << who;
    auto write = Post(s, "/api/v1/admin/accounts", good.dump());
    ASSERT_TRUE(write);
    EXPECT_EQ(write->status, 403) << who;
    EXPECT_EQ(code(write), "XT-AUTH-003") << who;
    auto check = Post(s, "/api/v1/admin/verify", "");
    ASSERT_TRUE(check);
    EXPECT_EQ(check->status, 403) << who;
  }

  // Wrong input: each with its code.
  json weak = good;
  weak["password"] = "short";
  auto r = Post(op_, "/api/v1/admin/accounts", weak.dump());
  EXPECT_EQ(r ? r->status : 0, 400);
  EXPECT_EQ(code(r), "XT-AUTH-012");
  json no_duty = good;
  no_duty.erase("duty");
  r = Post(op_, "/api/v1/admin/accounts", no_duty.dump());
  EXPECT_EQ(r ? r->status : 0, 400);
  EXPECT_EQ(code(r), "XT-AUTH-015");
  json bad_role = good;
  bad_role["role"] = "local";
  r = Post(op_, "/api/v1/admin/accounts", bad_role.dump());
  EXPECT_EQ(code(r), "XT-AUTH-015");
  r = Post(op_, "/api/v1/admin/accounts", "[1,2]");
  EXPECT_EQ(code(r), "XT-AUTH-015");
  json bad_scope = good;
  bad_scope["scope"] = "H99999999999";
  r = Post(op_, "/api/v1/admin/accounts", bad_scope.dump());
  EXPECT_EQ(code(r), "XT-AUTH-015");
  r = Post(op_, "/api/v1/admin/accounts/demo.operator/disable", "");
  EXPECT_EQ(r ? r->status : 0, 400);
  EXPECT_EQ(code(r), "XT-AUTH-015") << "an operator does not disable their own account";
  EXPECT_EQ(SessionStatus(op_), 200);
  r = Post(op_, "/api/v1/admin/accounts/nobody.here/disable", "");
  EXPECT_EQ(r ? r->status : 0, 404);
  EXPECT_EQ(code(r), "XT-AUTH-014");
  r = Post(op_, "/api/v1/admin/accounts/demo.cashier/reset", json{{"password", "short"}}.dump());
  EXPECT_EQ(code(r), "XT-AUTH-012");
  EXPECT_FALSE(SignIn("demo.cashier", passwords_.at("demo.cashier")).token.empty())
      << "a refused reset changes nothing";

  // None of it made the account.
  auto list = Get(op_, "/api/v1/admin/accounts");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->body.find("cashier.two"), std::string::npos);
  // And with the token it is made.
  r = Post(op_, "/api/v1/admin/accounts", good.dump());
  EXPECT_EQ(r ? r->status : 0, 201);
}

TEST_F(OperatorTest, ListsApiKeysWithoutTheirSecrets) {
  const std::string key = env_->Key(Role::kAgency, "120000");
  const std::string key_id = key.substr(3, 16);
  auto res = Get(op_, "/api/v1/admin/credentials");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  bool found = false;
  const json body = json::parse(res->body);
  for (const auto& c : body["credentials"]) {
    if (c["key_id"] == key_id) {
      found = true;
      EXPECT_EQ(c["role"], "agency");
      EXPECT_EQ(c["scope"], "120000");
      EXPECT_EQ(c["revoked"], "");
    }
    EXPECT_FALSE(c.contains("secret_hash"));
  }
  EXPECT_TRUE(found) << key_id << " " << res->body;
  EXPECT_EQ(res->body.find(key.substr(20)), std::string::npos) << "the secret is never answered";

  // An operator's API key may use the routes too.
  httplib::Client cli = Client();
  cli.set_bearer_token_auth(env_->Key(Role::kAdmin, "*"));
  auto by_key = cli.Get("/api/v1/admin/accounts");
  ASSERT_TRUE(by_key);
  EXPECT_EQ(by_key->status, 200);
}

TEST_F(OperatorTest, VerifyIsOkOnTheDemoDataAndNamesATamperedBalance) {
  auto demo = service::RunDemo(*env_->store, *env_->ref, env_->clock);
  ASSERT_TRUE(demo.ok()) << demo.status().ToString();
  auto res = Post(op_, "/api/v1/admin/verify", "");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json rep = json::parse(res->body);
  EXPECT_EQ(rep["ok"], true) << res->body;
  EXPECT_GE(rep["settlements"].get<int64_t>(), 1);
  EXPECT_GT(rep["transfers"].get<int64_t>(), 0);
  EXPECT_EQ(rep["problems"].size(), 0u);

  const std::string account = ledger::InstitutionAccount(demo->fixmedins_code);
  Tamper("UPDATE accounts SET credits_fen = credits_fen + 100 WHERE account = '" + account + "'");
  res = Post(op_, "/api/v1/admin/verify", "");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  rep = json::parse(res->body);
  EXPECT_EQ(rep["ok"], false);
  EXPECT_GE(rep["problems_count"].get<int64_t>(), 1);
  bool named = false;
  for (const auto& p : rep["problems"]) named |= p.get<std::string>().find(account) != std::string::npos;
  EXPECT_TRUE(named) << res->body;
}

TEST_F(OperatorTest, AuditVerifyIsOkThenFindsAnEditedRecord) {
  auto res = Post(op_, "/api/v1/admin/audit/verify", "");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json rep = json::parse(res->body);
  EXPECT_EQ(rep["ok"], true) << res->body;
  EXPECT_GT(rep["records"].get<int64_t>(), 0);
  EXPECT_EQ(rep["head_seq"], rep["records"]);

  Tamper("UPDATE audit SET subject = 'someone.else' WHERE seq = 2");
  res = Post(op_, "/api/v1/admin/audit/verify", "");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  rep = json::parse(res->body);
  EXPECT_EQ(rep["ok"], false);
  ASSERT_GE(rep["problems"].size(), 1u);
  EXPECT_NE(rep["problems"][0].get<std::string>().find('2'), std::string::npos) << res->body;
}

}  // namespace
}  // namespace xt::testing
