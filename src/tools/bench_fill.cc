// Bulk rows for the clearing benchmark (bench_fill.h).
#include "tools/bench_fill.h"

#include <sqlite3.h>

#include <string>

#include "core/date.h"
#include "store/sqlite_db.h"

namespace xt::store {

namespace {

// ?1 rows, ?2 the month's first second, ?3 the seconds they spread over. b is the
// row whose figures a row carries: itself, or for a reversal the row before.
const char kFillSql[] = R"SQL(
WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < ?1),
r AS (SELECT i, CASE WHEN i % 33 = 32 THEN i - 1 ELSE i END AS b, CASE WHEN i % 33 = 32 THEN -1 ELSE 1 END AS sg FROM c),
g AS (SELECT i, b, sg, b % 3 AS t, (b % 3 + 1 + (b / 3) % 2) % 3 AS n, 10000 + (b * 7919) % 990000 AS fee FROM r)
INSERT INTO settlements(setl_id, kind, orig_setl_id, state, mdtrt_id, psn_no, fixmedins_code, insuplc_admdvs,
  mdtrtarea_admvs, insutype, med_type, setl_time, year, msgid, medfee_sumamt, fulamt_ownpay_amt, overlmt_selfpay,
  preselfpay_amt, inscp_scp_amt, act_pay_dedc, hifp_pay, cvlserv_pay, hifes_pay, hifmi_pay, hifob_pay, maf_pay,
  oth_pay, fund_pay_sumamt, psn_part_amt, acct_pay, psn_cash_pay, hosp_part_amt, balc, pool_prop_selfpay_bp,
  deltas, detail)
SELECT printf('B%012d', i), CASE WHEN sg < 0 THEN 'reversal' ELSE 'settle' END,
  CASE WHEN sg < 0 THEN printf('B%012d', b) ELSE '' END,
  CASE WHEN sg < 0 THEN 'reversal' WHEN i % 33 = 31 THEN 'reversed' ELSE 'settled' END,
  printf('M%012d', b), printf('P%010d', b / 4),
  printf('H%d%010d', t + 1, (b / 3) % 1000),
  printf('%d0100', n + 11), printf('%d0100', t + 11),
  CASE b % 6 WHEN 0 THEN '310' WHEN 1 THEN '390' WHEN 2 THEN '320' WHEN 3 THEN '330' WHEN 4 THEN '340' ELSE '391' END,
  CASE WHEN b % 8 = 0 THEN '21' ELSE '11' END,
  ?2 + i * ?3 / ?1, ?2 / 31557600 + 1970, printf('B%012d', i),
  sg * fee, 0, 0, 0, sg * fee, 0,
  sg * (fee * 6 / 10), 0, 0, 0, sg * (CASE WHEN b % 5 = 0 THEN fee / 10 ELSE 0 END), 0, 0,
  sg * (fee * 6 / 10 + CASE WHEN b % 5 = 0 THEN fee / 10 ELSE 0 END),
  sg * (fee - fee * 6 / 10 - CASE WHEN b % 5 = 0 THEN fee / 10 ELSE 0 END),
  sg * (fee / 20),
  sg * (fee - fee * 6 / 10 - CASE WHEN b % 5 = 0 THEN fee / 10 ELSE 0 END - fee / 20),
  0, 0, 0, '', ''
FROM g
)SQL";

}  // namespace

Status FillClearingBench(const std::string& path, int64_t rows, int32_t setlym) {
  if (rows < 1 || rows > 100000000) return Status::Error("XT-STORE-005", "bench rows must be 1..100,000,000");
  XT_ASSIGN_OR_RETURN(auto db, Db::Open(path, 5000));
  XT_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode = OFF"));
  XT_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous = OFF"));
  XT_RETURN_IF_ERROR(db->Exec("PRAGMA cache_size = -262144"));
  const LocalSeconds start = StartOf(Date::FromCivil(setlym / 100, setlym % 100, 1));
  const int64_t month_seconds = 28LL * 86400;  // every row inside the month, whatever its length
  XT_RETURN_IF_ERROR(db->Exec("BEGIN"));
  XT_ASSIGN_OR_RETURN(sqlite3_stmt * raw, db->Prepare(kFillSql));
  {
    Stmt s(raw);
    s.Bind(1, rows).Bind(2, start).Bind(3, month_seconds);
    Status st = s.Run();
    if (!st.ok()) {
      // The fill's own failure is the one to report; should the ROLLBACK
      // fail too, closing the connection on return ends the transaction.
      (void)db->Exec("ROLLBACK");
      return st;
    }
  }
  XT_RETURN_IF_ERROR(db->Exec("COMMIT"));
  return db->Exec("PRAGMA journal_mode = WAL");
}

}  // namespace xt::store
