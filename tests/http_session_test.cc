// Staff sign-in over the real server on 127.0.0.1: the session cookie
// (HttpOnly, SameSite=Strict, Secure only when asked), the session's view
// with its CSRF token, a change refused without that token, wrong passwords
// and the lockout, sign-out, the idle timeout on the test's frozen clock,
// and what each kind of staff account may do with its session: a cashier
// settles over the national interface, a doctor is refused there and reads
// recognised results only for a patient with an open visit, a resident sees
// her own settlements only, an agency its region's.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <set>

#include "http_util.h"
#include "service/audit.h"
#include "service/errors.h"
#include "test_env.h"

namespace xt::testing {
namespace {

using json = nlohmann::json;
using service::CallResult;
using service::Duty;
using service::FlowDriver;
using service::FlowLine;
using service::Role;
using service::Visit;

constexpr const char* kDemoPsn = "1305000000000001";  // insured in Xingtai (130500)
constexpr const char* kCallPath = "/fsi/api/callService";
constexpr const char* kPassword = "correct horse battery";  // sample

// A session as the browser holds it: the cookie's value and the CSRF token
// the session's view gave.
struct Session {
  std::string token;
  std::string csrf;
};

// The xt_session value a Set-Cookie header sets ("" when none).
std::string CookieValue(const std::string& set_cookie) {
  const std::string prefix = std::string(service::kSessionCookie) + "=";
  if (set_cookie.rfind(prefix, 0) != 0) return {};
  return set_cookie.substr(prefix.size(), set_cookie.find(';') - prefix.size());
}

class HttpSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = std::make_unique<Env>(std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".db");
    tianjin_ = &env_->Hospital("120000", 3);
    hebei_ = &env_->Hospital("130000", 3);
  }

  void TearDown() override {
    server_.reset();
    auto audit = service::VerifyAudit(*env_->store);
    ASSERT_TRUE(audit.ok());
    for (const auto& p : audit->problems) ADD_FAILURE() << p;
  }

  void Start() { server_ = std::make_unique<RunningServer>(*env_, TestOptions()); }

  void AddAccount(const std::string& username, Role role, std::optional<Duty> duty, const std::string& scope) {
    auto added = service::AddAccount(env_->store.get(), *env_->ref, service::NewAccount{username, "", role, duty, scope},
                                     kPassword, env_->clock.NowLocal());
    ASSERT_TRUE(added.ok()) << added.status().ToString();
  }

  httplib::Client Client() {
    httplib::Client cli("127.0.0.1", server_->port());
    cli.set_read_timeout(10, 0);
    return cli;
  }

  httplib::Result PostSignIn(const std::string& username, const std::string& password) {
    return Client().Post("/api/v1/session", json{{"username", username}, {"password", password}}.dump(),
                         "application/json");
  }

