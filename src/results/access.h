// Who may look at a patient's results: only an institution that has an open
// visit of that patient at that moment (the privacy rule). A pure function
// over the visits the store supplies; the answer is allow (ok) or deny with
// XT-RES-001. Safe from any number of threads.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/date.h"
#include "core/status.h"

namespace xt::results {

// A visit as the privacy rule needs it (the store maps its visits to this).
struct Visit {
  std::string mdtrt_id;
  std::string psn_no;
  std::string fixmedins_code;
  LocalSeconds begin = 0;                 // registration
  std::optional<LocalSeconds> end;        // discharge, settlement or cancellation; absent while open
  // Open at `at`: begun at or before `at` and not yet ended (at < end).
  bool OpenAt(LocalSeconds at) const { return begin <= at && (!end || at < *end); }
};

// Ok when `viewer` (a fixmedins_code) has a visit of `psn_no` open at `at`;
// XT-RES-001 otherwise (also for an empty viewer or patient).
Status MayView(std::string_view viewer, std::string_view psn_no, std::span<const Visit> visits, LocalSeconds at);

}  // namespace xt::results
