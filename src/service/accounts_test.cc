// Staff accounts and sessions on a real SQLite file and a frozen clock:
// the password hash round trip, the policy, lockout and its end, the idle
// timeout, a disabled or reset account, CSRF, and one answer for an
// unknown name and a wrong password.
#include "service/accounts.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "core/crypto.h"
#include "service/audit.h"

namespace xt::service {
namespace {

constexpr char kPassword[] = "correct horse battery";
constexpr char kHospital[] = "H12010300001";  // the demo hospital of data/

// One database for the whole suite (initialising data/ takes a while);
// each test uses account names of its own.
class AccountsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto dir = std::filesystem::temp_directory_path() / ("xt-accounts-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "accounts.db").string();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    auto s = store::OpenSqliteStore(path);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value().release();
    FixedClock clock(*ParseLocalTime("2026-11-20 10:00:00"));
    Status st = InitDatabase(*store_, std::string(XT_SOURCE_DIR) + "/data", clock, nullptr);
    ASSERT_TRUE(st.ok()) << st.ToString();
    auto r = LoadRefData(*store_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ref_ = std::move(r).value().release();
  }
  static void TearDownTestSuite() {
    delete ref_;
    delete store_;
  }

  void SetUp() override {
    clock_ = std::make_unique<FixedClock>(*ParseLocalTime("2026-11-20 10:00:00"));
    accounts_ = std::make_unique<Accounts>(store_, clock_.get());
  }

  store::StaffAccountRow Add(const std::string& name, Role role, const std::string& scope,
                        std::optional<Duty> duty = std::nullopt) {
    auto row = AddAccount(store_, *ref_, NewAccount{name, "", role, duty, scope}, kPassword, clock_->NowLocal());
    EXPECT_TRUE(row.ok()) << row.status().ToString();
    return row.ok() ? *row : store::StaffAccountRow{};
  }

  std::optional<store::StaffAccountRow> Row(const std::string& name) {
    std::optional<store::StaffAccountRow> row;
    EXPECT_TRUE(store_->Read([&](store::ReadTxn& txn) -> Status {
                         XT_ASSIGN_OR_RETURN(row, txn.accounts().FindAccount(name));
                         return Status::Ok();
                       }).ok());
    return row;
  }

  std::string SignInCode(const std::string& name, const std::string& password, int64_t* retry = nullptr) {
    int64_t r = 0;
    auto s = accounts_->SignIn(name, password, &r);
    if (retry) *retry = r;
    return s.ok() ? "ok" : s.status().code();
  }

  std::vector<store::AuditRow> AuditOf(const std::string& subject) {
    auto rows = ReadAudit(*store_, 1, 100000);
    EXPECT_TRUE(rows.ok());
    std::vector<store::AuditRow> out;
    for (const auto& r : *rows) {
      if (r.subject == subject) out.push_back(r);
    }
    return out;
  }

  static inline store::Store* store_ = nullptr;
  static inline RefData* ref_ = nullptr;
  std::unique_ptr<FixedClock> clock_;
  std::unique_ptr<Accounts> accounts_;
};

TEST(PasswordHash, RoundTripsAndRefusesAnotherPassword) {
  std::string hash;
  ASSERT_TRUE(crypto::PasswordHash(kPassword, &hash));
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
  EXPECT_NE(hash.find("m=65536,t=2,p=1"), std::string::npos) << "MEMLIMIT/OPSLIMIT_INTERACTIVE: " << hash;
  EXPECT_TRUE(crypto::PasswordVerify(hash, kPassword));
  EXPECT_FALSE(crypto::PasswordVerify(hash, "correct horse battery!"));
  EXPECT_FALSE(crypto::PasswordVerify(hash, ""));
  EXPECT_FALSE(crypto::PasswordVerify("not a hash", kPassword));
  std::string again;
  ASSERT_TRUE(crypto::PasswordHash(kPassword, &again));
  EXPECT_NE(hash, again) << "each hash has its own salt";
}

TEST(PasswordPolicy, AtLeastTenCharacters) {
  EXPECT_EQ(CheckPasswordPolicy("short-9ch").code(), "XT-AUTH-012");
  EXPECT_TRUE(CheckPasswordPolicy("exactly-10").ok());
  EXPECT_TRUE(CheckPasswordPolicy("密码密码密码密码密码").ok()) << "ten characters, counted as characters";
  EXPECT_EQ(NewRandomPassword().size(), 20u);
  EXPECT_TRUE(CheckPasswordPolicy(NewRandomPassword()).ok());
}

TEST_F(AccountsTest, AddListAndRefuseWhatIsWrong) {
  const store::StaffAccountRow row = Add("cashier-a", Role::kHospital, kHospital, Duty::kCashier);
  EXPECT_EQ(row.role, "hospital");
  EXPECT_EQ(row.duty, "cashier");
  EXPECT_EQ(row.display_name, "cashier-a");
  auto stored = Row("cashier-a");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->password_hash.rfind("$argon2id$", 0), 0u) << "only the hash is stored";
  EXPECT_EQ(stored->password_hash.find(kPassword), std::string::npos);

