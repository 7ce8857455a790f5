// Prepaid funds (预付金): each insurance province deposits into, and tops
// up, a fund at the regional platform that clearing draws on. Its balance is
// deposits minus draws; below a threshold the province is warned to top up.
// The threshold is policy, so it is data with effective dates: either a fixed
// amount or a number of months of the province's average cross-region spend
// (e.g. two months, DOMAIN.md section 3). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "clearing/clearing.h"
#include "core/date.h"
#include "core/money.h"
#include "core/status.h"

namespace xt::clearing {

struct PrepaidPolicy {
  std::string id;
  std::string province;  // the insurance province, "130000"
  Date effective_from;   // in force from this day until a later policy of the province
  // Exactly one of: a fixed threshold, or months of average spend over the
  // last `average_window_months` closed months.
  std::optional<Fen> threshold_fen;
  int32_t months_of_average_spend = 0;
  int32_t average_window_months = 12;
};

inline constexpr int32_t kAverageWindowMonthsMax = 120;
inline constexpr int32_t kMonthsOfAverageSpendMax = 24;

// A province's code: six digits, the first two the province, then "0000"
// ("130000"); the region of a prepaid fund and of its policy.
bool IsProvinceCode(std::string_view code);

// XT-CLR-009 when a policy is not exactly one of the two forms, or out of bounds.
Status CheckPrepaidPolicy(const PrepaidPolicy& policy);
// The province's policy in force on `on`: the latest effective_from <= on.
const PrepaidPolicy* FindPrepaidPolicy(std::span<const PrepaidPolicy> policies, std::string_view province, Date on);

enum class PrepaidKind { kDeposit, kDraw };

struct PrepaidMovement {
  std::string province;
  PrepaidKind kind = PrepaidKind::kDeposit;
  Fen amount_fen = 0;  // > 0
  LocalSeconds time = 0;
  std::string ref;     // the deposit's reference, or "clearing <setlym>"
};

// Bound on one deposit: 10^13 fen, a hundred billion yuan.
inline constexpr Fen kDepositFenMax = 10000000000000;

// A deposit or top-up; XT-CLR-009 unless 0 < amount <= kDepositFenMax.
Result<PrepaidMovement> Deposit(std::string_view province, Fen amount_fen, LocalSeconds time, std::string ref);
// Its posting: Dr treasury:<province> Cr prepaid:<province>.
store::Transfer DepositTransfer(const PrepaidMovement& deposit);

// The draws a closed month makes: one per net transfer, from the debtor's
// fund (the postings are in MonthResult::ledger).
std::vector<PrepaidMovement> DrawsOf(const MonthResult& month);

// A province's cross-region spend in a closed month: its gross payable as
// insurance place.
struct MonthSpend {
  Setlym setlym = 0;
  std::string province;
  Fen spend_fen = 0;
};
std::vector<MonthSpend> SpendOf(const MonthResult& month);

struct PrepaidStatus {
  std::string province;
  Fen deposits_fen = 0;
  Fen draws_fen = 0;
  Fen balance_fen = 0;          // deposits - draws; negative when overdrawn
  std::string policy_id;
  int32_t months_averaged = 0;  // closed months in the window
  Fen average_spend_fen = 0;    // rounded half away from zero
  Fen threshold_fen = 0;
  bool warning = false;         // balance below the threshold
  bool overdrawn = false;       // balance below zero
};

// The province's fund on day `on`: movements up to the end of that day; the
// average over the months of `history` closed in the window that ends with
// the month before `on`'s (a closed month without spend by the province
// counts as zero). The threshold is computed in one rounding:
// sum x months_of_average_spend / months_averaged. No closed month in the
// window: threshold 0, so only an overdraft warns. XT-CLR-009 when no policy
// is in force for the province.
Result<PrepaidStatus> EvaluatePrepaid(std::string_view province, Date on, std::span<const PrepaidMovement> movements,
                                      const ClearingHistory& history, std::span<const MonthSpend> spend,
                                      std::span<const PrepaidPolicy> policies);

}  // namespace xt::clearing