  // Signs in through the route and reads the session's CSRF token.
  Session SignIn(const std::string& username) {
    auto res = PostSignIn(username, kPassword);
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, 200) << res->body;
    Session s{CookieValue(res->get_header_value("Set-Cookie")), ""};
    if (res->status == 200) s.csrf = json::parse(res->body).value("csrf_token", "");
    EXPECT_EQ(s.token.size(), 64u);
    return s;
  }

  // The headers of a request made in `s` (with its CSRF token unless
  // `csrf` is false).
  static httplib::Headers As(const Session& s, bool csrf = true) {
    httplib::Headers h = {{"Cookie", "theme=dark; " + std::string(service::kSessionCookie) + "=" + s.token}};
    if (csrf) h.emplace("X-CSRF-Token", s.csrf);
    return h;
  }

  httplib::Result Get(const Session& s, const std::string& path) { return Client().Get(path, As(s)); }

  // A hospital's driver whose envelopes go over HTTP in session `s`.
  std::unique_ptr<FlowDriver> DriverIn(const Session& s, service::HospitalClient* client, bool csrf = true) {
    const int port = server_->port();
    return std::make_unique<FlowDriver>(
        [port, s, csrf](const std::string& request) {
          httplib::Client cli("127.0.0.1", port);
          cli.set_read_timeout(10, 0);
          auto res = cli.Post(kCallPath, As(s, csrf), request, "application/json");
          return res ? res->body : std::string();
        },
        client);
  }

  // Registers, uploads and settles one visit in-process (as the local
  // operator); returns its setl_id.
  std::string SettleOne(const registry::Institution& inst, const std::string& psn_no, const std::string& insuplc) {
    auto client = env_->Client(inst);
    FlowDriver drv(env_->processor.get(), &client);
    Visit v{psn_no, "310", insuplc, false, ""};
    EXPECT_EQ(drv.Open(&v, FormatLocalTime(env_->clock.NowLocal())).infcode, 0);
    const auto lines = ClassALines(*env_, inst.admdvs.substr(0, 2) + "0000");
    EXPECT_EQ(drv.Upload(v, lines, FormatLocalTime(env_->clock.NowLocal())).infcode, 0);
    CallResult r = drv.Settle(v, FlowDriver::LineAmountFen(lines[0]), true, false);
    EXPECT_EQ(r.infcode, 0) << r.response;
    return service::OutputString(r.response, {"setlinfo", "setl_id"});
  }

  std::set<std::string> SettlementIds(const Session& s) {
    auto res = Get(s, "/api/v1/settlements");
    EXPECT_TRUE(res);
    std::set<std::string> ids;
    if (!res || res->status != 200) {
      ADD_FAILURE() << (res ? res->body : "no answer");
      return ids;
    }
    const json page = json::parse(res->body);
    for (const auto& one : page["settlements"]) ids.insert(one["setl_id"].get<std::string>());
    return ids;
  }

  std::vector<store::AuditRow> Audit() {
    auto rows = service::ReadAudit(*env_->store, 1, 100000);
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? *rows : std::vector<store::AuditRow>{};
  }

  std::unique_ptr<Env> env_;
  const registry::Institution* tianjin_ = nullptr;
  const registry::Institution* hebei_ = nullptr;
  std::unique_ptr<RunningServer> server_;
};

std::string ErrCode(const httplib::Result& res) { return json::parse(res->body).value("err_code", "?"); }

TEST_F(HttpSessionTest, SignInSetsAStrictHttpOnlyCookieAndTheSessionShowsItsCsrfToken) {
  AddAccount("cashier.li", Role::kHospital, Duty::kCashier, tianjin_->fixmedins_code);
  Start();
  auto res = PostSignIn("cashier.li", kPassword);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const std::string cookie = res->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "not Secure unless asked: " << cookie;
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store");
  const json signed_in = json::parse(res->body);
  EXPECT_EQ(signed_in["username"], "cashier.li");
  EXPECT_EQ(signed_in.dump().find(kPassword), std::string::npos) << "the answer never echoes the password";
  const Session s{CookieValue(cookie), signed_in["csrf_token"]};
  ASSERT_EQ(s.token.size(), 64u);

  auto view = Get(s, "/api/v1/session");
  ASSERT_EQ(view->status, 200) << view->body;
  EXPECT_EQ(view->get_header_value("Cache-Control"), "no-store");
  const json v = json::parse(view->body);
  EXPECT_EQ(v["username"], "cashier.li");
  EXPECT_EQ(v["role"], "hospital");
  EXPECT_EQ(v["duty"], "cashier");
  EXPECT_EQ(v["scope"], tianjin_->fixmedins_code);
  EXPECT_EQ(v["csrf_token"], s.csrf);
  EXPECT_EQ(v["csrf_token"].get<std::string>().size(), 64u);
  EXPECT_EQ(v["idle_timeout_s"], 900);

  // Every answer to a request of the session is kept from caches.
  auto me = Get(s, "/api/v1/me");
  ASSERT_EQ(me->status, 200);
  EXPECT_EQ(me->get_header_value("Cache-Control"), "no-store");
  EXPECT_EQ(json::parse(me->body)["scope"], tianjin_->fixmedins_code);

  // The same server told to mark the cookie Secure (behind TLS).
  server_.reset();
  service::AccountsOptions secure;
  secure.cookie_secure = true;
  env_->accounts = std::make_unique<service::Accounts>(env_->store.get(), &env_->clock, secure);
  Start();
  auto again = PostSignIn("cashier.li", kPassword);
  ASSERT_EQ(again->status, 200);
  EXPECT_NE(again->get_header_value("Set-Cookie").find("; Secure"), std::string::npos);
  EXPECT_EQ(Get(s, "/api/v1/me")->status, 401) << "a restart ends every session";
}

