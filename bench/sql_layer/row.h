// What the three variants of sql_layer_bench share (main.cc says what is
// measured): the schema, the pragmas and the statements' text, one row's
// values made again from the row number, and what a run returns.
#pragma once

#include <array>
#include <chrono>
#include <ctime>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xt::bench {

// ---- the statements, shared by the three variants

// The settlements table of src/store/settlements_store.cc, as SQLite has it
// (INT64 is INTEGER, ID_KEY is INTEGER PRIMARY KEY), with its indexes, and
// the accounts table of src/store/ledger_store.cc.
inline constexpr const char* kSchema = R"SQL(
CREATE TABLE settlements(
  id INTEGER PRIMARY KEY, setl_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, orig_setl_id TEXT NOT NULL,
  state TEXT NOT NULL, mdtrt_id TEXT NOT NULL, psn_no TEXT NOT NULL, fixmedins_code TEXT NOT NULL,
  insuplc_admdvs TEXT NOT NULL, mdtrtarea_admvs TEXT NOT NULL, insutype TEXT NOT NULL, med_type TEXT NOT NULL,
  setl_time INTEGER NOT NULL, year INTEGER NOT NULL, msgid TEXT NOT NULL,
  medfee_sumamt INTEGER NOT NULL, fulamt_ownpay_amt INTEGER NOT NULL, overlmt_selfpay INTEGER NOT NULL,
  preselfpay_amt INTEGER NOT NULL, inscp_scp_amt INTEGER NOT NULL, act_pay_dedc INTEGER NOT NULL,
  hifp_pay INTEGER NOT NULL, cvlserv_pay INTEGER NOT NULL, hifes_pay INTEGER NOT NULL, hifmi_pay INTEGER NOT NULL,
  hifob_pay INTEGER NOT NULL, maf_pay INTEGER NOT NULL, oth_pay INTEGER NOT NULL, fund_pay_sumamt INTEGER NOT NULL,
  psn_part_amt INTEGER NOT NULL, acct_pay INTEGER NOT NULL, psn_cash_pay INTEGER NOT NULL,
  hosp_part_amt INTEGER NOT NULL, balc INTEGER NOT NULL, pool_prop_selfpay_bp INTEGER NOT NULL,
  deltas TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX settlements_visit ON settlements(mdtrt_id);
CREATE INDEX settlements_inst ON settlements(fixmedins_code, setl_time);
CREATE INDEX settlements_insuplc ON settlements(substr(insuplc_admdvs, 1, 2), setl_time);
CREATE INDEX settlements_mdtrtarea ON settlements(substr(mdtrtarea_admvs, 1, 2), setl_time);
CREATE INDEX settlements_time ON settlements(setl_time);
CREATE TABLE accounts(
  account TEXT PRIMARY KEY, debits_fen INTEGER NOT NULL, credits_fen INTEGER NOT NULL) WITHOUT ROWID;
)SQL";

// The pragmas of the store (src/store/sqlite_store.cc) but synchronous=OFF
// and a page cache of --cache-mib (main sets it): the same for every variant.
inline std::vector<std::string>& Pragmas() {
  static std::vector<std::string> p;
  return p;
}

inline constexpr const char kInsertSql[] =
    "INSERT INTO settlements(setl_id, kind, orig_setl_id, state, mdtrt_id, psn_no, fixmedins_code, "
    "insuplc_admdvs, mdtrtarea_admvs, insutype, med_type, setl_time, year, msgid, medfee_sumamt, "
    "fulamt_ownpay_amt, overlmt_selfpay, preselfpay_amt, inscp_scp_amt, act_pay_dedc, hifp_pay, cvlserv_pay, "
    "hifes_pay, hifmi_pay, hifob_pay, maf_pay, oth_pay, fund_pay_sumamt, psn_part_amt, acct_pay, psn_cash_pay, "
    "hosp_part_amt, balc, pool_prop_selfpay_bp, deltas, detail) "
    "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
inline constexpr const char kUpsertSql[] =
    "INSERT INTO accounts(account, debits_fen, credits_fen) VALUES(?,?,?) "
    "ON CONFLICT(account) DO UPDATE SET debits_fen = accounts.debits_fen + excluded.debits_fen";
inline constexpr const char kSelectSql[] =
    "SELECT state, mdtrt_id, medfee_sumamt, fund_pay_sumamt, psn_cash_pay FROM settlements WHERE setl_id = ?";
inline constexpr const char kBeginSql[] = "BEGIN";
inline constexpr const char kCommitSql[] = "COMMIT";

inline constexpr int kTxnRows = 500;

// ---- the data: one row's values, made again from the row number in place

