// The operator's use cases over REST (/api/v1/admin): staff accounts
// listed, added, disabled and reset; API keys listed; and the two checks
// of the command line, `verify` (every balance and accumulator recomputed)
// and `audit verify` (the audit log's hash chain), run from the web page.
//
// These are for role admin only (the route table admits no one else, and
// each use case checks again). Every change is audited with the operator as
// its actor (Caller::actor(): "user:<name>" for a session, the key_id of an
// API key). Password hashes and API keys' hashes are never answered. The
// checks run one at a time each: a second request while one runs is
// refused (XT-OPS-001, HTTP 409) rather than queued, since each reads the
// whole database.
//
// Thread-safe; `store`, `ref` and `clock` must outlive the service.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>

#include "core/clock.h"
#include "service/api_reply.h"
#include "service/caller.h"
#include "service/refdata.h"
#include "store/store.h"

namespace xt::service {

class OperatorService {
 public:
  // Sample bounds: rows answered by a listing, and mismatches named by a
  // check's answer (the count is always whole).
  static constexpr size_t kAccountsMax = 10000;
  static constexpr size_t kCredentialsMax = 10000;
  static constexpr size_t kProblemsMax = 100;

  OperatorService(store::Store* store, const RefData* ref, const Clock* clock)
      : store_(store), ref_(ref), clock_(clock) {}
  OperatorService(const OperatorService&) = delete;
  OperatorService& operator=(const OperatorService&) = delete;

  // GET /api/v1/admin/accounts: {"accounts":[{username, display_name, role,
  // duty, scope, disabled, locked_until, created, changed}], "truncated"}
  ApiReply ListAccounts(const Caller& caller);
  // POST /api/v1/admin/accounts {username, display_name, role, duty, scope,
  // password?}: 201 {"account":{...}, "password"?: generated, shown once}.
  ApiReply AddAccount(const Caller& caller, const std::string& body);
  // POST /api/v1/admin/accounts/{username}/disable; not the caller's own
  // account (XT-AUTH-015), so that an operator cannot lock themself out.
  ApiReply DisableAccount(const Caller& caller, const std::string& username);
  // POST /api/v1/admin/accounts/{username}/reset {password?}: {"username",
  // "password"?: generated, shown once}.
  ApiReply ResetPassword(const Caller& caller, const std::string& username, const std::string& body);
  // GET /api/v1/admin/credentials: {"credentials":[{key_id, role, scope,
  // label, created, revoked}], "truncated"}
  ApiReply ListCredentials(const Caller& caller);
  // POST /api/v1/admin/verify: {"ok", counts, "problems_count", "problems"}
  ApiReply RunVerify(const Caller& caller);
  // POST /api/v1/admin/audit/verify: {"ok", "records", "head_seq",
  // "head_hash", "problems"}
  ApiReply RunAuditVerify(const Caller& caller);

 private:
  Status Audit(const Caller& caller, const std::string& action, const std::string& outcome,
               const std::string& detail);

  store::Store* store_;
  const RefData* ref_;
  const Clock* clock_;
  std::atomic<bool> verifying_{false};
  std::atomic<bool> auditing_{false};
};

}  // namespace xt::service
