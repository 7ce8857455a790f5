// The rows of inter-region clearing (docs/clearing.md): closed months with
// their reports, prepaid movements, month spends, 3203 applications, the
// outcomes of 3201/3202 reconciliations. The
// settlements a close counts are read from the settlements' own store
// (settlements_store.h: ForEachClearingRow).
//
// Thread-safety: as the transaction it comes from (store/txn.h): valid only
// inside the callback the transaction was passed to, on that thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/money.h"
#include "core/status.h"


namespace xt::store {

namespace sql {
class Conn;
}

// A closed month as stored: its record in the history of closes and its
// reports as first rendered (a second close answers with these bytes).
struct ClosedMonthRow {
  int32_t setlym = 0;
  int64_t seq_through = 0;
  LocalSeconds closed_at = 0;
  std::string report_json;       // clearing::MonthJson
  std::string flows_csv;         // clearing::FlowsCsv
  std::string institutions_csv;  // clearing::InstitutionsCsv
  std::string funds_csv;         // clearing::FundsCsv
};

// A movement of a prepaid fund (预付金): a deposit or top-up, or a draw of a
// month's clearing.
struct PrepaidMovementRow {
  int64_t id = 0;           // assigned by the store
  std::string province;     // "130000"
  std::string kind;         // deposit | draw
  Fen amount_fen = 0;       // > 0
  LocalSeconds time = 0;
  std::string ref;          // the deposit's reference, or "clearing <setlym>"
};

// A province's cross-region spend in a closed month (prepaid thresholds).
struct MonthSpendRow {
  int32_t setlym = 0;
  std::string province;
  Fen spend_fen = 0;
};

// A 3203 clearing application, by appl_id.
struct ClearingApplicationRow {
  std::string appl_id;
  std::string fixmedins_code;
  int32_t setlym = 0;
  std::string clr_type;
  std::string clr_way;
  int64_t psntime = 0;
  Fen medfee_sumamt = 0;
  Fen fund_appy_sum = 0;
  Fen acct_pay = 0;
  Fen cash_payamt = 0;
  std::string state;  // applied | cancelled
  LocalSeconds time = 0;
};

// The outcome of one 3201 or 3202 as answered, kept so that the agency of
// the institution's province and the operators see which reconciliations
// failed and why.
struct ReconciliationRow {
  int64_t id = 0;               // assigned by the store
  std::string fixmedins_code;
  std::string province;         // of the institution: "130000"
  std::string infno;            // 3201 | 3202
  Date stmt_begndate;
  Date stmt_enddate;
  std::string insutype;         // as sent (may be empty for 3202)
  std::string clr_type;
  std::string stmt_rslt;        // "0" balanced, "1" not
  int64_t matched = 0;          // 3202: records that matched
  int64_t differences = 0;      // all the differences found (3201: the figures that differ)
  std::string differences_json; // a JSON array of at most kReconciliationDifferencesMax of them
  LocalSeconds time = 0;
  std::string msgid;
};

// Bound on the differences kept with one reconciliation (the count is kept whole).
inline constexpr size_t kReconciliationDifferencesMax = 200;

// Which reconciliations a query reads: empty fields select all.
struct ReconciliationFilter {
  std::string province;
  std::string fixmedins_code;
  std::optional<Date> from;     // stmt_enddate on or after
  std::optional<Date> to;       // stmt_begndate on or before
  bool failed_only = true;
  int64_t before_id = 0;        // page: ids below this (0: from the newest)
  size_t limit = 50;
};

class ClearingReader {
 public:
  explicit ClearingReader(sql::Conn& conn) : c_(conn) {}

  // The closed months, oldest first, without their reports.
  [[nodiscard]] Result<std::vector<ClosedMonthRow>> ClosedMonths();
  [[nodiscard]] Result<std::optional<ClosedMonthRow>> FindClosedMonth(int32_t setlym);
  [[nodiscard]] Result<std::vector<PrepaidMovementRow>> PrepaidMovements(std::string_view province);
  [[nodiscard]] Result<std::vector<MonthSpendRow>> MonthSpends();
  [[nodiscard]] Result<std::vector<ClearingApplicationRow>> ClearingApplications(std::string_view fixmedins_code);
  [[nodiscard]] Result<std::optional<ClearingApplicationRow>> FindClearingApplication(std::string_view appl_id);
  // Newest first.
  [[nodiscard]] Result<std::vector<ReconciliationRow>> Reconciliations(const ReconciliationFilter& filter);

 protected:
  sql::Conn& c_;
};

class ClearingWriter : public ClearingReader {
 public:
  using ClearingReader::ClearingReader;

  // XT-CLR-002 when the month is already stored.
  [[nodiscard]] Status InsertClosedMonth(const ClosedMonthRow& month);
  [[nodiscard]] Result<int64_t> InsertPrepaidMovement(const PrepaidMovementRow& movement);
  [[nodiscard]] Status InsertMonthSpend(const MonthSpendRow& spend);
  [[nodiscard]] Status PutClearingApplication(const ClearingApplicationRow& application);
  [[nodiscard]] Result<int64_t> InsertReconciliation(const ReconciliationRow& reconciliation);
};

// The tables' schema (sql.h's dialect), created on every opening.
extern const char kClearingSchema[];

}  // namespace xt::store