// Writes `n` as `width` decimal digits at the end of `s` (which holds a
// fixed prefix and room for the digits).
inline void Digits(std::string& s, size_t at, int width, uint64_t n) {
  for (int i = width - 1; i >= 0; --i) {
    s[at + static_cast<size_t>(i)] = static_cast<char>('0' + n % 10);
    n /= 10;
  }
}

inline uint64_t Mix(uint64_t x) {  // splitmix64's finaliser: cheap, well spread
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The bound values live here; every variant binds these same strings and
// integers (SOCI binds them once, by reference, as its documentation shows).
struct Row {
  // 14 text columns, 6 to 30 bytes, in the INSERT's order (12 before
  // setl_time, msgid after year, deltas and detail last).
  std::string setl_id = "SETL0000000000000000";            // 20
  std::string kind = "settle";                             // 6
  std::string orig_setl_id = "SETL0000000000000000";       // 20
  std::string state = "settled";                           // 7
  std::string mdtrt_id = "MDTRT000000000000000000";        // 23
  std::string psn_no = "PSN00000000000000000";            // 20
  std::string fixmedins_code = "H00000000000";             // 12
  std::string insuplc_admdvs = "110000";                   // 6
  std::string mdtrtarea_admvs = "310000";                  // 6
  std::string insutype = "310-01";                         // 6
  std::string med_type = "11-outpt";                       // 8
  std::string msgid = "H00000000000202612070000000000";    // 30
  std::string deltas = "fund_year\t0000000\nvisits\t1\n";  // 27
  std::string detail = "{\"lines\":00,\"flag\":0}";        // 21
  // 22 integer columns: setl_time, year, 19 amounts, pool_prop_selfpay_bp.
  int64_t setl_time = 0, year = 2026;
  std::array<int64_t, 19> amounts{};
  int64_t pool_bp = 0;
  // The upsert's account and amount, the SELECT's key.
  std::string account = "fund:H00000000000";  // 17
  int64_t debit = 0, credit = 0;
  std::string key = "SETL0000000000000000";

  void Make(uint64_t i) {
    const uint64_t h = Mix(i);
    Digits(setl_id, 4, 16, i);
    Digits(orig_setl_id, 4, 16, i ? i - 1 : 0);
    Digits(mdtrt_id, 5, 18, i * 3 + 1);
    Digits(psn_no, 3, 17, h % 5000000);
    const uint64_t inst = h % 3000;
    Digits(fixmedins_code, 1, 11, 44000000000ULL + inst);
    static constexpr const char* kAreas[] = {"110105", "310104", "440106", "330102"};
    insuplc_admdvs.assign(kAreas[(h >> 12) & 3]);
    mdtrtarea_admvs.assign(kAreas[(h >> 14) & 3]);
    Digits(msgid, 1, 11, 44000000000ULL + inst);
    Digits(msgid, 20, 10, i);
    Digits(deltas, 10, 7, h % 10000000);
    Digits(detail, 9, 2, (h >> 20) % 100);
    setl_time = 1796428800 + static_cast<int64_t>(i);
    for (size_t k = 0; k < amounts.size(); ++k) amounts[k] = static_cast<int64_t>((h >> k) % 100000);
    pool_bp = static_cast<int64_t>(h % 10000);
    Digits(account, 6, 11, 44000000000ULL + inst);
    debit = amounts[13];
    // The SELECT reads a row written before (or this one): a spread of
    // recent and old rows, as lookups of earlier settlements are.
    Digits(key, 4, 16, Mix(i ^ 0x5bd1e995) % (i + 1));
  }
};

// What a SELECT read, folded so that the three variants can be compared.
struct Check {
  uint64_t sum = 0;
  void Add(std::string_view state, std::string_view mdtrt, int64_t a, int64_t b, int64_t c) {
    sum = sum * 31 + state.size() + mdtrt.size() + static_cast<uint8_t>(mdtrt.back()) +
          static_cast<uint64_t>(a + 3 * b + 7 * c);
  }
};

// Prints what failed and ends the program.
[[noreturn]] void Die(const std::string& what);

// Each variant: open the file, make the schema (not timed), then the timed
// loop; returns its wall and CPU time (the process's, user and system: on a
// shared machine the wall time includes waiting for a core) and what the
// SELECTs read.
struct Timed {
  double ns = 0;
  double cpu_ns = 0;
  uint64_t check = 0;
};

struct Stopwatch {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  double cpu = CpuNs();
  static double CpuNs() {
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
  }
  Timed Stop(uint64_t check) const {
    return {std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - wall).count(),
            CpuNs() - cpu, check};
  }
};

// (c), in soci_variant.cc: SOCI's sqlite3 header includes sqlite3.h inside
// a namespace of its own, so it cannot share a file with the other two.
Timed RunSoci(const std::string& path, int64_t rows);

}  // namespace xt::bench
