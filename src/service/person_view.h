// What staff see of one insured person (`xietong person`): identity,
// enrollments, personal account, this year's accumulators and settlements.
// Reading personal data: callers that expose it over a network must
// authorise and audit it.
#pragma once

#include <string>

#include "core/status.h"
#include "service/refdata.h"
#include "store/store.h"

namespace xt::service {

// `who` is an ID number (18 chars) or a psn_no. Returns a JSON document.
Result<std::string> PersonView(store::Store& store, const RefData& ref, const std::string& who, int year);

}  // namespace xt::service