  const LocalSeconds now = clock_->NowLocal();
  auto code = [&](NewAccount a, const char* password = kPassword) {
    auto r = AddAccount(store_, *ref_, a, password, now);
    return r.ok() ? std::string("ok") : r.status().code();
  };
  EXPECT_EQ(code({"cashier-a", "", Role::kHospital, Duty::kCashier, kHospital}), "XT-AUTH-013") << "name taken";
  EXPECT_EQ(code({"Upper", "", Role::kAgency, std::nullopt, "130000"}), "XT-AUTH-015");
  EXPECT_EQ(code({"h-noduty", "", Role::kHospital, std::nullopt, kHospital}), "XT-AUTH-015");
  EXPECT_EQ(code({"a-duty", "", Role::kAgency, Duty::kDoctor, "130000"}), "XT-AUTH-015");
  EXPECT_EQ(code({"h-nowhere", "", Role::kHospital, Duty::kDoctor, "H00000000000"}), "XT-AUTH-015");
  EXPECT_EQ(code({"a-weak", "", Role::kAgency, std::nullopt, "130000"}, "123456789"), "XT-AUTH-012");
  EXPECT_FALSE(Row("a-weak")) << "nothing stored for a refusal";

  auto all = ListAccounts(store_);
  ASSERT_TRUE(all.ok());
  bool listed = false;
  for (const auto& a : *all) listed = listed || a.username == "cashier-a";
  EXPECT_TRUE(listed);
  auto audit = AuditOf("cashier-a");
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit[0].action, "account add");
  EXPECT_EQ(audit[0].actor, "local");
  EXPECT_EQ(audit[0].detail, "hospital H12010300001 cashier");
}

TEST_F(AccountsTest, SignInGivesTheCallerOfTheAccount) {
  Add("doctor-b", Role::kHospital, kHospital, Duty::kDoctor);
  int64_t retry = 0;
  auto s = accounts_->SignIn("doctor-b", kPassword, &retry);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->token.size(), 64u) << "256 random bits";
  EXPECT_EQ(s->session.csrf_token.size(), 64u);
  EXPECT_NE(s->token, s->session.csrf_token);
  auto caller = accounts_->Authenticate(s->token, false, "");
  ASSERT_TRUE(caller.ok());
  EXPECT_EQ(caller->role, Role::kHospital);
  EXPECT_EQ(caller->scope, kHospital);
  EXPECT_EQ(caller->duty, Duty::kDoctor);
  EXPECT_EQ(caller->actor(), "user:doctor-b");
  EXPECT_EQ(s->session.Json(),
            R"({"username":"doctor-b","display_name":"doctor-b","role":"hospital","duty":"doctor",)"
            R"("scope":"H12010300001","csrf_token":")" + s->session.csrf_token + R"(","idle_timeout_s":900})");
  auto audit = AuditOf("doctor-b");
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[1].action, "session start");
  EXPECT_EQ(audit[1].actor, "user:doctor-b");
  EXPECT_EQ(audit[1].outcome, "ok");
}