TEST_F(HttpSessionTest, AChangeWithoutTheCsrfTokenIsRefusedAndChangesNothing) {
  AddAccount("cashier.li", Role::kHospital, Duty::kCashier, tianjin_->fixmedins_code);
  AddAccount("doctor.wang", Role::kHospital, Duty::kDoctor, tianjin_->fixmedins_code);
  Start();
  const Session cashier = SignIn("cashier.li");
  auto client = env_->Client(*tianjin_);
  auto drv = DriverIn(cashier, &client);
  ASSERT_EQ(drv->SignIn("li").infcode, 0);
  Visit v{kDemoPsn, "310", "130500", false, ""};
  ASSERT_EQ(drv->Open(&v, FormatLocalTime(env_->clock.NowLocal())).infcode, 0);
  const auto lines = ClassALines(*env_, "120000");
  ASSERT_EQ(drv->Upload(v, lines, FormatLocalTime(env_->clock.NowLocal())).infcode, 0);

  // The settlement, without the token and with another session's.
  const int64_t before = env_->Settlements();
  const size_t audited = Audit().size();
  const Session doctor = SignIn("doctor.wang");
  for (const Session& forged : {Session{cashier.token, ""}, Session{cashier.token, doctor.csrf}}) {
    auto bad = DriverIn(forged, &client, !forged.csrf.empty());
    CallResult refused = bad->Settle(v, FlowDriver::LineAmountFen(lines[0]), true, false);
    EXPECT_EQ(refused.err_code, "XT-AUTH-010") << refused.response;
  }
  httplib::Headers no_token = As(cashier, false);
  auto res = Client().Post(kCallPath, no_token, client.Envelope("9001", R"({"signIn":{"opter_no":"li"}})", ""),
                           "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(json::parse(res->body)["infcode"], -1) << "on the national interface the refusal is an envelope";
  EXPECT_EQ(env_->Settlements(), before) << "nothing settled";
  EXPECT_EQ(Audit().size(), audited + 1) << "only the doctor's sign-in was recorded";

  // A REST change alike; reads need no token.
  auto decide = Client().Post("/api/v1/results/decisions", As(doctor, false), "{}", "application/json");
  EXPECT_EQ(decide->status, 403);
  EXPECT_EQ(ErrCode(decide), "XT-AUTH-010");
  EXPECT_EQ(Client().Get("/api/v1/me", As(cashier, false))->status, 200);

  // With its token, the same settlement goes through, once.
  CallResult settled = drv->Settle(v, FlowDriver::LineAmountFen(lines[0]), true, false);
  ASSERT_EQ(settled.infcode, 0) << settled.response;
  EXPECT_EQ(env_->Settlements(), before + 1);
}

TEST_F(HttpSessionTest, WrongPasswordsAre401AndTheFifthLocksWith429AndRetryAfter) {
  AddAccount("agent.zhao", Role::kAgency, std::nullopt, "130000");
  Start();
  auto unknown = PostSignIn("nobody", kPassword);
  EXPECT_EQ(unknown->status, 401);
  EXPECT_EQ(ErrCode(unknown), "XT-AUTH-008");
  EXPECT_TRUE(unknown->get_header_value("Set-Cookie").empty());
  for (int i = 1; i <= 4; ++i) {
    auto res = PostSignIn("agent.zhao", "wrong password " + std::to_string(i));
    ASSERT_EQ(res->status, 401) << i;
    EXPECT_EQ(ErrCode(res), "XT-AUTH-008") << "the same answer as an unknown name";
    EXPECT_FALSE(res->has_header("Retry-After"));
  }
  auto locking = PostSignIn("agent.zhao", "wrong password 5");
  EXPECT_EQ(locking->status, 429);
  EXPECT_EQ(ErrCode(locking), "XT-AUTH-009");
  EXPECT_EQ(locking->get_header_value("Retry-After"), "900");
  auto locked = PostSignIn("agent.zhao", kPassword);
  EXPECT_EQ(locked->status, 429) << "locked: even the right password is refused";
  EXPECT_EQ(ErrCode(locked), "XT-AUTH-009");
  EXPECT_TRUE(locked->get_header_value("Set-Cookie").empty());
  const int64_t retry = std::stoll(locked->get_header_value("Retry-After"));
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, 900);

  env_->clock.AdvanceMillis((retry + 1) * 1000);
  EXPECT_EQ(PostSignIn("agent.zhao", kPassword)->status, 200) << "the lock is over";

  // A body that is not a sign-in is refused as such.
  auto bad = Client().Post("/api/v1/session", R"({"username": "agent.zhao"})", "application/json");
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(ErrCode(bad), "XT-API-001");
}

