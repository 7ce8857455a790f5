// A month's clearing as reports: JSON (one document) and CSV (the matrix of
// flows, institutions, funds). Deterministic bytes: every list is already in a
// fixed order in MonthResult, money is written as yuan with two decimals
// (FormatFen), and nothing depends on the clock or on interning order; so a
// closed month rendered twice, or recomputed and rendered, gives the same
// bytes. CSV: RFC 4180, "\n" line ends, a header line first. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "clearing/clearing.h"
#include "clearing/prepaid.h"
#include "clearing/reconcile.h"

namespace xt::clearing {

// {"setlym","seq_through","closed_at","rows",...,"matrix","flows","nets",
//  "net_transfers","institutions","funds","ledger"}
std::string MonthJson(const MonthResult& month);
// One report of the month as JSON, the same parts as in MonthJson:
// "flows" {"setlym","matrix","flows","nets","net_transfers"}, "institutions"
// {"setlym","institutions"}, "funds" {"setlym","funds"}; nullopt for any
// other name.
std::optional<std::string> ReportJson(const MonthResult& month, std::string_view report);

// The matrix: one line per insurance province, one column per treatment
// province (every province of the month in both), cells the total owed
// (fund + personal account), then the row's payable; a last line
// "receivable" with the columns' totals.
std::string FlowsCsv(const MonthResult& month);
// fixmedins_code,mdtrtarea_province,insutype,clr_type,settlements,reversals,
// medfee_sumamt,fund_pay_sumamt,acct_pay,psn_cash_pay,paid
std::string InstitutionsCsv(const MonthResult& month);
// insuplc_province,fund,amount
std::string FundsCsv(const MonthResult& month);

// The answers' output objects: 3201 {stmt_rslt, stmt_rslt_dscr, platform
// figures}; 3202 {stmt_rslt, counts, details[] of the records that did not
// match}; a prepaid fund's status.
std::string TotalsResultJson(const TotalsResult& result);
std::string DetailResultJson(const DetailResult& result);
std::string PrepaidStatusJson(const PrepaidStatus& status);

}  // namespace xt::clearing
