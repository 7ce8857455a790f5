// Checking the audit log (store::AuditRow): every record carries the hash of
// the one before it, and the head (last seq and hash) is kept in meta in the
// same commit. Recomputing the chain finds an edited record (its hash no
// longer matches), a deleted or inserted one (the seq or the chain breaks),
// and a deleted tail (the head names a record that is gone).
//
// This detects tampering by someone who edits the database without
// recomputing every later hash and the head; to detect that too, keep the
// printed head elsewhere (docs/security.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace xt::service {

struct AuditReport {
  int64_t records = 0;
  int64_t head_seq = 0;
  std::string head_hash;
  std::vector<std::string> problems;  // empty when the log is intact
  static constexpr size_t kProblemsMax = 100;
};

Result<AuditReport> VerifyAudit(store::Store& store);

// A page of the audit log from `from_seq` (for `xietong audit list`).
Result<std::vector<store::AuditRow>> ReadAudit(store::Store& store, int64_t from_seq, int64_t limit);

}  // namespace xt::service
