// Reading the prepaid-fund policies (data/prepaid.json) into the
// PrepaidPolicy values of prepaid.h: the loader of clearing's own policy
// data, as policy_load.cc is the benefit policies' and catalog_load.cc the
// catalogue's. `init` checks the file with it before storing it as
// reference data; the service reads the stored copy back with it.
//
// Pure (no I/O); thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "clearing/prepaid.h"
#include "core/status.h"

namespace xt::clearing {

// [{"id", "province", "effective_from": "yyyy-MM-dd", "threshold_fen": N |
//   "months_of_average_spend": M, "average_window_months": W}, ...];
// each policy checked by CheckPrepaidPolicy. XT-CLR-009 on anything else,
// naming the policy (docs/clearing.md, "Prepaid funds").
Result<std::vector<PrepaidPolicy>> ParsePrepaidPolicies(std::string_view json_text);

}  // namespace xt::clearing