TEST_F(HttpSessionTest, SignOutEndsTheSessionAndClearsTheCookie) {
  AddAccount("agent.zhao", Role::kAgency, std::nullopt, "130000");
  Start();
  const Session s = SignIn("agent.zhao");
  ASSERT_EQ(Get(s, "/api/v1/me")->status, 200);
  // Signing out is a change: it needs the token too.
  auto forged = Client().Delete("/api/v1/session", As(s, false));
  EXPECT_EQ(forged->status, 403);
  EXPECT_EQ(ErrCode(forged), "XT-AUTH-010");
  ASSERT_EQ(Get(s, "/api/v1/me")->status, 200) << "still signed in";

  auto out = Client().Delete("/api/v1/session", As(s));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 204);
  const std::string cleared = out->get_header_value("Set-Cookie");
  EXPECT_EQ(CookieValue(cleared), "");
  EXPECT_NE(cleared.find("Max-Age=0"), std::string::npos) << cleared;

  for (const char* path : {"/api/v1/me", "/api/v1/session", "/api/v1/funds"}) {
    auto res = Get(s, path);
    EXPECT_EQ(res->status, 401) << path;
    EXPECT_EQ(ErrCode(res), "XT-AUTH-011") << path;
    EXPECT_NE(res->get_header_value("Set-Cookie").find("Max-Age=0"), std::string::npos) << path;
  }
  // Nor does the old cookie pass for an API key.
  auto none = Client().Get("/api/v1/me");
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(ErrCode(none), "XT-AUTH-001");
}

TEST_F(HttpSessionTest, ASessionUnusedForItsIdleTimeoutHasEnded) {
  AddAccount("res.demo", Role::kResident, std::nullopt, kDemoPsn);
  Start();
  const Session s = SignIn("res.demo");
  const int64_t idle_ms = int64_t{env_->accounts->options().idle_timeout_s} * 1000;
  env_->clock.AdvanceMillis(idle_ms - 1000);
  ASSERT_EQ(Get(s, "/api/v1/me")->status, 200) << "used in time: its idle time starts again";
  env_->clock.AdvanceMillis(idle_ms - 1000);
  ASSERT_EQ(Get(s, "/api/v1/me")->status, 200);
  env_->clock.AdvanceMillis(idle_ms + 1000);
  auto res = Get(s, "/api/v1/me");
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(ErrCode(res), "XT-AUTH-011");
  EXPECT_EQ(Get(s, "/api/v1/session")->status, 401);
}