TEST_F(AccountsTest, UnknownNameAndWrongPasswordGetOneAnswer) {
  Add("agency-c", Role::kAgency, "130000");
  int64_t r1 = 0, r2 = 0;
  auto wrong = accounts_->SignIn("agency-c", "not the password", &r1);
  auto unknown = accounts_->SignIn("nobody-here", kPassword, &r2);
  ASSERT_FALSE(wrong.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(wrong.status().code(), "XT-AUTH-008");
  EXPECT_EQ(unknown.status().code(), wrong.status().code());
  EXPECT_EQ(unknown.status().message(), wrong.status().message());
  // Both pay one Argon2id verification: an unknown name is not answered
  // at once (a hash check takes tens of milliseconds here).
  auto time = [&](const char* name, const char* password) {
    const auto t0 = std::chrono::steady_clock::now();
    int64_t r = 0;
    (void)accounts_->SignIn(name, password, &r);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  };
  double unknown_ms = 1e9, wrong_ms = 1e9;
  for (int i = 0; i < 3; ++i) {
    unknown_ms = std::min(unknown_ms, time("nobody-here", kPassword));
    wrong_ms = std::min(wrong_ms, time("agency-c", "not the password"));
  }
  EXPECT_GT(unknown_ms, wrong_ms * 0.5) << "unknown " << unknown_ms << " ms, wrong " << wrong_ms << " ms";
  EXPECT_GT(wrong_ms, unknown_ms * 0.5) << "unknown " << unknown_ms << " ms, wrong " << wrong_ms << " ms";
}

TEST_F(AccountsTest, FiveFailuresLockForFifteenMinutesAndASuccessResetsTheCount) {
  Add("agency-d", Role::kAgency, "120000");
  // Four failures, then a success: the count starts again.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(SignInCode("agency-d", "wrong password"), "XT-AUTH-008");
  EXPECT_EQ(Row("agency-d")->failed_attempts, 4);
  EXPECT_EQ(SignInCode("agency-d", kPassword), "ok");
  EXPECT_EQ(Row("agency-d")->failed_attempts, 0);
  // Five in a row lock it: the fifth says so, and the right password is
  // refused too until the lock ends.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(SignInCode("agency-d", "wrong password"), "XT-AUTH-008");
  int64_t retry = 0;
  EXPECT_EQ(SignInCode("agency-d", "wrong password", &retry), "XT-AUTH-009");
  EXPECT_EQ(retry, 15 * 60);
  clock_->Set(clock_->NowLocal() + 10 * 60);
  EXPECT_EQ(SignInCode("agency-d", kPassword, &retry), "XT-AUTH-009");
  EXPECT_EQ(retry, 5 * 60);
  clock_->Set(clock_->NowLocal() + 5 * 60);
  EXPECT_EQ(SignInCode("agency-d", kPassword), "ok") << "the lock has ended";
  bool lock_audited = false;
  for (const auto& r : AuditOf("agency-d")) lock_audited = lock_audited || r.action == "account lock";
  EXPECT_TRUE(lock_audited);
}

TEST_F(AccountsTest, SessionsEndWhenIdleTooLongOrSignedOut) {
  Add("admin-e", Role::kAdmin, "*");
  int64_t retry = 0;
  auto s = accounts_->SignIn("admin-e", kPassword, &retry);
  ASSERT_TRUE(s.ok());
  clock_->AdvanceMillis(14 * 60 * 1000);
  ASSERT_TRUE(accounts_->Authenticate(s->token, false, "").ok()) << "used within 15 minutes";
  clock_->AdvanceMillis(14 * 60 * 1000);
  ASSERT_TRUE(accounts_->Authenticate(s->token, false, "").ok()) << "the idle time restarted";
  clock_->AdvanceMillis(15 * 60 * 1000 + 1);
  EXPECT_EQ(accounts_->Authenticate(s->token, false, "").status().code(), "XT-AUTH-011");
  EXPECT_EQ(accounts_->Find(s->token).status().code(), "XT-AUTH-011") << "and stays ended";

  auto t = accounts_->SignIn("admin-e", kPassword, &retry);
  ASSERT_TRUE(t.ok());
  accounts_->End(t->token);
  EXPECT_EQ(accounts_->Authenticate(t->token, false, "").status().code(), "XT-AUTH-011");
  EXPECT_EQ(accounts_->Authenticate("", false, "").status().code(), "XT-AUTH-011");
  EXPECT_EQ(accounts_->Authenticate(std::string(64, 'a'), false, "").status().code(), "XT-AUTH-011");
}

TEST_F(AccountsTest, ChangesNeedTheSessionsCsrfToken) {
  Add("resident-f", Role::kResident, "1305000000000001");
  int64_t retry = 0;
  auto s = accounts_->SignIn("resident-f", kPassword, &retry);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(accounts_->Authenticate(s->token, false, "").ok()) << "a read needs none";
  EXPECT_EQ(accounts_->Authenticate(s->token, true, "").status().code(), "XT-AUTH-010");
  std::string other = s->session.csrf_token;
  other.back() = other.back() == '0' ? '1' : '0';
  EXPECT_EQ(accounts_->Authenticate(s->token, true, other).status().code(), "XT-AUTH-010");
  EXPECT_TRUE(accounts_->Authenticate(s->token, true, s->session.csrf_token).ok());
}

TEST_F(AccountsTest, DisabledAccountsCannotSignInAndTheirSessionsEnd) {
  Add("agency-g", Role::kAgency, "110000");
  int64_t retry = 0;
  auto s = accounts_->SignIn("agency-g", kPassword, &retry);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(DisableAccount(store_, "agency-g", clock_->NowLocal()).ok());
  EXPECT_EQ(SignInCode("agency-g", kPassword), "XT-AUTH-008") << "the same answer as a wrong password";
  EXPECT_EQ(DisableAccount(store_, "nobody-at-all", clock_->NowLocal()).code(), "XT-AUTH-014");
  // The session notices within recheck_s (5 s).
  clock_->AdvanceMillis(5000);
  EXPECT_EQ(accounts_->Authenticate(s->token, false, "").status().code(), "XT-AUTH-011");
  // A reset keeps it disabled.
  ASSERT_TRUE(ResetPassword(store_, "agency-g", "another password", clock_->NowLocal()).ok());
  EXPECT_EQ(SignInCode("agency-g", "another password"), "XT-AUTH-008");
  std::vector<std::string> actions;
  for (const auto& r : AuditOf("agency-g")) actions.push_back(r.action);
  EXPECT_NE(std::find(actions.begin(), actions.end(), "account disable"), actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "account reset"), actions.end());
}

