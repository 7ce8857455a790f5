// Reconciliation (对账) in the national interface's terms, and the clearing
// application's state rules:
//   3201 total reconciliation: the hospital's totals for a period, by
//        insutype and clr_type, against the platform's;
//   3202 detail reconciliation: the hospital's list of settlements against
//        the platform's, record by record;
//   3203 clearing application and 3204 its cancel.
// Pure functions over plain records (docs/clearing.md); the service reads the
// platform's side from the store and renders the answers. Thread-safe.
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

// One settlement or reversal as either side records it: the fields 3202's
// detail file carries. A reversal has its own setl_id and negative amounts.
struct DetailRecord {
  std::string setl_id;
  std::string mdtrt_id;
  std::string psn_no;
  std::string insutype;
  std::string clr_type;
  LocalSeconds setl_time = 0;
  bool reversal = false;  // refd_setl_flag "1"
  Fen medfee_sumamt = 0;
  Fen fund_pay_sumamt = 0;
  Fen acct_pay = 0;
};

// The platform's record of a stored row.
DetailRecord DetailOf(const store::SettlementRow& row);

// ---- 3201

// The totals 3201 compares. Which rows count (refd_setl_flag): "0" the
// settlements only (kind settle, whether or not reversed later); "1" the
// settlements and the reversals, so the amounts are net and every reversal
// record is one more in the count.
struct TotalFigures {
  Fen medfee_sumamt = 0;
  Fen fund_pay_sumamt = 0;
  Fen acct_pay = 0;
  int64_t fixmedins_setl_cnt = 0;
};

struct TotalsRequest {  // 3201 input
  std::string fixmedins_code;
  std::string insutype;
  std::string clr_type;
  std::string setl_optins;  // the clearing institution (agency region); echoed, not compared
  Date stmt_begndate;       // inclusive, by each record's own setl_time (local date)
  Date stmt_enddate;        // inclusive
  std::string refd_setl_flag;  // "0" or "1"
  TotalFigures hospital;
};

struct TotalsResult {  // 3201 output
  std::string stmt_rslt;       // "0" match, "1" mismatch
  std::string stmt_rslt_dscr;  // each differing figure, hospital's against platform's
  TotalFigures platform;
};

// XT-CLR-005 when the period is inverted or refd_setl_flag is not 0/1.
Status CheckTotalsRequest(const TotalsRequest& request);
// The platform's figures for the request from the institution's records
// (records of other insutypes, clr_types and dates are skipped).
TotalFigures PlatformTotals(const TotalsRequest& request, std::span<const DetailRecord> platform);
// Compares; fails only as CheckTotalsRequest does.
Result<TotalsResult> ReconcileTotals(const TotalsRequest& request, std::span<const DetailRecord> platform);

// ---- 3202

enum class DetailOutcome { kMatched, kMissingOnPlatform, kMissingAtHospital, kDiffering };
const char* DetailOutcomeName(DetailOutcome o);  // matched, missing_on_platform, ...

struct DetailLine {
  std::string setl_id;
  DetailOutcome outcome = DetailOutcome::kMatched;
  std::vector<std::string> fields;  // the fields that differ (kDiffering), in a fixed order
  std::string dscr;                 // one line for people: "fund_pay_sumamt: hospital 10.00, platform 12.00"
};

struct DetailResult {
  std::string stmt_rslt;  // "0" when every record matched
  int64_t matched = 0;
  int64_t missing_on_platform = 0;
  int64_t missing_at_hospital = 0;
  int64_t differing = 0;
  std::vector<DetailLine> lines;  // by setl_id; matched records included
};

// Bound on one side's list (a large hospital's month is around 10^5).
inline constexpr size_t kDetailRecordsMax = 5000000;

// Compares by setl_id: mdtrt_id, psn_no, insutype, clr_type, refd_setl_flag,
// medfee_sumamt, fund_pay_sumamt, acct_pay. The platform's list is the
// institution's records of the period, as the service selects them.
// XT-CLR-005 on a duplicate or empty setl_id in either list, or a list over
// kDetailRecordsMax.
Result<DetailResult> ReconcileDetails(std::span<const DetailRecord> hospital, std::span<const DetailRecord> platform);

// ---- 3203 / 3204

// 3203 input: an institution's figures for a month of one clr_type.
struct ApplicationFigures {
  int64_t psntime = 0;        // person-times: settlements less reversals
  Fen medfee_sumamt = 0;
  Fen fund_appy_sum = 0;      // the funds' part applied for
  Fen acct_pay = 0;
  Fen cash_payamt = 0;
};

struct ClearingApplication {
  std::string appl_id;  // assigned by the service
  std::string fixmedins_code;
  Setlym setlym = 0;
  std::string clr_type;
  std::string clr_way;
  ApplicationFigures figures;
  std::string state;  // "applied" | "cancelled"
  LocalSeconds time = 0;
};

// The platform's figures for (institution, month, clr_type): the sum of the
// institution's lines of that clr_type in the month's result (a closed
// month's, or an open month computed with the store's current seq).
ApplicationFigures PlatformApplicationFigures(const MonthResult& month, std::string_view fixmedins_code,
                                              std::string_view clr_type);

// Whether a 3203 is accepted. `existing` are the institution's applications
// (any month). Refused: XT-CLR-001 the month is not over at `now`; XT-CLR-007
// an application for the month and clr_type is already in state applied;
// XT-CLR-006 the figures differ from the platform's (the message names each).
// On success returns the application in state applied.
Result<ClearingApplication> Apply(const ClearingApplication& request, const ApplicationFigures& platform,
                                  std::span<const ClearingApplication> existing, LocalSeconds now);

// Whether a 3204 is accepted: the application must be in state applied and
// its month not closed (XT-CLR-008). Returns it in state cancelled.
Result<ClearingApplication> Cancel(const ClearingApplication& application, const ClearingHistory& history,
                                   LocalSeconds now);

}  // namespace xt::clearing
