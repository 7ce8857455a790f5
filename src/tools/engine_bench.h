// A micro-benchmark of the adjudication engine alone (no store, no I/O):
// what `xietong bench` reports as the engine's claims per second.
//
// The claims are random but realistic: items the catalogue lists for a
// treatment region (with prices around their caps, some unlisted codes and
// refund lines), and insurance regions, insutypes and visit types for which
// the policy book has a policy in force. The pool is built before the clock
// starts; only Adjudicate (trace included) is timed, on the calling thread.
#pragma once

#include <cstdint>

#include "catalog/catalog.h"
#include "policy/policy.h"

namespace xt::settle {

struct EngineBenchResult {
  int64_t claims = 0;
  int lines_per_claim = 0;
  double seconds = 0;
  double claims_per_s = 0;
  // Sum of fund payments, cash parts and trace sizes over all claims: keeps
  // the work observable (nothing optimised away) and, for one seed and one
  // dataset, the same on every run.
  uint64_t checksum = 0;
};

// Runs `claims` adjudications of `lines_per_claim` lines each, drawn from a
// pool built with `seed`. Aborts with a message on stderr when the dataset
// cannot produce a claim, or when any claim fails: a benchmark of failures
// would measure nothing useful. Both objects must stay live during the call.
EngineBenchResult RunEngineBench(const catalog::Catalog& catalog, const policy::PolicyBook& policies,
                                 int64_t claims, int lines_per_claim, uint64_t seed);

}  // namespace xt::settle
