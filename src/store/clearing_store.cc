// The statements of inter-region clearing (docs/clearing.md): closed months with
// their reports, prepaid movements, month spends, 3203 applications, the
// outcomes of 3201/3202. The
// settlements a close counts are read from the settlements' own store
// (settlements_store.h: ForEachClearingRow).
#include "store/clearing_store.h"

#include "store/sql.h"

namespace xt::store {

#define XT_RECON_COLS                                                                                   \
  "id, fixmedins_code, province, infno, stmt_begndate, stmt_enddate, insutype, clr_type, stmt_rslt, " \
  "matched, differences, differences_json, time, msgid"

#define XT_APPL_COLS                                                                                          \
  "appl_id, fixmedins_code, setlym, clr_type, clr_way, psntime, medfee_sumamt, fund_appy_sum, acct_pay, " \
  "cash_payamt, state, time"

const char kClearingSchema[] = R"SQL(
CREATE TABLE IF NOT EXISTS clearing_months(
  setlym INT64 PRIMARY KEY, seq_through INT64 NOT NULL, closed_at INT64 NOT NULL, report_json TEXT NOT NULL,
  flows_csv TEXT NOT NULL, institutions_csv TEXT NOT NULL, funds_csv TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS prepaid_movements(
  id ID_KEY, province TEXT NOT NULL, kind TEXT NOT NULL, amount_fen INT64 NOT NULL CHECK(amount_fen > 0),
  time INT64 NOT NULL, ref TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS prepaid_movements_province ON prepaid_movements(province, id);
CREATE TABLE IF NOT EXISTS clearing_spend(
  setlym INT64 NOT NULL, province TEXT NOT NULL, spend_fen INT64 NOT NULL, PRIMARY KEY(setlym, province))
  CLUSTERED;
CREATE TABLE IF NOT EXISTS clearing_applications(
  appl_id TEXT PRIMARY KEY, fixmedins_code TEXT NOT NULL, setlym INT64 NOT NULL, clr_type TEXT NOT NULL,
  clr_way TEXT NOT NULL, psntime INT64 NOT NULL, medfee_sumamt INT64 NOT NULL, fund_appy_sum INT64 NOT NULL,
  acct_pay INT64 NOT NULL, cash_payamt INT64 NOT NULL, state TEXT NOT NULL, time INT64 NOT NULL) CLUSTERED;
CREATE INDEX IF NOT EXISTS clearing_applications_inst ON clearing_applications(fixmedins_code, setlym);
CREATE TABLE IF NOT EXISTS reconciliations(
  id ID_KEY, fixmedins_code TEXT NOT NULL, province TEXT NOT NULL, infno TEXT NOT NULL,
  stmt_begndate INT64 NOT NULL, stmt_enddate INT64 NOT NULL, insutype TEXT NOT NULL, clr_type TEXT NOT NULL,
  stmt_rslt TEXT NOT NULL, matched INT64 NOT NULL, differences INT64 NOT NULL, differences_json TEXT NOT NULL,
  time INT64 NOT NULL, msgid TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS reconciliations_province ON reconciliations(province, id);
)SQL";

// ---- reads

static ClosedMonthRow ReadClosedMonth(const sql::Stmt& s, bool reports) {
  ClosedMonthRow m;
  m.setlym = static_cast<int32_t>(s.Int(0));
  m.seq_through = s.Int(1);
  m.closed_at = s.Int(2);
  if (reports) {
    m.report_json = s.Text(3);
    m.flows_csv = s.Text(4);
    m.institutions_csv = s.Text(5);
    m.funds_csv = s.Text(6);
  }
  return m;
}

Result<std::vector<ClosedMonthRow>> ClearingReader::ClosedMonths() {
  std::vector<ClosedMonthRow> out;
  XT_RETURN_IF_ERROR(c_.Scan("SELECT setlym, seq_through, closed_at FROM clearing_months ORDER BY setlym",
                          [](sql::Stmt&) {}, [&](const sql::Stmt& s) {
                            out.push_back(ReadClosedMonth(s, false));
                            return true;
                          }));
  return out;
}

Result<std::optional<ClosedMonthRow>> ClearingReader::FindClosedMonth(int32_t setlym) {
  return c_.One<ClosedMonthRow>(
      "SELECT setlym, seq_through, closed_at, report_json, flows_csv, institutions_csv, funds_csv "
      "FROM clearing_months WHERE setlym = ?",
      [&](sql::Stmt& s) { s.Bind(1, static_cast<int64_t>(setlym)); },
      [](const sql::Stmt& s) { return ReadClosedMonth(s, true); });
}

Result<std::vector<PrepaidMovementRow>> ClearingReader::PrepaidMovements(std::string_view province) {
  std::vector<PrepaidMovementRow> out;
  XT_RETURN_IF_ERROR(c_.Scan("SELECT id, province, kind, amount_fen, time, ref FROM prepaid_movements "
                          "WHERE ?1 = '' OR province = ?1 ORDER BY id",
                          [&](sql::Stmt& s) { s.Bind(1, province); },
                          [&](const sql::Stmt& s) {
                            out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Int(3), s.Int(4), s.Text(5)});
                            return true;
                          }));
  return out;
}

Result<std::vector<MonthSpendRow>> ClearingReader::MonthSpends() {
  std::vector<MonthSpendRow> out;
  XT_RETURN_IF_ERROR(c_.Scan("SELECT setlym, province, spend_fen FROM clearing_spend ORDER BY setlym, province",
                          [](sql::Stmt&) {}, [&](const sql::Stmt& s) {
                            out.push_back({static_cast<int32_t>(s.Int(0)), s.Text(1), s.Int(2)});
                            return true;
                          }));
  return out;
}

static ClearingApplicationRow ReadApplication(const sql::Stmt& s) {
  return ClearingApplicationRow{s.Text(0), s.Text(1), static_cast<int32_t>(s.Int(2)), s.Text(3), s.Text(4),
                                s.Int(5),  s.Int(6),  s.Int(7), s.Int(8), s.Int(9), s.Text(10), s.Int(11)};
}

Result<std::vector<ClearingApplicationRow>> ClearingReader::ClearingApplications(std::string_view code) {
  std::vector<ClearingApplicationRow> out;
  XT_RETURN_IF_ERROR(c_.Scan("SELECT " XT_APPL_COLS " FROM clearing_applications WHERE fixmedins_code = ? "
                          "ORDER BY setlym, appl_id",
                          [&](sql::Stmt& s) { s.Bind(1, code); },
                          [&](const sql::Stmt& s) {
                            out.push_back(ReadApplication(s));
                            return true;
                          }));
  return out;
}

Result<std::optional<ClearingApplicationRow>> ClearingReader::FindClearingApplication(std::string_view appl_id) {
  return c_.One<ClearingApplicationRow>("SELECT " XT_APPL_COLS " FROM clearing_applications WHERE appl_id = ?",
                                     [&](sql::Stmt& s) { s.Bind(1, appl_id); }, ReadApplication);
}

static ReconciliationRow ReadReconciliation(const sql::Stmt& s) {
  ReconciliationRow r;
  r.id = s.Int(0);
  r.fixmedins_code = s.Text(1);
  r.province = s.Text(2);
  r.infno = s.Text(3);
  r.stmt_begndate = Date{static_cast<int32_t>(s.Int(4))};
  r.stmt_enddate = Date{static_cast<int32_t>(s.Int(5))};
  r.insutype = s.Text(6);
  r.clr_type = s.Text(7);
  r.stmt_rslt = s.Text(8);
  r.matched = s.Int(9);
  r.differences = s.Int(10);
  r.differences_json = s.Text(11);
  r.time = s.Int(12);
  r.msgid = s.Text(13);
  return r;
}

Result<std::vector<ReconciliationRow>> ClearingReader::Reconciliations(const ReconciliationFilter& f) {
  std::vector<ReconciliationRow> out;
  // Each condition holds when its parameter is empty (or zero): one statement.
  XT_RETURN_IF_ERROR(c_.Scan(
      "SELECT " XT_RECON_COLS " FROM reconciliations WHERE (?1 = '' OR province = ?1) AND "
      "(?2 = '' OR fixmedins_code = ?2) AND (?3 = 0 OR stmt_enddate >= ?4) AND (?5 = 0 OR stmt_begndate <= ?6) "
      "AND (?7 = 0 OR stmt_rslt <> '0') AND (?8 = 0 OR id < ?8) ORDER BY id DESC LIMIT ?9",
      [&](sql::Stmt& s) {
        s.Bind(1, f.province).Bind(2, f.fixmedins_code);
        s.Bind(3, static_cast<int64_t>(f.from.has_value()));
        s.Bind(4, static_cast<int64_t>(f.from ? f.from->days : 0));
        s.Bind(5, static_cast<int64_t>(f.to.has_value()));
        s.Bind(6, static_cast<int64_t>(f.to ? f.to->days : 0));
        s.Bind(7, static_cast<int64_t>(f.failed_only)).Bind(8, f.before_id).Bind(9, static_cast<int64_t>(f.limit));
      },
      [&](const sql::Stmt& s) {
        out.push_back(ReadReconciliation(s));
        return true;
      }));
  return out;
}

// ---- writes

Status ClearingWriter::InsertClosedMonth(const ClosedMonthRow& m) {
  XT_ASSIGN_OR_RETURN(auto existing, c_.One<int64_t>("SELECT setlym FROM clearing_months WHERE setlym = ?",
                                                  [&](sql::Stmt& s) { s.Bind(1, static_cast<int64_t>(m.setlym)); },
                                                  [](const sql::Stmt& s) { return s.Int(0); }));
  if (existing) return Status::Error("XT-CLR-002", "the month is already closed", std::to_string(m.setlym));
  return c_.Exec("INSERT INTO clearing_months(setlym, seq_through, closed_at, report_json, flows_csv, "
              "institutions_csv, funds_csv) VALUES(?,?,?,?,?,?,?)",
              [&](sql::Stmt& s) {
                s.Bind(1, static_cast<int64_t>(m.setlym)).Bind(2, m.seq_through).Bind(3, m.closed_at);
                s.Bind(4, m.report_json).Bind(5, m.flows_csv).Bind(6, m.institutions_csv).Bind(7, m.funds_csv);
              });
}

Result<int64_t> ClearingWriter::InsertPrepaidMovement(const PrepaidMovementRow& m) {
  XT_INVARIANT(m.amount_fen > 0, "a prepaid movement moves a positive amount");
  XT_ASSIGN_OR_RETURN(auto id, c_.One<int64_t>("INSERT INTO prepaid_movements(province, kind, amount_fen, time, ref) "
                                               "VALUES(?,?,?,?,?) RETURNING id",
                                               [&](sql::Stmt& s) {
                                                 s.Bind(1, m.province).Bind(2, m.kind).Bind(3, m.amount_fen);
                                                 s.Bind(4, m.time).Bind(5, m.ref);
                                               },
                                               [](const sql::Stmt& s) { return s.Int(0); }));
  if (!id) return StoreError("no id returned for a prepaid movement");
  return *id;
}

Status ClearingWriter::InsertMonthSpend(const MonthSpendRow& m) {
  return c_.Exec("INSERT INTO clearing_spend(setlym, province, spend_fen) VALUES(?,?,?)", [&](sql::Stmt& s) {
    s.Bind(1, static_cast<int64_t>(m.setlym)).Bind(2, m.province).Bind(3, m.spend_fen);
  });
}

Status ClearingWriter::PutClearingApplication(const ClearingApplicationRow& a) {
  return c_.Exec("INSERT INTO clearing_applications(" XT_APPL_COLS ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?) "
              "ON CONFLICT(appl_id) DO UPDATE SET state = excluded.state, time = excluded.time",
              [&](sql::Stmt& s) {
                s.Bind(1, a.appl_id).Bind(2, a.fixmedins_code).Bind(3, static_cast<int64_t>(a.setlym));
                s.Bind(4, a.clr_type).Bind(5, a.clr_way).Bind(6, a.psntime).Bind(7, a.medfee_sumamt);
                s.Bind(8, a.fund_appy_sum).Bind(9, a.acct_pay).Bind(10, a.cash_payamt).Bind(11, a.state);
                s.Bind(12, a.time);
              });
}

Result<int64_t> ClearingWriter::InsertReconciliation(const ReconciliationRow& r) {
  XT_ASSIGN_OR_RETURN(auto id, c_.One<int64_t>("INSERT INTO reconciliations(fixmedins_code, province, infno, "
                                               "stmt_begndate, stmt_enddate, insutype, clr_type, stmt_rslt, matched, "
                                               "differences, differences_json, time, msgid) "
                                               "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                                               [&](sql::Stmt& s) {
                                                 s.Bind(1, r.fixmedins_code).Bind(2, r.province).Bind(3, r.infno);
                                                 s.Bind(4, static_cast<int64_t>(r.stmt_begndate.days));
                                                 s.Bind(5, static_cast<int64_t>(r.stmt_enddate.days));
                                                 s.Bind(6, r.insutype).Bind(7, r.clr_type).Bind(8, r.stmt_rslt);
                                                 s.Bind(9, r.matched).Bind(10, r.differences);
                                                 s.Bind(11, r.differences_json).Bind(12, r.time).Bind(13, r.msgid);
                                               },
                                               [](const sql::Stmt& s) { return s.Int(0); }));
  if (!id) return StoreError("no id returned for a reconciliation");
  return *id;
}

}  // namespace xt::store
