// Credentials, roles and the audit log, over the real server on 127.0.0.1:
// the authorization matrix (every role against every route, each cell
// asserted; API keys and a cashier's and a doctor's sessions alike), sign-in rules, 2601 reversal by message, the REST queries with
// their filters and paging, the OpenAPI document against the route table,
// and `audit verify` catching an edited or deleted record.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "http/routes.h"
#include "http_util.h"
#include "ledger/ledger.h"
#include "process_util.h"
#include "service/audit.h"
#include "service/verify.h"
#include "test_env.h"

namespace xt::testing {
namespace {

using json = nlohmann::json;
using service::CallResult;
using service::FlowDriver;
using service::FlowLine;
using service::Role;
using service::Visit;

constexpr const char* kDemoPsn = "1305000000000001";  // insured in Xingtai (130500)
constexpr const char* kCallPath = "/fsi/api/callService";

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = std::make_unique<Env>(std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".db");
    tianjin_ = &env_->Hospital("120000", 3);
    hebei_ = &env_->Hospital("130000", 3);
    other_ = InsuredIn(*env_, "110000", kDemoPsn);
    server_ = std::make_unique<RunningServer>(*env_, TestOptions());
    keys_ = {{"none", ""},
             {"bad", "xt_0000000000000000_" + std::string(64, '0')},
             {"hosp_tj", env_->Key(Role::kHospital, tianjin_->fixmedins_code)},
             {"hosp_he", env_->Key(Role::kHospital, hebei_->fixmedins_code)},
             {"agency_tj", env_->Key(Role::kAgency, "120000")},
             {"agency_he", env_->Key(Role::kAgency, "130000")},
             {"agency_bj", env_->Key(Role::kAgency, "110000")},
             {"res_demo", env_->Key(Role::kResident, kDemoPsn)},
             {"res_other", env_->Key(Role::kResident, other_.first)},
             {"admin", env_->Key(Role::kAdmin, "*")}};
  }

  void TearDown() override {
    server_.reset();
    auto rep = service::Verify(*env_->store, nullptr);
    ASSERT_TRUE(rep.ok()) << rep.status().ToString();
    for (const auto& p : rep->problems) ADD_FAILURE() << p;
    auto audit = service::VerifyAudit(*env_->store);
    ASSERT_TRUE(audit.ok());
    for (const auto& p : audit->problems) ADD_FAILURE() << p;
  }

  // A hospital's driver over HTTP with its key, signed in.
  struct Hospital {
    std::unique_ptr<httplib::Client> http;
    std::unique_ptr<service::HospitalClient> client;
    std::unique_ptr<FlowDriver> drv;
  };
  Hospital Connect(const registry::Institution& inst, const std::string& key) {
    Hospital h;
    h.http = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    h.http->set_read_timeout(10, 0);
    h.http->set_tcp_nodelay(true);
    if (!key.empty()) h.http->set_bearer_token_auth(key);
    h.client = std::make_unique<service::HospitalClient>(env_->Client(inst));
    httplib::Client* http = h.http.get();
    h.drv = std::make_unique<FlowDriver>(
        [http](const std::string& request) {
          auto res = http->Post(kCallPath, request, "application/json");
          return res ? res->body : std::string();
        },
        h.client.get());
    return h;
  }

  // Registers, uploads and settles one outpatient visit in-process (as the
  // local operator); returns the 2207 answer.
  CallResult SettleOne(const registry::Institution& inst, const std::string& psn_no, const std::string& insuplc) {
    auto client = env_->Client(inst);
    FlowDriver drv(env_->processor.get(), &client);
    Visit v{psn_no, "310", insuplc, false, ""};
    EXPECT_EQ(drv.Open(&v, FormatLocalTime(env_->clock.NowLocal())).infcode, 0);
    const auto lines = ClassALines(*env_, inst.admdvs.substr(0, 2) + "0000");
    EXPECT_EQ(drv.Upload(v, lines, FormatLocalTime(env_->clock.NowLocal())).infcode, 0);
    CallResult r = drv.Settle(v, FlowDriver::LineAmountFen(lines[0]), true, false);
    EXPECT_EQ(r.infcode, 0) << r.response;
    return r;
  }

  // What `who` sends: its API key, or its session's cookie and CSRF token.
  httplib::Headers HeadersOf(const std::string& who) {
    httplib::Headers h;
    if (auto s = sessions_.find(who); s != sessions_.end()) {
      h.emplace("Cookie", std::string(service::kSessionCookie) + "=" + s->second.first);
      h.emplace("X-CSRF-Token", s->second.second);
    } else if (!keys_.at(who).empty()) {
      h.emplace("Authorization", "Bearer " + keys_.at(who));
    }
    return h;
  }

