// Staff accounts and their browser sessions: the people who use the web
// application (a hospital's cashiers and doctors, agencies, residents,
// operators) sign in with a user name and password and become the same
// Caller (role, scope) an API key gives, plus their duty and name.
//
// Accounts are stored (store::StaffAccountRow): the password only as its
// Argon2id hash (core/crypto.h), with the count of failed sign-ins in a
// row and the time a lock ends. Adding, disabling, resetting and locking
// an account, and every sign-in, leave an audit record in the same
// transaction. Sessions are kept in memory by the serving process (an
// opaque random token in a cookie; docs/security.md says why not in the
// database): they end when idle too long, at sign-out, when their account
// is disabled or reset, and when the server restarts.
//
// The numbers (5 failures lock for 15 minutes, 15 minutes idle, 10
// characters at least) are sample values, set in AccountsOptions.
//
// Thread-safety: the free functions may run from any thread; an Accounts
// is safe to share between threads. `store` and `clock` must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "service/api_reply.h"
#include "service/caller.h"
#include "service/refdata.h"
#include "store/store.h"

namespace xt::service {

// Sample values, not a policy anyone decided (docs/security.md).
struct AccountsOptions {
  int idle_timeout_s = 15 * 60;      // a session unused this long has ended
  int lifetime_s = 12 * 3600;        // and any session this old, used or not
  int failures_max = 5;              // failed sign-ins in a row that lock the account
  int lock_s = 15 * 60;              // for this long
  // How long a session trusts what it read of its account before reading
  // it again: a disable or reset from the command line ends the account's
  // sessions within this time.
  int recheck_s = 5;
  size_t sessions_max = 50000;            // open sessions of the server; beyond, sign-in is refused
  size_t sessions_per_account_max = 10;   // beyond, the account's oldest session ends
  // Argon2id checks at once (each holds 64 MiB); a sign-in that waits
  // longer than password_wait_ms for its turn is refused (XT-AUTH-016).
  int password_checks_max = 2;
  int password_wait_ms = 3000;
  // Set-Cookie with Secure: required behind TLS (serve --cookie-secure);
  // off by default because the server itself speaks plain HTTP on loopback.
  bool cookie_secure = false;

  // XT-AUTH-015 when a value is out of its range.
  Status Validate() const;
};

inline constexpr size_t kPasswordCharsMin = 10;   // sample policy (characters, not bytes)
inline constexpr size_t kPasswordBytesMax = 1024;
inline constexpr size_t kUsernameBytesMax = 64;
inline constexpr size_t kDisplayNameBytesMax = 100;
inline constexpr char kSessionCookie[] = "xt_session";
inline constexpr char kCsrfHeader[] = "x-csrf-token";  // as the server's lowercased header names

struct NewAccount {
  std::string username;      // 1-64 of a-z 0-9 . _ -, starting with a letter or digit
  std::string display_name;  // empty: the user name
  Role role = Role::kHospital;
  std::optional<Duty> duty;  // cashier or doctor: required for role hospital, refused for others
  std::string scope;         // as an API key's (credentials.h CheckScope)
};

// Ok when the password is long enough (XT-AUTH-012 otherwise).
Status CheckPasswordPolicy(std::string_view password);
// A password to hand to someone: 20 characters without look-alikes.
std::string NewRandomPassword();

// Adds an account (XT-AUTH-013 when the name is taken, XT-AUTH-015 when a
// field is wrong, XT-AUTH-012 for a weak password). Audited with `by` as the
// actor: the operator of a REST call, "local" at the command line.
Result<store::StaffAccountRow> AddAccount(store::Store* store, const RefData& ref, const NewAccount& account,
                                     std::string_view password, LocalSeconds now, const Caller& by = Caller::Local());
// Disables an account (XT-AUTH-014 when there is none): it can no longer
// sign in, and its sessions end within AccountsOptions::recheck_s.
Status DisableAccount(store::Store* store, const std::string& username, LocalSeconds now,
                      const Caller& by = Caller::Local());
// A new password; the failure count and any lock are cleared, and the
// account's sessions end. A disabled account stays disabled.
Status ResetPassword(store::Store* store, const std::string& username, std::string_view password, LocalSeconds now,
                     const Caller& by = Caller::Local());
// Adds the account, or when it exists makes it exactly `account` again
// (role, duty, scope, display name), enabled, unlocked, with `password`
// (the demo accounts of `serve --demo-credentials`). Audited.
Result<store::StaffAccountRow> ProvideAccount(store::Store* store, const RefData& ref, const NewAccount& account,
                                         std::string_view password, LocalSeconds now);
Result<std::vector<store::StaffAccountRow>> ListAccounts(store::Store* store);

// A live session as the pages see it.
struct SessionView {
  std::string username;
  std::string display_name;
  Caller caller;  // role, scope, duty and account name
  std::string csrf_token;
  int idle_timeout_s = 0;

