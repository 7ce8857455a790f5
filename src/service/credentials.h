// Credentials: API keys for hospitals, agencies, residents and operators.
//
// A key reads "xt_<key_id>_<secret>": key_id (16 hex digits) names the stored
// credential, secret (64 hex digits, 256 random bits) proves it. Only the
// hash of key_id and secret is stored (store::CredentialRow), so a copy of
// the database gives no usable key. Keys are shown once, when issued.
//
// Thread-safety: IssueCredential and RevokeCredential may run from any
// thread. An Authenticator is safe to share between threads.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "service/caller.h"
#include "service/refdata.h"
#include "store/store.h"

namespace xt::service {

// The provinces that have an agency on this platform.
inline constexpr const char* kAgencyProvinces[] = {"110000", "120000", "130000"};

struct IssuedKey {
  std::string api_key;  // the whole key: give it to its holder, it is not kept
  store::CredentialRow credential;
};

// Ok when the scope names something that exists for the role: an
// institution for hospital, a province with an agency, an insured person
// for resident, "*" for admin. XT-AUTH-006 otherwise (API keys and staff
// accounts alike).
Status CheckScope(store::Store* store, const RefData& ref, Role role, const std::string& scope);

// Checks that the scope names something that exists for the role (an
// institution, a province with an agency, a person, "*" for admin), then
// stores a new credential. XT-AUTH-006 when the role or scope is wrong.
Result<IssuedKey> IssueCredential(store::Store* store, const RefData& ref, Role role, const std::string& scope,
                                  const std::string& label, LocalSeconds now);

// Marks a credential revoked (XT-AUTH-006 when there is no such key_id).
// A server notices within Authenticator::kCacheSeconds.
Status RevokeCredential(store::Store* store, const std::string& key_id, LocalSeconds now);


class Authenticator {
 public:
  // How long a credential read from the store is trusted before it is read
  // again: a revocation takes effect within this time.
  static constexpr int kCacheSeconds = 5;
  static constexpr size_t kCacheEntriesMax = 100000;

  // `store` must outlive the Authenticator.
  explicit Authenticator(store::Store* store) : store_(store) {}

  // The caller a key belongs to. XT-AUTH-001 when the key is empty,
  // XT-AUTH-002 when it is malformed, unknown, wrong or revoked (one answer
  // for all, so that a guesser learns nothing).
  Result<Caller> Authenticate(std::string_view api_key);

 private:
  struct Entry {
    store::CredentialRow row;
    std::chrono::steady_clock::time_point read_at;
  };
  store::Store* store_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;  // by key_id; guarded by mu_
};

}  // namespace xt::service