TEST_F(HttpSessionTest, ACashierSessionSettlesOverTheNationalInterface) {
  AddAccount("cashier.li", Role::kHospital, Duty::kCashier, tianjin_->fixmedins_code);
  Start();
  const Session s = SignIn("cashier.li");
  auto client = env_->Client(*tianjin_);
  auto drv = DriverIn(s, &client);
  ASSERT_EQ(drv->SignIn("li").infcode, 0);
  Visit v{kDemoPsn, "310", "130500", false, ""};
  ASSERT_EQ(drv->Open(&v, FormatLocalTime(env_->clock.NowLocal())).infcode, 0);
  const auto lines = ClassALines(*env_, "120000");
  ASSERT_EQ(drv->Upload(v, lines, FormatLocalTime(env_->clock.NowLocal())).infcode, 0);
  CallResult settled = drv->Settle(v, FlowDriver::LineAmountFen(lines[0]), true, false);
  ASSERT_EQ(settled.infcode, 0) << settled.response;
  const std::string setl_id = service::OutputString(settled.response, {"setlinfo", "setl_id"});
  ASSERT_FALSE(setl_id.empty());

  // The settlement is the cashier's in the audit log, and hers to read.
  bool recorded = false;
  for (const auto& r : Audit()) recorded = recorded || (r.action == "2207" && r.actor == "user:cashier.li");
  EXPECT_TRUE(recorded);
  auto one = Get(s, "/api/v1/settlements/" + setl_id);
  ASSERT_EQ(one->status, 200) << one->body;
  EXPECT_EQ(json::parse(one->body)["fixmedins_code"], tianjin_->fixmedins_code);

  // Another institution's envelope is refused, as for its API key.
  auto other = env_->Client(*hebei_);
  auto foreign = DriverIn(s, &other);
  EXPECT_EQ(foreign->SignIn("li").err_code, "XT-AUTH-004");
  // The recognised results are not a cashier's, and the refusal is recorded.
  auto results = Get(s, std::string("/api/v1/persons/") + kDemoPsn + "/recognised?items=K");
  EXPECT_EQ(results->status, 403);
  EXPECT_EQ(ErrCode(results), "XT-AUTH-017");
  bool refusal = false;
  for (const auto& r : Audit()) {
    refusal = refusal || (r.actor == "user:cashier.li" && r.outcome == "XT-AUTH-017" && r.subject == kDemoPsn);
  }
  EXPECT_TRUE(refusal);
}

TEST_F(HttpSessionTest, ADoctorSessionIsRefusedTheInterfaceAndReadsResultsOnlyWithAnOpenVisit) {
  AddAccount("doctor.wang", Role::kHospital, Duty::kDoctor, tianjin_->fixmedins_code);
  Start();
  const Session s = SignIn("doctor.wang");
  auto client = env_->Client(*tianjin_);
  auto drv = DriverIn(s, &client);
  CallResult refused = drv->SignIn("wang");
  EXPECT_EQ(refused.err_code, "XT-AUTH-017") << refused.response;
  EXPECT_EQ(refused.infcode, -1);
  auto raw = Client().Post(kCallPath, As(s), client.Envelope("9001", R"({"signIn":{"opter_no":"wang"}})", ""),
                           "application/json");
  EXPECT_EQ(raw->status, 200) << "an envelope refusal, answered 200 as every envelope answer";
  EXPECT_EQ(raw->get_header_value("Cache-Control"), "no-store");
  // An API key, when the request shows one, is the credential, whatever
  // session cookie comes with it: the hospital's system may sign in.
  httplib::Headers both = As(s);
  both.emplace("Authorization", "Bearer " + env_->Key(Role::kHospital, tianjin_->fixmedins_code));
  auto by_key = Client().Post(kCallPath, both, client.Envelope("9001", R"({"signIn":{"opter_no":"his"}})", ""),
                              "application/json");
  ASSERT_TRUE(by_key);
  EXPECT_EQ(json::parse(by_key->body)["infcode"], 0) << by_key->body;
  EXPECT_FALSE(by_key->has_header("Cache-Control")) << "not a session's answer";
  for (const char* path : {"/api/v1/settlements", "/api/v1/clearing/months"}) {
    auto res = Get(s, path);
    EXPECT_EQ(res->status, 403) << path;
    EXPECT_EQ(ErrCode(res), "XT-AUTH-017") << path;
  }
  EXPECT_EQ(Get(s, "/api/v1/results/statistics")->status, 200);

  const std::string path = std::string("/api/v1/persons/") + kDemoPsn + "/recognised?items=K";
  auto before = Get(s, path);
  EXPECT_EQ(before->status, 403) << "no open visit of the patient here yet: " << before->body;
  {
    auto local = env_->Client(*tianjin_);
    FlowDriver reg(env_->processor.get(), &local);
    Visit open{kDemoPsn, "310", "130500", false, ""};
    ASSERT_EQ(reg.Open(&open, FormatLocalTime(env_->clock.NowLocal())).infcode, 0);
  }
  auto after = Get(s, path);
  EXPECT_EQ(after->status, 200) << after->body;
  bool looked = false;
  for (const auto& r : Audit()) looked = looked || (r.actor == "user:doctor.wang" && r.subject == kDemoPsn);
  EXPECT_TRUE(looked) << "the doctor's look is recorded under her name";
}

