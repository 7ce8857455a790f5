// The rows of access: credentials (API keys, stored as hashes), the 9001
// sign-ins, and the append-only audit log whose records form one hash chain.
//
// Thread-safety: as the transaction it comes from (store/txn.h): valid only
// inside the callback the transaction was passed to, on that thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/money.h"
#include "core/status.h"


namespace xt::store {

namespace sql {
class Conn;
}

// An access credential (API key). The secret itself is never stored: only
// its hash (service/credentials.h says how keys are made and checked).
struct CredentialRow {
  std::string key_id;       // public part of the key, unique
  std::string role;         // hospital | agency | resident | admin
  std::string scope;        // fixmedins_code | province admdvs | psn_no | "*"
  std::string secret_hash;  // hex BLAKE2b-256 of the secret
  std::string label;        // free text for operators
  LocalSeconds created = 0;
  LocalSeconds revoked = 0;  // 0 while valid
};

// A 9001 sign-in of a hospital operator; sign_no is quoted by later calls.
struct SignInRow {
  std::string sign_no;
  std::string fixmedins_code;
  std::string opter_no;
  std::string key_id;
  LocalSeconds sign_in_time = 0;
  LocalSeconds sign_out_time = 0;  // 0 while open
};

// One record of the append-only audit log. The store assigns seq, prev_hash
// and hash when the group that holds it commits, in commit order, so the
// records form one hash chain (AuditHash); the head is kept in meta
// ("audit_head": "seq hash") in the same commit.
struct AuditRow {
  int64_t seq = 0;
  LocalSeconds time = 0;
  std::string actor;    // key_id of the credential, or "local" for the command line
  std::string role;
  std::string action;   // a transaction code ("2207") or a REST use ("GET settlement")
  std::string subject;  // whose data or money: psn_no, setl_id or account
  std::string outcome;  // "ok" or an error code
  std::string detail;   // msgid, query: no personal data beyond subject
  std::string prev_hash;
  std::string hash;
};

// The hash of an audit record chained to the one before it: hex
// BLAKE2b-256 over prev_hash and the record's fields, each length-prefixed.
std::string AuditHash(std::string_view prev_hash, const AuditRow& row);
inline constexpr char kAuditGenesis[] = "0000000000000000000000000000000000000000000000000000000000000000";

class AccessReader {
 public:
  explicit AccessReader(sql::Conn& conn) : c_(conn) {}

  [[nodiscard]] Result<std::optional<CredentialRow>> FindCredential(std::string_view key_id);
  [[nodiscard]] Status ForEachCredential(const std::function<bool(const CredentialRow&)>& fn);
  [[nodiscard]] Result<std::optional<SignInRow>> FindSignIn(std::string_view sign_no);
  // The audit log in seq order, from seq `from` on.
  [[nodiscard]] Status ForEachAudit(int64_t from, const std::function<bool(const AuditRow&)>& fn);

 protected:
  sql::Conn& c_;
};

class AccessWriter : public AccessReader {
 public:
  using AccessReader::AccessReader;

  // Inserts a credential, or replaces the one with the same key_id.
  [[nodiscard]] Status PutCredential(const CredentialRow& credential);
  [[nodiscard]] Status InsertSignIn(const SignInRow& sign_in);
  [[nodiscard]] Status CloseSignIn(std::string_view sign_no, LocalSeconds time);
};

// The tables' schema (sql.h's dialect), created on every opening.
extern const char kAccessSchema[];

}  // namespace xt::store
