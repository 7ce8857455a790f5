#include "service/credentials.h"

#include "core/crypto.h"

namespace xt::service {

namespace {

constexpr size_t kKeyIdHexLen = 16;
constexpr size_t kSecretHexLen = 64;

Status BadRequest(const std::string& m) { return Status::Error("XT-AUTH-006", m); }
Status BadKey() { return Status::Error("XT-AUTH-002", "the credential is not valid"); }

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string SecretHash(std::string_view key_id, std::string_view secret) {
  return crypto::HashHex(std::string(key_id) + ":" + std::string(secret));
}

}  // namespace

Status CheckScope(store::Store* store, const RefData& ref, Role role, const std::string& scope) {
  switch (role) {
    case Role::kHospital:
      if (!ref.registry.FindInstitution(scope)) return BadRequest("no designated institution " + scope);
      return Status::Ok();
    case Role::kAgency:
      for (const char* p : kAgencyProvinces) {
        if (scope == p) return Status::Ok();
      }
      return BadRequest("an agency's scope is a province code: 110000, 120000 or 130000");
    case Role::kResident: {
      bool found = false;
      XT_RETURN_IF_ERROR(store->Read([&](store::ReadTxn& txn) -> Status {
        XT_ASSIGN_OR_RETURN(auto p, txn.registry().FindPersonByPsnNo(scope));
        found = p.has_value();
        return Status::Ok();
      }));
      if (!found) return BadRequest("no insured person " + scope);
      return Status::Ok();
    }
    case Role::kAdmin:
      if (scope != "*") return BadRequest("an operator's scope is *");
      return Status::Ok();
    case Role::kLocal:
      break;
  }
  return BadRequest("the local operator has no credential");
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kHospital: return "hospital";
    case Role::kAgency: return "agency";
    case Role::kResident: return "resident";
    case Role::kAdmin: return "admin";
    case Role::kLocal: return "local";
  }
  return "local";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kHospital, Role::kAgency, Role::kResident, Role::kAdmin}) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

Result<IssuedKey> IssueCredential(store::Store* store, const RefData& ref, Role role, const std::string& scope,
                                  const std::string& label, LocalSeconds now) {
  XT_RETURN_IF_ERROR(CheckScope(store, ref, role, scope));
  if (label.size() > 200) return BadRequest("the label is longer than 200 characters");
  IssuedKey out;
  store::CredentialRow& c = out.credential;
  c.key_id = crypto::RandomHex(kKeyIdHexLen / 2);
  const std::string secret = crypto::RandomHex(kSecretHexLen / 2);
  c.role = std::string(RoleName(role));
  c.scope = scope;
  c.secret_hash = SecretHash(c.key_id, secret);
  c.label = label;
  c.created = now;
  out.api_key = "xt_" + c.key_id + "_" + secret;
  XT_RETURN_IF_ERROR(store->Write([&](store::WriteTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(auto existing, txn.access().FindCredential(c.key_id));
    if (existing) return Status::Error("XT-AUTH-007", "key id collision; issue again");
    XT_RETURN_IF_ERROR(txn.access().PutCredential(c));
    return txn.AppendAudit({0, now, "local", "local", "credential issue", c.key_id, "ok",
                            c.role + " " + c.scope, "", ""});
  }));
  return out;
}

Status RevokeCredential(store::Store* store, const std::string& key_id, LocalSeconds now) {
  return store->Write([&](store::WriteTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(auto existing, txn.access().FindCredential(key_id));
    if (!existing) return BadRequest("no credential " + key_id);
    if (existing->revoked != 0) return Status::Ok();
    existing->revoked = now;
    XT_RETURN_IF_ERROR(txn.access().PutCredential(*existing));
    return txn.AppendAudit({0, now, "local", "local", "credential revoke", key_id, "ok",
                            existing->role + " " + existing->scope, "", ""});
  });
}

Result<Caller> Authenticator::Authenticate(std::string_view api_key) {
  if (api_key.empty()) return Status::Error("XT-AUTH-001", "a credential is required: Authorization: Bearer <api key>");
  // "xt_" + key_id + "_" + secret
  if (api_key.size() != 3 + kKeyIdHexLen + 1 + kSecretHexLen || api_key.substr(0, 3) != "xt_" ||
      api_key[3 + kKeyIdHexLen] != '_') {
    return BadKey();
  }
  const std::string key_id(api_key.substr(3, kKeyIdHexLen));
  const std::string_view secret = api_key.substr(3 + kKeyIdHexLen + 1);
  if (!IsHex(key_id) || !IsHex(secret)) return BadKey();

  std::optional<store::CredentialRow> row;
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key_id);
    if (it != cache_.end() && now - it->second.read_at < std::chrono::seconds(kCacheSeconds)) row = it->second.row;
  }
  if (!row) {
    XT_RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> Status {
      XT_ASSIGN_OR_RETURN(row, txn.access().FindCredential(key_id));
      return Status::Ok();
    }));
    if (!row) return BadKey();  // unknown ids are not cached: they cost a read each
    std::lock_guard<std::mutex> lock(mu_);
    if (cache_.size() >= kCacheEntriesMax) cache_.clear();
    cache_[key_id] = Entry{*row, now};
  }
  if (row->revoked != 0 || !crypto::EqualConstantTime(row->secret_hash, SecretHash(key_id, secret))) return BadKey();
  auto role = ParseRole(row->role);
  if (!role) return BadKey();
  return Caller{*role, row->scope, row->key_id};
}

}  // namespace xt::service