TEST_F(HttpSessionTest, AResidentSeesHerOwnSettlementsAndAnAgencyItsRegions) {
  const auto other = InsuredIn(*env_, "110000", kDemoPsn);
  const std::string mine = SettleOne(*tianjin_, kDemoPsn, "130500");      // Hebei-insured, treated in Tianjin
  const std::string theirs = SettleOne(*hebei_, other.first, other.second);  // Beijing-insured, treated in Hebei
  const std::string local = SettleOne(*tianjin_, other.first, other.second);  // Beijing-insured, treated in Tianjin
  AddAccount("res.demo", Role::kResident, std::nullopt, kDemoPsn);
  AddAccount("agent.he", Role::kAgency, std::nullopt, "130000");
  AddAccount("agent.bj", Role::kAgency, std::nullopt, "110000");
  Start();

  const Session resident = SignIn("res.demo");
  EXPECT_EQ(SettlementIds(resident), std::set<std::string>{mine});
  EXPECT_EQ(Get(resident, "/api/v1/settlements/" + mine)->status, 200);
  EXPECT_EQ(Get(resident, "/api/v1/settlements/" + theirs)->status, 404);
  EXPECT_EQ(Get(resident, "/api/v1/settlements?psn_no=" + other.first)->status, 403);
  EXPECT_EQ(Get(resident, std::string("/api/v1/persons/") + other.first + "/settlements")->status, 403);

  const Session hebei = SignIn("agent.he");
  EXPECT_EQ(SettlementIds(hebei), (std::set<std::string>{mine, theirs})) << "insured in or treated in Hebei";
  EXPECT_EQ(Get(hebei, "/api/v1/settlements/" + local)->status, 404);
  EXPECT_EQ(Get(hebei, "/api/v1/settlements?region=110000")->status, 403);
  const Session beijing = SignIn("agent.bj");
  EXPECT_EQ(SettlementIds(beijing), (std::set<std::string>{theirs, local}));
  // Funds: Hebei's agency sees Hebei's, which paid the demo patient's share.
  auto funds = Get(hebei, "/api/v1/funds");
  ASSERT_EQ(funds->status, 200);
  const json hebei_funds = json::parse(funds->body)["funds"];
  EXPECT_FALSE(hebei_funds.empty());
  for (const auto& f : hebei_funds) {
    EXPECT_EQ(f["account"].get<std::string>().rfind("fund:13", 0), 0u) << "Hebei's funds only: " << f.dump();
  }
  EXPECT_EQ(Get(beijing, "/api/v1/funds?region=130000")->status, 403);
}

}  // namespace
}  // namespace xt::testing
