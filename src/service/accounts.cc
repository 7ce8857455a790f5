// Staff accounts and sessions (accounts.h).
#include "service/accounts.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/json_writer.h"
#include "service/credentials.h"
#include "service/errors.h"

namespace xt::service {

namespace {

using json = nlohmann::json;

constexpr size_t kSessionTokenBytes = 32;  // 256 random bits, as hex in the cookie
constexpr size_t kCsrfTokenBytes = 32;
constexpr size_t kRandomPasswordChars = 20;

// Characters of UTF-8 text (code points), for the password's length.
size_t Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool ValidUsername(std::string_view name) {
  if (name.empty() || name.size() > kUsernameBytesMax) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front())) return false;
  for (char c : name) {
    if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

std::string DutyOfRow(const NewAccount& a) { return a.duty ? std::string(DutyName(*a.duty)) : std::string(); }

Status CheckAccount(store::Store* store, const RefData& ref, const NewAccount& a) {
  if (!ValidUsername(a.username)) {
    return err::BadAccount("a user name is 1 to 64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit");
  }
  if (a.display_name.size() > kDisplayNameBytesMax) return err::BadAccount("the display name is longer than 100 bytes");
  if (a.role == Role::kLocal) return err::BadAccount("the role must be hospital, agency, resident or admin");
  if (a.role == Role::kHospital && (!a.duty || *a.duty == Duty::kSystem)) {
    return err::BadAccount("a hospital account needs a duty: cashier or doctor");
  }
  if (a.role != Role::kHospital && a.duty) return err::BadAccount("only hospital accounts have a duty");
  Status scope = CheckScope(store, ref, a.role, a.scope);
  if (!scope.ok()) return err::BadAccount(scope.message());
  return Status::Ok();
}

Result<std::string> Hash(std::string_view password) {
  std::string hash;
  if (!crypto::PasswordHash(password, &hash)) {
    return Status::Error("XT-INT-001", "internal error", "crypto_pwhash_str failed (out of memory?)");
  }
  return hash;
}

store::AuditRow AuditBy(const Caller& by, LocalSeconds now, const char* action, const std::string& subject,
                        std::string detail) {
  return store::AuditRow{0, now, by.actor(), std::string(RoleName(by.role)), action, subject, "ok", std::move(detail),
                         "", ""};
}

// The `changed` of a change that must end the account's sessions: later
// than the one they were opened under even when both fall in one second
// (a reset moments after a sign-in), since a session compares them.
LocalSeconds ChangedAt(const store::StaffAccountRow& a, LocalSeconds now) { return std::max(now, a.changed + 1); }

std::string Describe(const store::StaffAccountRow& a) {
  return a.role + " " + a.scope + (a.duty.empty() ? "" : " " + a.duty);
}

}  // namespace

std::string_view DutyName(Duty duty) {
  switch (duty) {
    case Duty::kSystem: return "system";
    case Duty::kCashier: return "cashier";
    case Duty::kDoctor: return "doctor";
  }
  return "system";
}

std::optional<Duty> ParseStaffDuty(std::string_view name) {
  if (name == "cashier") return Duty::kCashier;
  if (name == "doctor") return Duty::kDoctor;
  return std::nullopt;
}

Status AccountsOptions::Validate() const {
  auto bad = [](const char* what) { return err::BadAccount(std::string("invalid session option: ") + what); };
  if (idle_timeout_s < 60 || idle_timeout_s > 86400) return bad("idle_timeout_s must be 60..86400");
  if (lifetime_s < idle_timeout_s || lifetime_s > 7 * 86400) return bad("lifetime_s must be idle_timeout_s..7 days");
  if (failures_max < 1 || failures_max > 100) return bad("failures_max must be 1..100");
  if (lock_s < 1 || lock_s > 86400) return bad("lock_s must be 1..86400");
  if (recheck_s < 1 || recheck_s > 3600) return bad("recheck_s must be 1..3600");
  if (sessions_max < 1 || sessions_max > 10'000'000) return bad("sessions_max must be 1..10000000");
  if (sessions_per_account_max < 1 || sessions_per_account_max > 1000) return bad("sessions_per_account_max must be 1..1000");
  if (password_checks_max < 1 || password_checks_max > 64) return bad("password_checks_max must be 1..64");
  if (password_wait_ms < 1 || password_wait_ms > 60000) return bad("password_wait_ms must be 1..60000");
  return Status::Ok();
}

Status CheckPasswordPolicy(std::string_view password) {
  if (Utf8Chars(password) < kPasswordCharsMin) return err::WeakPassword(kPasswordCharsMin);
  if (password.size() > kPasswordBytesMax) return err::BadAccount("the password is longer than 1024 bytes");
  return Status::Ok();
}

std::string NewRandomPassword() { return crypto::RandomPassword(kRandomPasswordChars); }

// A new account's row, once its details and password pass the checks.
static Result<store::StaffAccountRow> CheckedRow(store::Store* store, const RefData& ref, const NewAccount& a,
                                                 std::string_view password, LocalSeconds now) {
  XT_RETURN_IF_ERROR(CheckAccount(store, ref, a));
  XT_RETURN_IF_ERROR(CheckPasswordPolicy(password));
  store::StaffAccountRow row;
  row.username = a.username;
  row.display_name = a.display_name.empty() ? a.username : a.display_name;
  row.role = std::string(RoleName(a.role));
  row.duty = DutyOfRow(a);
  row.scope = a.scope;
  XT_ASSIGN_OR_RETURN(row.password_hash, Hash(password));
  row.created = now;
  row.changed = now;
  return row;
}

Result<store::StaffAccountRow> AddAccount(store::Store* store, const RefData& ref, const NewAccount& a,
                                     std::string_view password, LocalSeconds now, const Caller& by) {
  XT_ASSIGN_OR_RETURN(store::StaffAccountRow row, CheckedRow(store, ref, a, password, now));
  XT_RETURN_IF_ERROR(store->Write([&](store::WriteTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(auto existing, txn.accounts().FindAccount(row.username));
    if (existing) return err::AccountNameTaken(row.username);
    XT_RETURN_IF_ERROR(txn.accounts().PutAccount(row));
    return txn.AppendAudit(AuditBy(by, now, "account add", row.username, Describe(row)));
  }));
  return row;
}

Status DisableAccount(store::Store* store, const std::string& username, LocalSeconds now, const Caller& by) {
  return store->Write([&](store::WriteTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(auto row, txn.accounts().FindAccount(username));
    if (!row) return err::NoSuchAccount(username);
    if (row->disabled) return Status::Ok();
    row->disabled = true;
    row->changed = ChangedAt(*row, now);
    XT_RETURN_IF_ERROR(txn.accounts().PutAccount(*row));
    return txn.AppendAudit(AuditBy(by, now, "account disable", username, Describe(*row)));
  });
}

Status ResetPassword(store::Store* store, const std::string& username, std::string_view password, LocalSeconds now,
                     const Caller& by) {
  XT_RETURN_IF_ERROR(CheckPasswordPolicy(password));
  XT_ASSIGN_OR_RETURN(const std::string hash, Hash(password));
  return store->Write([&](store::WriteTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(auto row, txn.accounts().FindAccount(username));
    if (!row) return err::NoSuchAccount(username);
    row->password_hash = hash;
    row->failed_attempts = 0;
    row->locked_until = 0;
    row->changed = ChangedAt(*row, now);
    XT_RETURN_IF_ERROR(txn.accounts().PutAccount(*row));
    return txn.AppendAudit(AuditBy(by, now, "account reset", username, Describe(*row)));
  });
}

Result<store::StaffAccountRow> ProvideAccount(store::Store* store, const RefData& ref, const NewAccount& a,
                                         std::string_view password, LocalSeconds now) {
  XT_ASSIGN_OR_RETURN(store::StaffAccountRow row, CheckedRow(store, ref, a, password, now));
  XT_RETURN_IF_ERROR(store->Write([&](store::WriteTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(auto existing, txn.accounts().FindAccount(row.username));
    if (existing) row.created = existing->created;
    XT_RETURN_IF_ERROR(txn.accounts().PutAccount(row));
    return txn.AppendAudit(
        AuditBy(Caller::Local(), now, existing ? "account reset" : "account add", row.username, Describe(row)));
  }));
  return row;
}

Result<std::vector<store::StaffAccountRow>> ListAccounts(store::Store* store) {
  std::vector<store::StaffAccountRow> out;
  XT_RETURN_IF_ERROR(store->Read([&](store::ReadTxn& txn) {
    return txn.accounts().ForEachAccount([&](const store::StaffAccountRow& a) {
      out.push_back(a);
      return true;
    });
  }));
  return out;
}

std::string SessionView::Json() const {
  JsonWriter w;
  w.BeginObject().Field("username", username).Field("display_name", display_name);
  w.Field("role", RoleName(caller.role)).Key("duty");
  if (caller.role == Role::kHospital) w.String(DutyName(caller.duty));
  else w.Null();
  w.Field("scope", caller.scope).Field("csrf_token", csrf_token).FieldInt("idle_timeout_s", idle_timeout_s);
  w.EndObject();
  return w.Take();
}

// ---- Accounts

Accounts::Accounts(store::Store* store, const Clock* clock, AccountsOptions options)
    : store_(store), clock_(clock), options_(options), password_checks_(std::clamp(options.password_checks_max, 1, 64)) {}

const std::string& Accounts::StandInHash() {
  // Made once, on the first sign-in, so that an unknown name costs the
  // same Argon2id verification as a known one.
  std::call_once(stand_in_once_, [this] {
    if (!crypto::PasswordHash(crypto::RandomHex(16), &stand_in_hash_)) stand_in_hash_.clear();
  });
  return stand_in_hash_;
}

Result<Accounts::SignedIn> Accounts::SignIn(std::string_view username, std::string_view password,
                                            int64_t* retry_after_s) {
  *retry_after_s = 0;
  const bool plausible = ValidUsername(username) && password.size() <= kPasswordBytesMax;
  std::optional<store::StaffAccountRow> row;
  if (plausible) {
    XT_RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> Status {
      XT_ASSIGN_OR_RETURN(row, txn.accounts().FindAccount(username));
      return Status::Ok();
    }));
  }
  const LocalSeconds now = clock_->NowLocal();
  auto audit = [&](store::WriteTxn& txn, const char* action, const std::string& outcome, const std::string& detail) {
    return txn.AppendAudit(store::AuditRow{0, now, row ? "user:" + row->username : std::string("user:?"),
                                           row ? row->role : std::string(), action, row ? row->username : "",
                                           outcome, detail, "", ""});
  };
  if (row && row->locked_until > now) {
    *retry_after_s = row->locked_until - now;
    XT_RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) {
      return audit(txn, "session refused", "XT-AUTH-009", "locked");
    }));
    return err::AccountLocked(*retry_after_s);
  }

  // Argon2id holds 64 MiB for tens of milliseconds: a few at a time.
  if (!password_checks_.try_acquire_for(std::chrono::milliseconds(options_.password_wait_ms))) {
    return err::SessionsFull();
  }
  const std::string& hash = row ? row->password_hash : StandInHash();
  const bool matches = crypto::PasswordVerify(hash, password) && row.has_value();
  password_checks_.release();

  if (!row || row->disabled || !matches) {
    // Every refusal writes once (the unknown name too), so that none
    // answers faster than another.
    bool locked = false;
    XT_RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> Status {
      if (!row || row->disabled) return audit(txn, "session refused", "XT-AUTH-008", row ? "disabled" : "");
      // Read again inside the write: concurrent failures all count.
      XT_ASSIGN_OR_RETURN(auto current, txn.accounts().FindAccount(row->username));
      if (!current) return audit(txn, "session refused", "XT-AUTH-008", "");
      current->failed_attempts++;
      locked = current->failed_attempts >= options_.failures_max;
      if (locked) {
        current->failed_attempts = 0;
        current->locked_until = now + options_.lock_s;
      }
      XT_RETURN_IF_ERROR(txn.accounts().PutAccount(*current));
      XT_RETURN_IF_ERROR(audit(txn, "session refused", "XT-AUTH-008", "wrong password"));
      if (!locked) return Status::Ok();
      return txn.AppendAudit(store::AuditRow{0, now, "user:" + row->username, row->role, "account lock",
                                             row->username, "ok",
                                             std::to_string(options_.failures_max) + " failures in a row, " +
                                                 std::to_string(options_.lock_s) + " s",
                                             "", ""});
    }));
    if (locked) {
      *retry_after_s = options_.lock_s;
      return err::AccountLocked(options_.lock_s);
    }
    return err::WrongNameOrPassword();
  }

  XT_RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> Status {
    if (row->failed_attempts != 0 || row->locked_until != 0) {
      XT_ASSIGN_OR_RETURN(auto current, txn.accounts().FindAccount(row->username));
      if (current) {
        current->failed_attempts = 0;
        current->locked_until = 0;
        XT_RETURN_IF_ERROR(txn.accounts().PutAccount(*current));
      }
    }
    return audit(txn, "session start", "ok", "");
  }));
  SignedIn out;
  XT_RETURN_IF_ERROR(Open(*row, &out));
  return out;
}

