// `xietong verify`: recomputes every balance and accumulator from the
// settlements and transfers and reports each mismatch. Reads one snapshot;
// safe to run while the service is serving.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "service/refdata.h"
#include "store/store.h"

namespace xt::service {

struct VerifyReport {
  int64_t settlements = 0;  // settle rows
  int64_t reversals = 0;    // reversal rows
  int64_t transfers = 0;
  int64_t accounts = 0;
  int64_t accumulators = 0;
  Fen total_debits_fen = 0;
  Fen total_credits_fen = 0;
  std::vector<std::string> problems;  // empty when everything holds
  bool ok() const { return problems.empty(); }
};

// Fails only when the database cannot be read; mismatches go in the report.
Result<VerifyReport> Verify(store::Store& store, const Progress& progress);

}  // namespace xt::service
