// The doctor's decision on a recognised result, and the statistics of
// recognition per region, institution and month. Pure: decisions and check
// events in (the store keeps them), validation and aggregates out.
//
// A decision is about one recognised result of one item: accepted (the test
// is not ordered again) or repeated with a reason (the patient's condition
// changed, the result is doubtful, an emergency). The national rule leaves
// that call to the receiving doctor; what is recognised is the result, not
// the diagnostic conclusion.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "core/date.h"
#include "core/money.h"
#include "core/status.h"
#include "results/book.h"
#include "results/results.h"

namespace xt::results {

inline constexpr size_t kDecisionIdBytesMax = 64;
inline constexpr size_t kNoteBytesMax = 500;

enum class DecisionKind : uint8_t { kAccepted, kRepeated };
enum class RepeatReason : uint8_t { kNone, kConditionChanged, kResultDoubtful, kEmergency };
std::string_view DecisionKindName(DecisionKind k);    // "accepted" | "repeated"
std::string_view RepeatReasonName(RepeatReason r);    // "" | "condition_changed" | "result_doubtful" | "emergency"
std::optional<DecisionKind> ParseDecisionKind(std::string_view s);
std::optional<RepeatReason> ParseRepeatReason(std::string_view s);  // "" reads as kNone

struct Decision {
  std::string decision_id;     // idempotency key: 1..64 printable ASCII
  std::string psn_no;          // the patient
  std::string fixmedins_code;  // the deciding institution, at the treatment place
  std::string item_code;
  std::string result_id;       // the recognised result decided on (unique across the system)
  DecisionKind kind = DecisionKind::kAccepted;
  RepeatReason reason = RepeatReason::kNone;  // kNone exactly when accepted
  std::string note;            // free text, at most 500 bytes; required when the result is doubtful
  LocalSeconds decided_at = 0;
};

// Checks a decision against the result it names (`result`: the store's
// record for d.result_id, or nullptr when there is none):
//  XT-RES-002 unknown item, -003 unknown deciding institution,
//  -006 fields inconsistent (accepted with a reason, repeated without one,
//       doubtful without a note, a note too long, a bad decision_id),
//  -007 no such result, or it is of another patient or item,
//  -008 the result is not recognised at the deciding institution at
//       decided_at (nothing to accept or set aside: order the test).
Status ValidateDecision(const Book& book, const Decision& d, const ResultHeader* result);

// One check as the statistics count it (the service records one per check).
struct CheckEvent {
  std::string fixmedins_code;     // the checking institution
  LocalSeconds at = 0;
  uint32_t items_asked = 0;
  uint32_t items_recognised = 0;  // items with at least one recognised result
};

// One row per (treatment region, institution, month), sorted by them.
struct StatsRow {
  std::string region;          // province code of the institution, e.g. "120000"
  std::string fixmedins_code;
  std::string month;           // "yyyy-MM" of the check or the decision
  int64_t checks = 0;
  int64_t items_asked = 0;
  int64_t items_recognised = 0;
  int64_t results_accepted = 0;  // distinct results accepted
  int64_t tests_avoided = 0;     // accepted decisions: each one test not ordered
  int64_t tests_repeated = 0;
  int64_t repeated_condition_changed = 0;
  int64_t repeated_result_doubtful = 0;
  int64_t repeated_emergency = 0;
  int64_t tests_unpriced = 0;    // avoided tests with no price at the treatment place
  Fen fees_saved_fen = 0;        // price of each avoided test at the treatment place on the decision day
};

// Aggregates checks and (already validated) decisions. Fees saved are priced
// by Book::PriceOf at the deciding institution's place: the catalogue's
// price cap when it lists the item's service code, else the recognition
// data's price. XT-RES-003 when an institution is unknown, -002 an item.
Result<std::vector<StatsRow>> Statistics(const Book& book, const catalog::Catalog* catalog,
                                         std::span<const CheckEvent> checks, std::span<const Decision> decisions);

}  // namespace xt::results