Status Accounts::Open(const store::StaffAccountRow& row, SignedIn* out) {
  const std::optional<Role> role = ParseRole(row.role);
  if (!role) return Status::Error("XT-INT-001", "internal error", "account " + row.username + " has role " + row.role);
  Session s;
  s.username = row.username;
  s.display_name = row.display_name;
  s.caller.role = *role;
  s.caller.scope = row.scope;
  s.caller.duty = ParseStaffDuty(row.duty).value_or(Duty::kSystem);
  s.caller.account = row.username;
  s.csrf_token = crypto::RandomHex(kCsrfTokenBytes);
  s.account_changed = row.changed;
  s.opened_ms = clock_->NowLocalMillis();
  s.last_seen_ms = s.opened_ms;
  s.checked_ms = s.opened_ms;
  out->token = crypto::RandomHex(kSessionTokenBytes);
  out->session = SessionView{s.username, s.display_name, s.caller, s.csrf_token, options_.idle_timeout_s};

  const int64_t idle_ms = int64_t{options_.idle_timeout_s} * 1000;
  const int64_t lifetime_ms = int64_t{options_.lifetime_s} * 1000;
  std::lock_guard<std::mutex> lock(mu_);
  if (sessions_.size() >= options_.sessions_max) {
    std::erase_if(sessions_, [&](const auto& kv) {
      return s.opened_ms - kv.second.last_seen_ms > idle_ms || s.opened_ms - kv.second.opened_ms > lifetime_ms;
    });
    if (sessions_.size() >= options_.sessions_max) return err::SessionsFull();
  }
  // The account's oldest sessions end beyond its bound.
  for (;;) {
    size_t own = 0;
    auto oldest = sessions_.end();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.username != s.username) continue;
      ++own;
      if (oldest == sessions_.end() || it->second.opened_ms < oldest->second.opened_ms) oldest = it;
    }
    if (own < options_.sessions_per_account_max) break;
    sessions_.erase(oldest);
  }
  sessions_.emplace(crypto::HashHex(out->token), std::move(s));
  return Status::Ok();
}

