#include "service/operator_service.h"

#include <nlohmann/json.hpp>

#include "core/date.h"
#include "core/json_writer.h"
#include "service/accounts.h"
#include "service/audit.h"
#include "service/errors.h"
#include "service/verify.h"

namespace xt::service {

namespace {

using json = nlohmann::json;

ApiReply NotOperator() { return api::Forbidden("this is for operators"); }

// The HTTP status of a refused account change.
ApiReply AccountRefused(const Status& st) {
  const std::string& c = st.code();
  const int http = c == "XT-AUTH-013" ? 409 : c == "XT-AUTH-014" ? 404
                   : (c == "XT-AUTH-012" || c == "XT-AUTH-015" || c == "XT-AUTH-006") ? 400 : 500;
  return api::Refused(http, st);
}

// A text field of a JSON object: nullopt when absent or null, and
// XT-AUTH-015 in *bad when it is there but not a string.
std::optional<std::string> Text(const json& j, const char* name, std::string* bad) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    *bad = std::string(name) + " must be a string";
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::string Time(LocalSeconds t) { return t == 0 ? std::string() : FormatLocalTime(t); }

void WriteAccount(JsonWriter& w, const store::StaffAccountRow& a, LocalSeconds now) {
  w.BeginObject().Field("username", a.username).Field("display_name", a.display_name).Field("role", a.role);
  w.Key("duty");
  if (a.duty.empty()) w.Null();
  else w.String(a.duty);
  w.Field("scope", a.scope).Key("disabled").Bool(a.disabled).Key("locked").Bool(a.locked_until > now);
  w.Field("created", Time(a.created)).Field("changed", Time(a.changed)).EndObject();
}

// Holds a check's flag for its run; `held` false when another run has it.
class Turn {
 public:
  explicit Turn(std::atomic<bool>* flag) : flag_(flag), held_(!flag->exchange(true)) {}
  ~Turn() {
    if (held_) flag_->store(false);
  }
  Turn(const Turn&) = delete;
  Turn& operator=(const Turn&) = delete;
  bool held() const { return held_; }

 private:
  std::atomic<bool>* flag_;
  bool held_;
};

ApiReply Busy(const char* what) {
  const Status st = err::CheckRunning(what);
  return api::Refused(409, st);
}

}  // namespace

Status OperatorService::Audit(const Caller& caller, const std::string& action, const std::string& outcome,
                              const std::string& detail) {
  const store::AuditRow row{0,      clock_->NowLocal(), caller.actor(), std::string(RoleName(caller.role)),
                            action, "*",                outcome,        detail,
                            "",     ""};
  return store_->Write([&](store::WriteTxn& txn) { return txn.AppendAudit(row); });
}

ApiReply OperatorService::ListAccounts(const Caller& caller) {
  if (caller.role != Role::kAdmin) return NotOperator();
  auto rows = service::ListAccounts(store_);
  if (!rows.ok()) return api::Failed(rows.status());
  const LocalSeconds now = clock_->NowLocal();
  JsonWriter w;
  w.BeginObject().Key("accounts").BeginArray();
  for (size_t i = 0; i < rows->size() && i < kAccountsMax; ++i) WriteAccount(w, (*rows)[i], now);
  w.EndArray().Key("truncated").Bool(rows->size() > kAccountsMax).EndObject();
  return ApiReply{200, w.Take(), ""};
}

ApiReply OperatorService::AddAccount(const Caller& caller, const std::string& body) {
  if (caller.role != Role::kAdmin) return NotOperator();
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return AccountRefused(err::BadAccount("the request body is not a JSON object"));
  }
  std::string bad;
  const auto username = Text(j, "username", &bad);
  const auto display_name = Text(j, "display_name", &bad);
  const auto role_name = Text(j, "role", &bad);
  const auto duty_name = Text(j, "duty", &bad);
  const auto scope = Text(j, "scope", &bad);
  const auto password = Text(j, "password", &bad);
  if (!bad.empty()) return AccountRefused(err::BadAccount(bad));
  if (!username || !role_name || !scope) {
    return AccountRefused(err::BadAccount("username, role and scope are required"));
  }
  NewAccount a;
  a.username = *username;
  a.display_name = display_name.value_or("");
  const auto role = ParseRole(*role_name);
  if (!role) return AccountRefused(err::BadAccount("the role must be hospital, agency, resident or admin"));
  a.role = *role;
  if (duty_name && !duty_name->empty()) {
    a.duty = ParseStaffDuty(*duty_name);
    if (!a.duty) return AccountRefused(err::BadAccount("the duty must be cashier or doctor"));
  }
  a.scope = *scope;
  const bool generated = !password || password->empty();
  const std::string secret = generated ? NewRandomPassword() : *password;
  auto row = service::AddAccount(store_, *ref_, a, secret, clock_->NowLocal(), caller);
  if (!row.ok()) return AccountRefused(row.status());
  JsonWriter w;
  w.BeginObject().Key("account");
  WriteAccount(w, *row, clock_->NowLocal());
  if (generated) w.Field("password", secret);
  w.EndObject();
  ApiReply reply{201, w.Take(), ""};
  reply.headers.emplace_back("Cache-Control", "no-store");
  return reply;
}