  // {"username","display_name","role","duty","scope","csrf_token","idle_timeout_s"}
  std::string Json() const;
};

class Accounts {
 public:
  Accounts(store::Store* store, const Clock* clock, AccountsOptions options = {});
  Accounts(const Accounts&) = delete;
  Accounts& operator=(const Accounts&) = delete;

  struct SignedIn {
    std::string token;  // the cookie's value: give it to the browser, it is not kept
    SessionView session;
  };
  // Checks the password (in constant time, against a stand-in hash when the
  // name is unknown, so that both take the same time) and opens a session.
  // XT-AUTH-008 for a wrong name or password and a disabled account alike;
  // XT-AUTH-009 while the account is locked (*retry_after_s: until when),
  // also for the failure that locks it; XT-AUTH-016 when the server is
  // too busy or full.
  Result<SignedIn> SignIn(std::string_view username, std::string_view password, int64_t* retry_after_s);

  // The caller of a session cookie's token, its idle time restarted. For a
  // request that changes something (`changes`), `csrf_token` must be the
  // session's (XT-AUTH-010). XT-AUTH-011 when there is no such session or
  // it has ended (idle, too old, signed out, account disabled or reset).
  Result<Caller> Authenticate(std::string_view token, bool changes, std::string_view csrf_token);
  // The session itself (for GET /api/v1/session); XT-AUTH-011 as above.
  Result<SessionView> Find(std::string_view token);
  // Ends the session (nothing when there is none).
  void End(std::string_view token);
  size_t open_sessions();

  // The REST use cases of /api/v1/session. `token` is the session cookie's
  // value as the request carried it (empty when none).
  ApiReply SignInReply(const std::string& body, std::string_view token);  // POST
  ApiReply SessionReply(std::string_view token);                          // GET
  ApiReply SignOutReply(std::string_view token);                          // DELETE

  // Set-Cookie values: the session's cookie, and one that clears it.
  std::string SetCookie(std::string_view token) const;
  std::string ClearCookie() const;
  const AccountsOptions& options() const { return options_; }

 private:
  struct Session {
    std::string username;
    std::string display_name;
    Caller caller;
    std::string csrf_token;
    LocalSeconds account_changed = 0;  // the row's `changed` when opened: a later change ends the session
    int64_t opened_ms = 0;
    int64_t last_seen_ms = 0;
    int64_t checked_ms = 0;  // when the account row was last read
  };
  // The session of `token` (by its hash), live and touched; XT-AUTH-011.
  Result<Session> Touch(std::string_view token, bool changes, std::string_view csrf_token);
  Status Open(const store::StaffAccountRow& row, SignedIn* out);
  const std::string& StandInHash();

  store::Store* store_;
  const Clock* clock_;
  const AccountsOptions options_;
  std::counting_semaphore<64> password_checks_;
  std::once_flag stand_in_once_;
  std::string stand_in_hash_;
  std::mutex mu_;
  std::unordered_map<std::string, Session> sessions_;  // by BLAKE2b of the token; guarded by mu_
};

}  // namespace xt::service