Result<Accounts::Session> Accounts::Touch(std::string_view token, bool changes, std::string_view csrf_token) {
  if (token.empty() || token.size() != 2 * kSessionTokenBytes) return err::SessionEnded();
  const std::string key = crypto::HashHex(token);
  const int64_t now_ms = clock_->NowLocalMillis();
  Session s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(key);
    if (it == sessions_.end()) return err::SessionEnded();
    if (now_ms - it->second.last_seen_ms > int64_t{options_.idle_timeout_s} * 1000 ||
        now_ms - it->second.opened_ms > int64_t{options_.lifetime_s} * 1000) {
      sessions_.erase(it);
      return err::SessionEnded();
    }
    if (changes && !crypto::EqualConstantTime(it->second.csrf_token, csrf_token)) return err::CsrfMismatch();
    s = it->second;
  }
  if (now_ms - s.checked_ms >= int64_t{options_.recheck_s} * 1000) {
    std::optional<store::StaffAccountRow> row;
    XT_RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> Status {
      XT_ASSIGN_OR_RETURN(row, txn.accounts().FindAccount(s.username));
      return Status::Ok();
    }));
    if (!row || row->disabled || row->changed != s.account_changed) {
      End(token);
      return err::SessionEnded();
    }
    s.checked_ms = now_ms;
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return err::SessionEnded();  // ended meanwhile
  it->second.last_seen_ms = now_ms;
  it->second.checked_ms = s.checked_ms;
  return s;
}