  // A staff account of `role`, signed in over HTTP as `who`.
  void OpenSession(const std::string& who, Role role, std::optional<service::Duty> duty, const std::string& scope) {
    const std::string password = "sample password " + who;
    auto added = service::AddAccount(env_->store.get(), *env_->ref, service::NewAccount{who, "", role, duty, scope},
                                     password, env_->clock.NowLocal());
    ASSERT_TRUE(added.ok()) << added.status().ToString();
    httplib::Client cli("127.0.0.1", server_->port());
    auto res = cli.Post("/api/v1/session", json{{"username", who}, {"password", password}}.dump(), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    const std::string cookie = res->get_header_value("Set-Cookie");
    const size_t eq = cookie.find('=');
    sessions_[who] = {cookie.substr(eq + 1, cookie.find(';') - eq - 1), json::parse(res->body)["csrf_token"]};
  }

  httplib::Result Get(const std::string& who, const std::string& path) {
    httplib::Client cli("127.0.0.1", server_->port());
    cli.set_read_timeout(10, 0);
    return cli.Get(path, HeadersOf(who));
  }

  std::unique_ptr<Env> env_;
  const registry::Institution* tianjin_ = nullptr;
  const registry::Institution* hebei_ = nullptr;
  std::pair<std::string, std::string> other_;  // psn_no, insuplc_admdvs of a Beijing-insured person
  std::unique_ptr<RunningServer> server_;
  std::map<std::string, std::string> keys_;
  std::map<std::string, std::pair<std::string, std::string>> sessions_;  // who: session token, CSRF token
};

// Every role against every route. A cell is "ok" (200; for the national
// interface also infcode 0), "ok:N" (200 listing N settlements), an HTTP
// status ("401", "403", "404"; "403:017" when refused for the caller's
// duty, XT-AUTH-017) or, on the national interface, the err_code of the
// refusal envelope. The last two callers are staff sessions of the Tianjin
// hospital: a cashier and a doctor.
TEST_F(SecurityTest, AuthorizationMatrixEveryRoleAgainstEveryRoute) {
  // S1: the demo patient (insured in Hebei) at the Tianjin hospital.
  // S2: a Beijing-insured person at the Hebei hospital.
  const std::string s1 = service::OutputString(SettleOne(*tianjin_, kDemoPsn, "130500").response, {"setlinfo", "setl_id"});
  const std::string s2 =
      service::OutputString(SettleOne(*hebei_, other_.first, other_.second).response, {"setlinfo", "setl_id"});
  ASSERT_FALSE(s1.empty());
  ASSERT_FALSE(s2.empty());
  std::string fund_account;
  ASSERT_TRUE(env_->store->Read([&](store::ReadTxn& txn) {
                return txn.ledger().ForEachTransfer([&](const store::Transfer& t) {
                  if (t.setl_id == s1 && t.debit_account.rfind("fund:13", 0) == 0) fund_account = t.debit_account;
                  return fund_account.empty();
                });
              }).ok());
  ASSERT_FALSE(fund_account.empty());
  const std::string tj = tianjin_->fixmedins_code;
  std::string open_visit;  // the demo patient's registered visit in Tianjin
  OpenSession("cashier_tj", Role::kHospital, service::Duty::kCashier, tj);
  OpenSession("doctor_tj", Role::kHospital, service::Duty::kDoctor, tj);
  {
    auto client = env_->Client(*tianjin_);
    FlowDriver drv(env_->processor.get(), &client);
    Visit open{kDemoPsn, "310", "130500", false, ""};
    ASSERT_EQ(drv.Open(&open, FormatLocalTime(env_->clock.NowLocal())).infcode, 0);
    open_visit = open.mdtrt_id;
  }

  const std::vector<std::string> who = {"none",      "bad",       "hosp_tj",   "hosp_he",  "agency_tj",  "agency_he",
                                        "agency_bj", "res_demo",  "res_other", "admin",    "cashier_tj", "doctor_tj"};
  struct Row {
    Row(std::string op, std::string p, std::vector<std::string> w, std::string body = "")
        : operation(std::move(op)), path(std::move(p)), want(std::move(w)), post_body(std::move(body)) {}
    std::string operation;  // the route's operationId
    std::string path;
    std::vector<std::string> want;  // in the order of `who`
    std::string post_body;          // POST with this body when not empty (an invalid one: 400 = admitted)
  };
  const std::vector<Row> rows = {
      {"callService", kCallPath,
       {"401", "401", "ok", "XT-AUTH-004", "XT-AUTH-003", "XT-AUTH-003", "XT-AUTH-003", "XT-AUTH-003", "XT-AUTH-003",
        "XT-AUTH-003", "ok", "XT-AUTH-017"}},
      {"getHealth", "/healthz", {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"}},
      {"getOpenApi", "/openapi.json", {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"}},
      {"getMetrics", "/metrics", {"401", "401", "403", "403", "403", "403", "403", "403", "403", "ok", "403", "403"}},
      {"getMe", "/api/v1/me", {"401", "401", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"}},
      {"listSettlements", "/api/v1/settlements",
       {"401", "401", "ok:1", "ok:1", "ok:1", "ok:2", "ok:1", "ok:1", "ok:1", "ok:2", "ok:1", "403:017"}},
      {"getSettlement", "/api/v1/settlements/" + s1,
       {"401", "401", "ok", "404", "ok", "ok", "404", "ok", "404", "ok", "ok", "403:017"}},
      {"listPersonSettlements", std::string("/api/v1/persons/") + kDemoPsn + "/settlements",
       {"401", "401", "403", "403", "ok:1", "ok:1", "ok:0", "ok:1", "403", "ok:1", "403", "403"}},
      {"listFunds", "/api/v1/funds", {"401", "401", "403", "403", "ok", "ok", "ok", "403", "403", "ok", "403", "403"}},
      {"getInstitutionBalance", "/api/v1/institutions/" + tj + "/balance",
       {"401", "401", "ok", "404", "ok", "404", "404", "403", "403", "ok", "ok", "403:017"}},
      {"getAccountStatement", "/api/v1/accounts/" + ledger::InstitutionAccount(tj) + "/statement",
       {"401", "401", "ok", "404", "ok", "404", "404", "404", "404", "ok", "ok", "403:017"}},
      {"getAccountStatement", "/api/v1/accounts/" + ledger::PersonalAccount(kDemoPsn) + "/statement",
       {"401", "401", "404", "404", "404", "404", "404", "ok", "404", "ok", "404", "403:017"}},
      {"getAccountStatement", "/api/v1/accounts/" + fund_account + "/statement",
       {"401", "401", "404", "404", "404", "ok", "404", "404", "404", "ok", "404", "403:017"}},
      {"publishResult", "/api/v1/results",
       {"401", "401", "400", "400", "403", "403", "403", "403", "403", "403", "403:017", "400"}, "{}"},
      {"recordResultDecision", "/api/v1/results/decisions",
       {"401", "401", "400", "400", "403", "403", "403", "403", "403", "403", "403:017", "400"}, "{}"},
      // The doctor's check needs an open visit of the patient at the caller's
      // institution: the demo patient is registered (not settled) in Tianjin.
      {"getRecognisedResults", std::string("/api/v1/persons/") + kDemoPsn + "/recognised?items=K",
       {"401", "401", "ok", "403", "403", "403", "403", "403", "403", "403", "403:017", "ok"}},
      {"listPersonResults", std::string("/api/v1/persons/") + kDemoPsn + "/results",
       {"401", "401", "403", "403", "403", "403", "403", "ok", "403", "ok", "403", "403"}},
      {"listResultLooks", std::string("/api/v1/persons/") + kDemoPsn + "/result-looks",
       {"401", "401", "403", "403", "ok", "ok", "ok", "ok", "403", "ok", "403", "403"}},
      {"getResultStatistics", "/api/v1/results/statistics",
       {"401", "401", "ok", "ok", "ok", "ok", "ok", "403", "403", "ok", "ok", "ok"}},
      // Clearing: only an operator closes a month (October 2026: over, no
      // settlements); then everyone but residents reads it in their scope.
      {"closeClearingMonth", "/api/v1/clearing/months/202610/close",
       {"401", "401", "403", "403", "403", "403", "403", "403", "403", "ok", "403", "403"}, "{}"},
      {"listClearingMonths", "/api/v1/clearing/months",
       {"401", "401", "ok", "ok", "ok", "ok", "ok", "403", "403", "ok", "ok", "403:017"}},
      {"getClearingMonth", "/api/v1/clearing/months/202610",
       {"401", "401", "ok", "ok", "ok", "ok", "ok", "403", "403", "ok", "ok", "403:017"}},
      {"getClearingReport", "/api/v1/clearing/months/202610/flows",
       {"401", "401", "ok", "ok", "ok", "ok", "ok", "403", "403", "ok", "ok", "403:017"}},
      {"listPrepaidFunds", "/api/v1/clearing/prepaid",
       {"401", "401", "403", "403", "ok", "ok", "ok", "403", "403", "ok", "403", "403"}},
      {"listReconciliations", "/api/v1/clearing/reconciliations?result=all",
       {"401", "401", "ok", "ok", "ok", "ok", "ok", "403", "403", "ok", "ok", "403:017"}},
      // The cashier's counter: hospitals only, each its own visits; a POST
      // without its Idempotency-Key is admitted and refused (400).
      {"lookUpPerson", "/api/v1/counter/persons?certno=130502198503160248",
       {"401", "401", "ok", "ok", "403", "403", "403", "403", "403", "403", "ok", "403:017"}},
      {"listCounterItems", "/api/v1/counter/items?q=",
       {"401", "401", "ok", "ok", "403", "403", "403", "403", "403", "403", "ok", "403:017"}},
      {"getCounterVisit", "/api/v1/counter/visits/" + open_visit,
       {"401", "401", "ok", "404", "403", "403", "403", "403", "403", "403", "ok", "403:017"}},
      {"openVisit", "/api/v1/counter/visits", {"401", "401", "400", "400", "403", "403", "403", "403", "403", "403", "400", "403:017"}, "{}"},
      {"addVisitFees", "/api/v1/counter/visits/" + open_visit + "/fees",
       {"401", "401", "400", "400", "403", "403", "403", "403", "403", "403", "400", "403:017"}, "{}"},
      {"dischargeVisit", "/api/v1/counter/visits/" + open_visit + "/discharge",
       {"401", "401", "400", "400", "403", "403", "403", "403", "403", "403", "400", "403:017"}, "{}"},
      {"presettleVisit", "/api/v1/counter/visits/" + open_visit + "/presettle",
       {"401", "401", "400", "400", "403", "403", "403", "403", "403", "403", "400", "403:017"}, "{}"},
      {"settleVisit", "/api/v1/counter/visits/" + open_visit + "/settle",
       {"401", "401", "400", "400", "403", "403", "403", "403", "403", "403", "400", "403:017"}, "{}"},
      {"reverseSettlement", "/api/v1/counter/settlements/" + s1 + "/reverse",
       {"401", "401", "400", "400", "403", "403", "403", "403", "403", "403", "400", "403:017"}, "{}"},
      {"reconcileDay", "/api/v1/counter/reconcile",
       {"401", "401", "400", "400", "403", "403", "403", "403", "403", "403", "400", "403:017"}, "{}"},
      // The operator's accounts, keys and checks: operators only (an empty
      // add: 400, admitted; no such account: 404, admitted).
      {"listStaffAccounts", "/api/v1/admin/accounts",
       {"401", "401", "403", "403", "403", "403", "403", "403", "403", "ok", "403", "403"}},
      {"addStaffAccount", "/api/v1/admin/accounts",
       {"401", "401", "403", "403", "403", "403", "403", "403", "403", "400", "403", "403"}, "{}"},
      {"disableStaffAccount", "/api/v1/admin/accounts/nobody.here/disable",
       {"401", "401", "403", "403", "403", "403", "403", "403", "403", "404", "403", "403"}, "{}"},
      {"resetStaffPassword", "/api/v1/admin/accounts/nobody.here/reset",
       {"401", "401", "403", "403", "403", "403", "403", "403", "403", "404", "403", "403"}, "{}"},
      {"listCredentials", "/api/v1/admin/credentials",
       {"401", "401", "403", "403", "403", "403", "403", "403", "403", "ok", "403", "403"}},
      {"runVerify", "/api/v1/admin/verify",
       {"401", "401", "403", "403", "403", "403", "403", "403", "403", "ok", "403", "403"}, "{}"},
      {"runAuditVerify", "/api/v1/admin/audit/verify",
       {"401", "401", "403", "403", "403", "403", "403", "403", "403", "ok", "403", "403"}, "{}"},
      // Staff sign-in: anyone may try (an empty body: 400, admitted); the
      // session's view is a session's only; signing out ends it (last).
      {"createSession", "/api/v1/session",
       {"400", "400", "400", "400", "400", "400", "400", "400", "400", "400", "400", "400"}, "{}"},
      {"getSession", "/api/v1/session",
       {"401", "401", "401", "401", "401", "401", "401", "401", "401", "401", "ok", "ok"}},
      {"deleteSession", "/api/v1/session",
       {"401", "401", "204", "204", "204", "204", "204", "204", "204", "204", "204", "204"}},
  };
  // The matrix covers every route the server has.
  std::set<std::string> covered;
  for (const auto& r : rows) covered.insert(r.operation);
  for (const auto& spec : http::RouteTable()) {
    EXPECT_TRUE(covered.count(std::string(spec.operation_id))) << "no row for " << spec.path;
  }

  auto tj_client = env_->Client(*tianjin_);
  for (const auto& row : rows) {
    ASSERT_EQ(row.want.size(), who.size());
    for (size_t i = 0; i < who.size(); ++i) {
      const std::string& want = row.want[i];
      std::string got;
      if (row.operation == "callService") {
        // A 9001 sign-in of the Tianjin hospital, with each credential.
        httplib::Client cli("127.0.0.1", server_->port());
        const httplib::Headers h = HeadersOf(who[i]);
        auto res = cli.Post(kCallPath, h, tj_client.Envelope("9001", R"({"signIn":{"opter_no":"m1"}})", ""),
                            "application/json");
        ASSERT_TRUE(res);
        const json body = json::parse(res->body);
        if (res->status != 200) got = std::to_string(res->status);
        else got = body["infcode"] == 0 ? "ok" : body.value("err_code", "?");
        if (res->status == 401) {
          EXPECT_EQ(body["infcode"], -1) << "a refusal is still an envelope";
        }
      } else if (!row.post_body.empty() || row.operation == "deleteSession") {
        httplib::Client cli("127.0.0.1", server_->port());
        auto res = row.post_body.empty() ? cli.Delete(row.path, HeadersOf(who[i]))
                                         : cli.Post(row.path, HeadersOf(who[i]), row.post_body, "application/json");
        ASSERT_TRUE(res);
        got = res->status == 200 ? "ok" : std::to_string(res->status);
        if (res->status == 403 && json::parse(res->body).value("err_code", "") == "XT-AUTH-017") got += ":017";
      } else {
        auto res = Get(who[i], row.path);
        ASSERT_TRUE(res);
        got = res->status == 200 ? "ok" : std::to_string(res->status);
        if (res->status == 403 && json::parse(res->body).value("err_code", "") == "XT-AUTH-017") got += ":017";
        if (res->status == 200 && want.rfind("ok:", 0) == 0) {
          got += ":" + std::to_string(json::parse(res->body)["settlements"].size());
        }
        if (res->status != 200) {
          EXPECT_TRUE(json::parse(res->body).contains("err_code")) << res->body;
        }
      }
      EXPECT_EQ(got, want) << who[i] << " on " << row.path;
    }
  }
}

TEST_F(SecurityTest, HospitalsSignInBeforeEveryCallAndSignOutEndsIt) {
  Hospital h = Connect(*tianjin_, keys_["hosp_tj"]);
  const std::string certno = "130502198503160248";
  EXPECT_EQ(h.drv->PersonInfo(certno).err_code, "XT-AUTH-005") << "no sign_no yet";
  h.client->set_sign_no("not-a-sign-no");
  EXPECT_EQ(h.drv->PersonInfo(certno).err_code, "XT-AUTH-005");
  CallResult in = h.drv->SignIn("opter-7");
  ASSERT_EQ(in.infcode, 0) << in.response;
  const std::string sign_no = h.client->sign_no();
  EXPECT_EQ(sign_no.size(), 30u);
  EXPECT_EQ(h.drv->PersonInfo(certno).infcode, 0);

  // Another hospital cannot use it, even with its own valid key.
  Hospital other = Connect(*hebei_, keys_["hosp_he"]);
  other.client->set_sign_no(sign_no);
  EXPECT_EQ(other.drv->PersonInfo(certno).err_code, "XT-AUTH-005");

  json out = {{"signOut", {{"sign_no", sign_no}, {"opter_no", "opter-7"}}}};
  CallResult bye = h.drv->Call("9002", out.dump(), "");
  ASSERT_EQ(bye.infcode, 0) << bye.response;
  EXPECT_EQ(h.drv->PersonInfo(certno).err_code, "XT-AUTH-005") << "signed out";
  EXPECT_EQ(h.drv->Call("9002", out.dump(), "").err_code, "XT-AUTH-005");
}

TEST_F(SecurityTest, RevokedAndForgedKeysAreRefused) {
  auto k = service::IssueCredential(env_->store.get(), *env_->ref, Role::kAgency, "120000", "", env_->clock.NowLocal());
  ASSERT_TRUE(k.ok());
  keys_["fresh"] = k->api_key;
  EXPECT_EQ(Get("fresh", "/api/v1/me")->status, 200);
  // The same key id with another secret.
  std::string forged = k->api_key;
  forged.back() = forged.back() == '0' ? '1' : '0';
  keys_["forged"] = forged;
  EXPECT_EQ(Get("forged", "/api/v1/me")->status, 401);
  ASSERT_TRUE(service::RevokeCredential(env_->store.get(), k->credential.key_id, env_->clock.NowLocal()).ok());
  // A fresh Authenticator (as after the cache time) no longer accepts it.
  service::Authenticator auth(env_->store.get());
  EXPECT_EQ(auth.Authenticate(k->api_key).status().code(), "XT-AUTH-002");
  // The database holds no key, only its hash.
  std::string row;
  ASSERT_TRUE(env_->store->Read([&](store::ReadTxn& txn) -> Status {
                XT_ASSIGN_OR_RETURN(auto c, txn.access().FindCredential(k->credential.key_id));
                row = c->secret_hash + c->role + c->scope;
                return Status::Ok();
              }).ok());
  EXPECT_EQ(row.find(k->api_key.substr(20)), std::string::npos);
  // Issuing checks the scope.
  EXPECT_EQ(service::IssueCredential(env_->store.get(), *env_->ref, Role::kHospital, "H99999999999", "",
                                     env_->clock.NowLocal())
                .status()
                .code(),
            "XT-AUTH-006");
  EXPECT_EQ(
      service::IssueCredential(env_->store.get(), *env_->ref, Role::kAgency, "130500", "", env_->clock.NowLocal())
          .status()
          .code(),
      "XT-AUTH-006");
}

TEST_F(SecurityTest, ReversalByOriginalMessage2601) {
  Hospital h = Connect(*tianjin_, keys_["hosp_tj"]);
  ASSERT_EQ(h.drv->SignIn().infcode, 0);
  Visit v{kDemoPsn, "310", "130500", false, ""};
  ASSERT_EQ(h.drv->Open(&v, "2026-11-20 09:00:00").infcode, 0);
  const auto lines = ClassALines(*env_, "120000");
  ASSERT_EQ(h.drv->Upload(v, lines, "2026-11-20 09:10:00").infcode, 0);
  CallResult settled = h.drv->Settle(v, FlowDriver::LineAmountFen(lines[0]), true, false);
  ASSERT_EQ(settled.infcode, 0);
  const std::string omsgid = json::parse(settled.request)["msgid"];
  const std::string setl_id = service::OutputString(settled.response, {"setlinfo", "setl_id"});

  json redo = {{"data", {{"omsgid", omsgid}, {"oinfno", "2207"}, {"psn_no", kDemoPsn}}}};
  CallResult r = h.drv->Call("2601", redo.dump(), "130500");
  ASSERT_EQ(r.infcode, 0) << r.response;
  EXPECT_EQ(service::OutputString(r.response, {"result"}), "reversed");
  EXPECT_EQ(service::OutputString(r.response, {"setl_id"}), setl_id);
  auto one = Get("admin", "/api/v1/settlements/" + setl_id);
  ASSERT_EQ(one->status, 200);
  EXPECT_EQ(json::parse(one->body)["state"], "reversed");
  EXPECT_EQ(h.drv->Call("2601", redo.dump(), "130500").err_code, "XT-SETL-006") << "a new 2601 finds it reversed";
  // The visit settles again afterwards.
  EXPECT_EQ(h.drv->Settle(v, FlowDriver::LineAmountFen(lines[0]), true, false).infcode, 0);

  // A message that never arrived is closed: when it comes late it has no effect.
  Visit v2{kDemoPsn, "310", "130500", false, ""};
  ASSERT_EQ(h.drv->Open(&v2, "2026-11-20 09:30:00").infcode, 0);
  ASSERT_EQ(h.drv->Upload(v2, lines, "2026-11-20 09:40:00").infcode, 0);
  json in = {{"data", {{"psn_no", kDemoPsn}, {"mdtrt_id", v2.mdtrt_id},
                       {"medfee_sumamt", FlowDriver::LineAmountFen(lines[0]) / 100.0}, {"acct_used_flag", "1"},
                       {"insutype", "310"}}}};
  const std::string late_msgid = h.client->NextMsgid();
  const std::string late = h.client->Envelope("2207", in.dump(), "130500", late_msgid);
  json close = {{"data", {{"omsgid", late_msgid}, {"oinfno", "2207"}}}};
  CallResult closed = h.drv->Call("2601", close.dump(), "130500");
  ASSERT_EQ(closed.infcode, 0) << closed.response;
  EXPECT_EQ(service::OutputString(closed.response, {"result"}), "closed");
  auto res = h.http->Post(kCallPath, late, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body)["err_code"], "XT-ENV-010") << res->body;
  auto list = Get("admin", std::string("/api/v1/persons/") + kDemoPsn + "/settlements");
  ASSERT_EQ(list->status, 200);
  EXPECT_EQ(json::parse(list->body)["settlements"].size(), 3u) << "settle, its reversal, settle again; not the late one";

  // Another institution's message cannot be reversed by this one.
  Hospital he = Connect(*hebei_, keys_["hosp_he"]);
  ASSERT_EQ(he.drv->SignIn().infcode, 0);
  json foreign = {{"data", {{"omsgid", omsgid}, {"oinfno", "2207"}}}};
  EXPECT_EQ(he.drv->Call("2601", foreign.dump(), "130500").err_code, "XT-ENV-009");
  json bad = {{"data", {{"omsgid", omsgid}, {"oinfno", "1101"}}}};
  EXPECT_EQ(h.drv->Call("2601", bad.dump(), "130500").err_code, "XT-INP-002");
}

TEST_F(SecurityTest, SettlementsAreListedNewestFirstFilteredAndPaged) {
  for (int i = 0; i < 7; ++i) {
    SettleOne(*tianjin_, kDemoPsn, "130500");
    env_->clock.AdvanceMillis(86400 * 1000);  // one a day
  }
  SettleOne(*hebei_, other_.first, other_.second);
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto res = Get("agency_tj", "/api/v1/settlements?page_size=3" + (token.empty() ? "" : "&page_token=" + token));
    ASSERT_EQ(res->status, 200) << res->body;
    const json page = json::parse(res->body);
    for (const auto& s : page["settlements"]) {
      seen.push_back(s["setl_id"]);
      EXPECT_EQ(s["fixmedins_code"], tianjin_->fixmedins_code) << "Tianjin's agency sees Tianjin's treatment side only";
    }
    token = page["next_page_token"].is_null() ? "" : page["next_page_token"].get<std::string>();
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 7u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 7u) << "no settlement twice";

  // Newest first, and a date window (days 2 to 4 of the seven).
  auto all = json::parse(Get("admin", "/api/v1/settlements?fixmedins_code=" + tianjin_->fixmedins_code)->body);
  ASSERT_EQ(all["settlements"].size(), 7u);
  for (size_t i = 1; i < 7; ++i) {
    EXPECT_GT(all["settlements"][i - 1]["setl_time"].get<std::string>(), all["settlements"][i]["setl_time"].get<std::string>());
  }
  auto window = json::parse(Get("admin", "/api/v1/settlements?from=2026-11-21&to=2026-11-23")->body);
  EXPECT_EQ(window["settlements"].size(), 3u);
  auto by_region = json::parse(Get("admin", "/api/v1/settlements?insuplc_admdvs=110000")->body);
  ASSERT_EQ(by_region["settlements"].size(), 1u);
  EXPECT_EQ(by_region["settlements"][0]["psn_no"], other_.first);

  // One settlement: its lines and trace.
  auto one = json::parse(Get("res_demo", "/api/v1/settlements/" + seen[0])->body);
  EXPECT_EQ(one["lines"].size(), 1u);
  EXPECT_FALSE(one["trace"].get<std::string>().empty());
  EXPECT_EQ(one["medfee_sumamt_fen"], 30000) << "2 x 150.00 yuan";

  // Bad parameters are refused, and a scope cannot be widened.
  for (const char* q : {"page_size=0", "page_size=201", "from=2026-13-01", "page_token=x", "region=13",
                        "from=2026-11-25&to=2026-11-20"}) {
    auto res = Get("admin", std::string("/api/v1/settlements?") + q);
    EXPECT_EQ(res->status, 400) << q;
    EXPECT_EQ(json::parse(res->body)["err_code"], "XT-API-001") << q;
  }
  EXPECT_EQ(Get("agency_tj", "/api/v1/settlements?region=130000")->status, 403);
  EXPECT_EQ(Get("res_demo", "/api/v1/settlements?psn_no=" + other_.first)->status, 403);
  EXPECT_EQ(Get("hosp_tj", "/api/v1/settlements?fixmedins_code=" + hebei_->fixmedins_code)->status, 403);

  // The statement of the hospital's account pages the same way, and sums to its balance.
  Fen credits = 0;
  token.clear();
  pages = 0;
  do {
    auto res = Get("hosp_tj", "/api/v1/accounts/" + ledger::InstitutionAccount(tianjin_->fixmedins_code) +
                                  "/statement?page_size=4" + (token.empty() ? "" : "&page_token=" + token));
    ASSERT_EQ(res->status, 200) << res->body;
    const json page = json::parse(res->body);
    for (const auto& t : page["transfers"]) credits += t["side"] == "credit" ? t["amount_fen"].get<Fen>() : -t["amount_fen"].get<Fen>();
    if (page["next_page_token"].is_null()) {
      EXPECT_EQ(credits, page["balance_fen"].get<Fen>());
      break;
    }
    token = page["next_page_token"];
  } while (++pages < 20);
}

// The REST routes' own error answers: wrong method, unknown route, query
// parameters over their bounds, a page token the server never gave.
TEST_F(SecurityTest, RestErrorAnswersAreJsonWithStableCodes) {
  httplib::Client cli("127.0.0.1", server_->port());
  const httplib::Headers h = {{"Authorization", "Bearer " + keys_["admin"]}};
  auto code_of = [](const httplib::Result& res) { return json::parse(res->body).value("err_code", "?"); };

  auto post = cli.Post("/api/v1/settlements", h, "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET");
  EXPECT_EQ(code_of(post), "XT-HTTP-003");
  auto del = cli.Delete("/api/v1/settlements/x", h);
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 405);

  auto nowhere = cli.Get("/api/v1/nowhere", h);
  ASSERT_TRUE(nowhere);
  EXPECT_EQ(nowhere->status, 404);
  EXPECT_EQ(code_of(nowhere), "XT-HTTP-002");

  auto long_value = cli.Get("/api/v1/settlements?psn_no=" + std::string(101, '1'), h);
  ASSERT_TRUE(long_value);
  EXPECT_EQ(long_value->status, 400);
  EXPECT_EQ(code_of(long_value), "XT-API-001");
  std::string many = "/api/v1/settlements?";
  for (int i = 0; i < 17; ++i) many += "p" + std::to_string(i) + "=1&";
  auto too_many = cli.Get(many, h);
  ASSERT_TRUE(too_many);
  EXPECT_EQ(too_many->status, 400);
  EXPECT_EQ(code_of(too_many), "XT-API-001");
  auto repeated = cli.Get("/api/v1/settlements?from=2026-11-01&from=2026-11-02", h);
  ASSERT_TRUE(repeated);
  EXPECT_EQ(repeated->status, 400);
  auto token = cli.Get("/api/v1/accounts/inst:" + tianjin_->fixmedins_code + "/statement?page_token=abc", h);
  ASSERT_TRUE(token);
  EXPECT_EQ(token->status, 400);
  EXPECT_EQ(code_of(token), "XT-API-001");
  auto unknown = cli.Get("/api/v1/settlements/99999999999999999999", h);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(code_of(unknown), "XT-API-002");
  auto no_account = cli.Get("/api/v1/accounts/inst:H99999999999/statement", h);
  ASSERT_TRUE(no_account);
  EXPECT_EQ(no_account->status, 404);
}

TEST_F(SecurityTest, OpenApiDocumentIsServedAsKeptInDocs) {
  auto res = Get("none", "/openapi.json");
  ASSERT_EQ(res->status, 200);
  std::ifstream in(std::string(XT_SOURCE_DIR) + "/docs/openapi.json");
  std::stringstream file;
  file << in.rdbuf();
  EXPECT_EQ(res->body, file.str()) << "the server serves the document kept in docs/";
  const json doc = json::parse(res->body);
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
}

// Runs SQL on the database file behind the service's back.
void Tamper(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

TEST_F(SecurityTest, AuditLogRecordsMoneyAndPersonalDataAndDetectsTampering) {
  Hospital h = Connect(*tianjin_, keys_["hosp_tj"]);
  ASSERT_EQ(h.drv->SignIn().infcode, 0);
  ASSERT_EQ(h.drv->PersonInfo("130502198503160248").infcode, 0);
  Visit v{kDemoPsn, "310", "130500", false, ""};
  ASSERT_EQ(h.drv->Open(&v, "2026-11-20 09:00:00").infcode, 0);
  const auto lines = ClassALines(*env_, "120000");
  ASSERT_EQ(h.drv->Upload(v, lines, "2026-11-20 09:10:00").infcode, 0);
  CallResult s = h.drv->Settle(v, FlowDriver::LineAmountFen(lines[0]), true, false);
  ASSERT_EQ(s.infcode, 0);
  ASSERT_EQ(Get("res_demo", "/api/v1/settlements")->status, 200);
  ASSERT_EQ(Get("res_other", "/api/v1/settlements/" + service::OutputString(s.response, {"setlinfo", "setl_id"}))->status,
            404);

  auto rows = service::ReadAudit(*env_->store, 1, 1000);
  ASSERT_TRUE(rows.ok());
  auto find = [&](const std::string& action, const std::string& actor) -> const store::AuditRow* {
    for (const auto& r : *rows) {
      if (r.action == action && r.actor == actor) return &r;
    }
    return nullptr;
  };
  const std::string hosp_id = keys_["hosp_tj"].substr(3, 16);
  for (const char* action : {"9001", "1101", "2207"}) {
    const store::AuditRow* r = find(action, hosp_id);
    ASSERT_NE(r, nullptr) << action << " is audited";
    EXPECT_EQ(r->role, "hospital");
    EXPECT_EQ(r->outcome, "ok");
    if (std::string(action) != "9001") {
      EXPECT_EQ(r->subject, kDemoPsn);
    }
  }
  EXPECT_EQ(find("2201", hosp_id), nullptr) << "registration neither moves money nor discloses";
  const store::AuditRow* look = find("GET /api/v1/settlements", keys_["res_demo"].substr(3, 16));
  ASSERT_NE(look, nullptr);
  EXPECT_EQ(look->subject, kDemoPsn);
  const store::AuditRow* refused = find("GET /api/v1/settlements/{setl_id}", keys_["res_other"].substr(3, 16));
  ASSERT_NE(refused, nullptr) << "a refused look is audited too";
  EXPECT_EQ(refused->outcome, "XT-API-002");

  auto clean = service::VerifyAudit(*env_->store);
  ASSERT_TRUE(clean.ok());
  EXPECT_TRUE(clean->problems.empty());
  ASSERT_GE(clean->records, 6);
  const int64_t n = clean->records;
  server_.reset();
  const std::string db = env_->path;
  env_->store.reset();  // checkpointed and closed, so the tampering below is what a reader sees
  const std::string xietong = XT_BINARY;
  EXPECT_EQ(RunProgram({xietong, "audit", "verify", "--db", db}), 0);

  // Each tampering on its own copy of the closed database file.
  auto copy_of = [&](const std::string& name) {
    const std::string path = db + "." + name;
    std::filesystem::copy_file(db, path, std::filesystem::copy_options::overwrite_existing);
    return path;
  };
  auto problems_of = [&](const std::string& path) {
    auto s = store::OpenSqliteStore(path);
    EXPECT_TRUE(s.ok());
    auto rep = service::VerifyAudit(**s);
    EXPECT_TRUE(rep.ok());
    return rep.ok() ? rep->problems : std::vector<std::string>{"unreadable"};
  };
  const std::string edited = copy_of("edited");
  Tamper(edited, "UPDATE audit SET subject = '1100000000000999' WHERE seq = 3");
  auto problems = problems_of(edited);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("record 3: its content does not match its hash (edited)"), std::string::npos)
      << problems[0];
  EXPECT_EQ(RunProgram({xietong, "audit", "verify", "--db", edited}), 1);

  const std::string middle = copy_of("middle");
  Tamper(middle, "DELETE FROM audit WHERE seq = 2");
  problems = problems_of(middle);
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems[0].find("record 3: expected record 2 (records deleted or inserted)"), std::string::npos)
      << problems[0];
  EXPECT_EQ(RunProgram({xietong, "audit", "verify", "--db", middle}), 1);

  // Only the last record deleted: the chain is whole, but the head names it.
  const std::string tail = copy_of("tail");
  Tamper(tail, "DELETE FROM audit WHERE seq = " + std::to_string(n));
  problems = problems_of(tail);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("records deleted at the end"), std::string::npos) << problems[0];
  EXPECT_EQ(RunProgram({xietong, "audit", "verify", "--db", tail}), 1);

  // The untouched database still verifies, and TearDown checks it again.
  env_->store = std::move(store::OpenSqliteStore(db)).value();
}

}  // namespace
}  // namespace xt::testing