ApiReply OperatorService::DisableAccount(const Caller& caller, const std::string& username) {
  if (caller.role != Role::kAdmin) return NotOperator();
  if (!caller.account.empty() && caller.account == username) {
    return AccountRefused(err::BadAccount("an operator cannot disable the account they are signed in with"));
  }
  Status st = service::DisableAccount(store_, username, clock_->NowLocal(), caller);
  if (!st.ok()) return AccountRefused(st);
  JsonWriter w;
  w.BeginObject().Field("username", username).Key("disabled").Bool(true).EndObject();
  return ApiReply{200, w.Take(), ""};
}

ApiReply OperatorService::ResetPassword(const Caller& caller, const std::string& username, const std::string& body) {
  if (caller.role != Role::kAdmin) return NotOperator();
  std::optional<std::string> password;
  if (body.find_first_not_of(" \t\r\n") != std::string::npos) {
    const json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return AccountRefused(err::BadAccount("the request body is not a JSON object"));
    }
    std::string bad;
    password = Text(j, "password", &bad);
    if (!bad.empty()) return AccountRefused(err::BadAccount(bad));
  }
  const bool generated = !password || password->empty();
  const std::string secret = generated ? NewRandomPassword() : *password;
  Status st = service::ResetPassword(store_, username, secret, clock_->NowLocal(), caller);
  if (!st.ok()) return AccountRefused(st);
  JsonWriter w;
  w.BeginObject().Field("username", username);
  if (generated) w.Field("password", secret);
  w.EndObject();
  ApiReply reply{200, w.Take(), ""};
  reply.headers.emplace_back("Cache-Control", "no-store");
  return reply;
}

ApiReply OperatorService::ListCredentials(const Caller& caller) {
  if (caller.role != Role::kAdmin) return NotOperator();
  JsonWriter w;
  w.BeginObject().Key("credentials").BeginArray();
  size_t n = 0;
  bool truncated = false;
  Status st = store_->Read([&](store::ReadTxn& txn) {
    return txn.access().ForEachCredential([&](const store::CredentialRow& c) {
      if (n == kCredentialsMax) {
        truncated = true;
        return false;
      }
      ++n;
      w.BeginObject().Field("key_id", c.key_id).Field("role", c.role).Field("scope", c.scope);
      w.Field("label", c.label).Field("created", Time(c.created)).Field("revoked", Time(c.revoked)).EndObject();
      return true;
    });
  });
  if (!st.ok()) return api::Failed(st);
  w.EndArray().Key("truncated").Bool(truncated).EndObject();
  return ApiReply{200, w.Take(), ""};
}

ApiReply OperatorService::RunVerify(const Caller& caller) {
  if (caller.role != Role::kAdmin) return NotOperator();
  Turn turn(&verifying_);
  if (!turn.held()) return Busy("verify");
  auto rep = Verify(*store_, [](int64_t, int64_t) {});
  if (!rep.ok()) return api::Failed(rep.status());
  const std::string outcome = rep->ok() ? "ok" : "mismatch";
  Status audited = Audit(caller, "verify", outcome, std::to_string(rep->problems.size()) + " problem(s)");
  if (!audited.ok()) return api::Failed(audited);
  JsonWriter w;
  w.BeginObject().Key("ok").Bool(rep->ok()).FieldInt("settlements", rep->settlements);
  w.FieldInt("reversals", rep->reversals).FieldInt("transfers", rep->transfers).FieldInt("accounts", rep->accounts);
  w.FieldInt("accumulators", rep->accumulators).FieldInt("total_debits_fen", rep->total_debits_fen);
  w.FieldInt("total_credits_fen", rep->total_credits_fen);
  w.FieldInt("problems_count", static_cast<int64_t>(rep->problems.size())).Key("problems").BeginArray();
  for (size_t i = 0; i < rep->problems.size() && i < kProblemsMax; ++i) w.String(rep->problems[i]);
  w.EndArray().EndObject();
  return ApiReply{200, w.Take(), ""};
}

ApiReply OperatorService::RunAuditVerify(const Caller& caller) {
  if (caller.role != Role::kAdmin) return NotOperator();
  Turn turn(&auditing_);
  if (!turn.held()) return Busy("audit verify");
  auto rep = VerifyAudit(*store_);
  if (!rep.ok()) return api::Failed(rep.status());
  JsonWriter w;
  w.BeginObject().Key("ok").Bool(rep->problems.empty()).FieldInt("records", rep->records);
  w.FieldInt("head_seq", rep->head_seq).Field("head_hash", rep->head_hash);
  w.FieldInt("problems_count", static_cast<int64_t>(rep->problems.size())).Key("problems").BeginArray();
  for (size_t i = 0; i < rep->problems.size() && i < kProblemsMax; ++i) w.String(rep->problems[i]);
  w.EndArray().EndObject();
  // Recorded after the check, so that the answer describes the log as it
  // was asked about.
  Status audited = Audit(caller, "audit verify", rep->problems.empty() ? "ok" : "broken",
                         std::to_string(rep->problems.size()) + " problem(s)");
  if (!audited.ok()) return api::Failed(audited);
  return ApiReply{200, w.Take(), ""};
}

}  // namespace xt::service