Result<Caller> Accounts::Authenticate(std::string_view token, bool changes, std::string_view csrf_token) {
  XT_ASSIGN_OR_RETURN(Session s, Touch(token, changes, csrf_token));
  return std::move(s.caller);
}

Result<SessionView> Accounts::Find(std::string_view token) {
  XT_ASSIGN_OR_RETURN(Session s, Touch(token, false, {}));
  return SessionView{s.username, s.display_name, s.caller, s.csrf_token, options_.idle_timeout_s};
}

void Accounts::End(std::string_view token) {
  if (token.empty()) return;
  const std::string key = crypto::HashHex(token);
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(key);
}

size_t Accounts::open_sessions() {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

std::string Accounts::SetCookie(std::string_view token) const {
  return std::string(kSessionCookie) + "=" + std::string(token) + "; HttpOnly; SameSite=Strict; Path=/" +
         (options_.cookie_secure ? "; Secure" : "");
}

std::string Accounts::ClearCookie() const {
  return std::string(kSessionCookie) + "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0" +
         (options_.cookie_secure ? "; Secure" : "");
}

ApiReply Accounts::SignInReply(const std::string& body, std::string_view token) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return api::BadParam("the request body is not a JSON object");
  auto text = [&](const char* name) -> std::optional<std::string> {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  const auto username = text("username");
  const auto password = text("password");
  if (!username || !password) return api::BadParam("send {\"username\": \"...\", \"password\": \"...\"}");
  End(token);  // a sign-in replaces the session the browser had, if any
  int64_t retry_after_s = 0;
  auto signed_in = SignIn(*username, *password, &retry_after_s);
  if (!signed_in.ok()) {
    const std::string& code = signed_in.status().code();
    const int http = code == "XT-AUTH-008" ? 401 : code == "XT-AUTH-009" ? 429 : code == "XT-AUTH-016" ? 503 : 500;
    ApiReply reply = api::Refused(http, signed_in.status());
    if (retry_after_s > 0) reply.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
    return reply;
  }
  ApiReply reply{200, signed_in->session.Json(), ""};
  reply.headers.emplace_back("Set-Cookie", SetCookie(signed_in->token));
  reply.headers.emplace_back("Cache-Control", "no-store");
  return reply;
}

ApiReply Accounts::SessionReply(std::string_view token) {
  auto view = Find(token);
  if (!view.ok()) {
    ApiReply reply = api::Refused(view.status().code() == "XT-AUTH-011" ? 401 : 500, view.status());
    if (!token.empty()) reply.headers.emplace_back("Set-Cookie", ClearCookie());
    return reply;
  }
  ApiReply reply{200, view->Json(), ""};
  reply.headers.emplace_back("Cache-Control", "no-store");
  return reply;
}

ApiReply Accounts::SignOutReply(std::string_view token) {
  End(token);
  ApiReply reply{204, "", ""};
  reply.headers.emplace_back("Set-Cookie", ClearCookie());
  return reply;
}

}  // namespace xt::service