TEST_F(AccountsTest, ResetChangesThePasswordUnlocksAndEndsSessions) {
  Add("agency-h", Role::kAgency, "130000");
  int64_t retry = 0;
  auto s = accounts_->SignIn("agency-h", kPassword, &retry);
  ASSERT_TRUE(s.ok());
  for (int i = 0; i < 5; ++i) (void)SignInCode("agency-h", "wrong password");
  EXPECT_EQ(SignInCode("agency-h", kPassword), "XT-AUTH-009");
  EXPECT_EQ(ResetPassword(store_, "agency-h", "too-short", clock_->NowLocal()).code(), "XT-AUTH-012");
  EXPECT_EQ(ResetPassword(store_, "nobody-at-all", "long enough pw", clock_->NowLocal()).code(), "XT-AUTH-014");
  clock_->AdvanceMillis(1000);
  ASSERT_TRUE(ResetPassword(store_, "agency-h", "a new password", clock_->NowLocal()).ok());
  EXPECT_EQ(SignInCode("agency-h", kPassword), "XT-AUTH-008") << "the old password is gone";
  EXPECT_EQ(SignInCode("agency-h", "a new password"), "ok") << "unlocked";
  clock_->AdvanceMillis(5000);
  EXPECT_EQ(accounts_->Authenticate(s->token, false, "").status().code(), "XT-AUTH-011")
      << "a session opened before the reset has ended";
}

TEST_F(AccountsTest, AnAccountKeepsAtMostItsBoundOfSessions) {
  Add("agency-i", Role::kAgency, "120000");
  AccountsOptions o;
  o.sessions_per_account_max = 2;
  Accounts accounts(store_, clock_.get(), o);
  int64_t retry = 0;
  std::vector<std::string> tokens;
  for (int i = 0; i < 3; ++i) {
    auto s = accounts.SignIn("agency-i", kPassword, &retry);
    ASSERT_TRUE(s.ok());
    tokens.push_back(s->token);
    clock_->AdvanceMillis(1);
  }
  EXPECT_EQ(accounts.Authenticate(tokens[0], false, "").status().code(), "XT-AUTH-011") << "the oldest ended";
  EXPECT_TRUE(accounts.Authenticate(tokens[1], false, "").ok());
  EXPECT_TRUE(accounts.Authenticate(tokens[2], false, "").ok());
  EXPECT_EQ(accounts.open_sessions(), 2u);
}

TEST_F(AccountsTest, ProvideMakesTheAccountAgainEnabledAndUnlocked) {
  Add("agency-j", Role::kAgency, "130000");
  ASSERT_TRUE(DisableAccount(store_, "agency-j", clock_->NowLocal()).ok());
  auto row = ProvideAccount(store_, *ref_, NewAccount{"agency-j", "Hebei clerk", Role::kAgency, std::nullopt, "120000"},
                            "the demo password", clock_->NowLocal());
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  auto stored = Row("agency-j");
  EXPECT_FALSE(stored->disabled);
  EXPECT_EQ(stored->scope, "120000");
  EXPECT_EQ(stored->display_name, "Hebei clerk");
  EXPECT_EQ(SignInCode("agency-j", "the demo password"), "ok");
}

}  // namespace
}  // namespace xt::service
