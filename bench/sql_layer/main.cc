// The hot path's statements through three SQL layers on the same SQLite file:
// (a) the sqlite3 C API itself, (b) our layer (src/store/sql.h over
// SqliteConn), (c) SOCI 4 with its sqlite3 backend. Each row is the write a
// settlement makes: one INSERT of a 36-column settlements row, one account
// upsert, one point SELECT by a unique text key, 500 rows a transaction.
// Same SQL text, same data, same pragmas (WAL, synchronous=OFF: the
// statement layer is timed, not the disk), a fresh file for every run; runs
// alternate a b c a b c ... and the medians of wall and CPU time are
// reported. The three must read the same values (a checksum of what the
// SELECTs returned) or the program fails. row.h holds what they share,
// soci_variant.cc variant (c). scripts/bench-sql-layer.sh builds and runs
// it; docs/benchmarks.md has the figures.
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "row.h"
#include "store/page_cache.h"
#include "store/sqlite_conn.h"

namespace xt::bench {

void Die(const std::string& what) {
  std::fprintf(stderr, "sql_layer_bench: %s\n", what.c_str());
  std::exit(1);
}

namespace {

// ---- (a) the sqlite3 C API

void SqliteOk(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) Die(std::string(what) + ": " + sqlite3_errmsg(db));
}

sqlite3_stmt* RawPrepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  SqliteOk(db, sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr), sql);
  return s;
}

void RawText(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}

Timed RunRaw(const std::string& path, int64_t rows) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    Die("open " + path);
  }
  for (const std::string& p : Pragmas()) SqliteOk(db, sqlite3_exec(db, p.c_str(), nullptr, nullptr, nullptr), p.c_str());
  SqliteOk(db, sqlite3_exec(db, kSchema, nullptr, nullptr, nullptr), "schema");
  sqlite3_stmt* ins = RawPrepare(db, kInsertSql);
  sqlite3_stmt* ups = RawPrepare(db, kUpsertSql);
  sqlite3_stmt* sel = RawPrepare(db, kSelectSql);
  sqlite3_stmt* begin = RawPrepare(db, kBeginSql);
  sqlite3_stmt* commit = RawPrepare(db, kCommitSql);
  auto run = [&](sqlite3_stmt* s) {
    SqliteOk(db, sqlite3_step(s), sqlite3_sql(s));
    sqlite3_reset(s);
  };
  Row r;
  Check check;
  const Stopwatch t0;
  for (int64_t i = 0; i < rows; ++i) {
    if (i % kTxnRows == 0) run(begin);
    r.Make(static_cast<uint64_t>(i));
    const std::string* texts[11] = {&r.setl_id,        &r.kind,          &r.orig_setl_id,   &r.state,
                                    &r.mdtrt_id,       &r.psn_no,        &r.fixmedins_code, &r.insuplc_admdvs,
                                    &r.mdtrtarea_admvs, &r.insutype,     &r.med_type};
    for (int k = 0; k < 11; ++k) RawText(ins, k + 1, *texts[k]);
    sqlite3_bind_int64(ins, 12, r.setl_time);
    sqlite3_bind_int64(ins, 13, r.year);
    RawText(ins, 14, r.msgid);
    for (int k = 0; k < 19; ++k) sqlite3_bind_int64(ins, 15 + k, r.amounts[static_cast<size_t>(k)]);
    sqlite3_bind_int64(ins, 34, r.pool_bp);
    RawText(ins, 35, r.deltas);
    RawText(ins, 36, r.detail);
    run(ins);

    RawText(ups, 1, r.account);
    sqlite3_bind_int64(ups, 2, r.debit);
    sqlite3_bind_int64(ups, 3, r.credit);
    run(ups);

    RawText(sel, 1, r.key);
    if (sqlite3_step(sel) != SQLITE_ROW) Die("select found no row");
    const auto text = [&](int c) {
      return std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(sel, c)),
                              static_cast<size_t>(sqlite3_column_bytes(sel, c)));
    };
    // Copied out, as the other two variants hand the text over in strings.
    std::string state(text(0)), mdtrt(text(1));
    check.Add(state, mdtrt, sqlite3_column_int64(sel, 2), sqlite3_column_int64(sel, 3), sqlite3_column_int64(sel, 4));
    sqlite3_reset(sel);

    if (i % kTxnRows == kTxnRows - 1 || i == rows - 1) run(commit);
  }
  const Timed out = t0.Stop(check.sum);
  for (sqlite3_stmt* s : {ins, ups, sel, begin, commit}) sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

// ---- (b) our layer

void LayerOk(const xt::Status& s) {
  if (!s.ok()) Die(s.ToString());
}

Timed RunLayer(const std::string& path, int64_t rows) {
  auto opened = xt::store::SqliteConn::Open(path, 5000);
  if (!opened.ok()) Die(opened.status().ToString());
  xt::store::SqliteConn& c = **opened;
  for (const std::string& p : Pragmas()) LayerOk(c.Exec(p.c_str()));
  LayerOk(c.Exec(kSchema));
  using xt::store::sql::Stmt;
  Row r;
  Check check;
  struct Read {
    std::string state, mdtrt;
    int64_t a, b, c;
  };
  const Stopwatch t0;
  for (int64_t i = 0; i < rows; ++i) {
    if (i % kTxnRows == 0) LayerOk(c.Run(kBeginSql));
    r.Make(static_cast<uint64_t>(i));
    LayerOk(c.Exec(kInsertSql, [&](Stmt& s) {
      s.Bind(1, r.setl_id).Bind(2, r.kind).Bind(3, r.orig_setl_id).Bind(4, r.state);
      s.Bind(5, r.mdtrt_id).Bind(6, r.psn_no).Bind(7, r.fixmedins_code).Bind(8, r.insuplc_admdvs);
      s.Bind(9, r.mdtrtarea_admvs).Bind(10, r.insutype).Bind(11, r.med_type).Bind(12, r.setl_time);
      s.Bind(13, r.year).Bind(14, r.msgid);
      int col = 15;
      for (int64_t a : r.amounts) s.Bind(col++, a);
      s.Bind(col++, r.pool_bp);
      s.Bind(col++, r.deltas);
      s.Bind(col++, r.detail);
    }));
    LayerOk(c.Exec(kUpsertSql, [&](Stmt& s) { s.Bind(1, r.account).Bind(2, r.debit).Bind(3, r.credit); }));
    auto got = c.One<Read>(
        kSelectSql, [&](Stmt& s) { s.Bind(1, r.key); },
        [](const Stmt& s) { return Read{s.Text(0), s.Text(1), s.Int(2), s.Int(3), s.Int(4)}; });
    if (!got.ok()) Die(got.status().ToString());
    if (!*got) Die("select found no row");
    const Read& x = **got;
    check.Add(x.state, x.mdtrt, x.a, x.b, x.c);
    if (i % kTxnRows == kTxnRows - 1 || i == rows - 1) LayerOk(c.Run(kCommitSql));
  }
  return t0.Stop(check.sum);
}

// ---- the driver

struct Variant {
  const char* name;
  std::function<Timed(const std::string&, int64_t)> run;
  std::vector<double> ns, cpu_ns;
  uint64_t check = 0;
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void RemoveDb(const std::string& path) {
  for (const char* tail : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + tail);
}

int Usage() {
  std::fprintf(stderr,
               "usage: sql_layer_bench [--rows N (<= 2000000, default 200000)] [--runs R (default 5)]\n"
               "                       [--cache-mib M (default 64)] [--only raw|layer|soci]\n"
               "                       [--multithread] [--dir DIR] [--json]\n");
  return 2;
}

}  // namespace
}  // namespace xt::bench

using namespace xt::bench;

int main(int argc, char** argv) {
  int64_t rows = 200000;
  int runs = 5;
  int cache_mib = 64;
  bool json = false;
  bool multithread = false;
  std::string only, dir_arg;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--json") {
      json = true;
    } else if (a == "--multithread") {
      multithread = true;
    } else if (a == "--rows" && has_value) {
      rows = std::atoll(argv[++i]);
    } else if (a == "--runs" && has_value) {
      runs = std::atoi(argv[++i]);
    } else if (a == "--cache-mib" && has_value) {
      cache_mib = std::atoi(argv[++i]);
    } else if (a == "--only" && has_value) {
      only = argv[++i];
    } else if (a == "--dir" && has_value) {
      dir_arg = argv[++i];
    } else {
      return Usage();
    }
  }
  if (rows < 1 || rows > 2000000 || runs < 1 || runs > 50 || cache_mib < 1 || cache_mib > 16384) return Usage();
  Pragmas() = {"PRAGMA page_size = 2048", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = OFF",
               "PRAGMA cache_size = -" + std::to_string(cache_mib * 1024)};

  // The store's SQLite set-up (its page-cache wrapper, no memory
  // statistics) before SQLite's first use, so every variant runs on the same.
  // --multithread: no connection mutexes for any variant. SOCI 4.0 opens its
  // connection without SQLITE_OPEN_NOMUTEX (and has no option for it), so
  // by default its connection locks a mutex in every sqlite3 call.
  if (multithread && sqlite3_config(SQLITE_CONFIG_MULTITHREAD) != SQLITE_OK) Die("SQLITE_CONFIG_MULTITHREAD failed");
  if (!xt::store::InstallPageCacheWrapper()) Die("the page cache wrapper could not be installed");

  std::vector<Variant> variants = {{"raw_sqlite3", RunRaw, {}, {}, 0},
                                   {"our_layer", RunLayer, {}, {}, 0},
                                   {"soci4_sqlite3", RunSoci, {}, {}, 0}};
  if (!only.empty()) {
    const std::string want = only == "raw" ? "raw_sqlite3" : only == "layer" ? "our_layer" : "soci4_sqlite3";
    if (only != "raw" && only != "layer" && only != "soci") return Usage();
    std::erase_if(variants, [&](const Variant& v) { return v.name != want; });
  }

  std::string dir = dir_arg;
  if (dir.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sql-layer-bench-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) Die("mkdtemp failed");
    dir = tmpl;
  }
  const std::string path = dir + "/bench.db";

  for (int run = 0; run < runs; ++run) {
    for (Variant& v : variants) {
      RemoveDb(path);
      Timed t;
      try {
        t = v.run(path, rows);
      } catch (const std::exception& e) {
        Die(std::string(v.name) + ": " + e.what());
      }
      if (run > 0 && t.check != v.check) Die(std::string(v.name) + ": the rows read differ between runs");
      v.ns.push_back(t.ns / static_cast<double>(rows));
      v.cpu_ns.push_back(t.cpu_ns / static_cast<double>(rows));
      v.check = t.check;
      if (!json) {
        std::fprintf(stderr, "run %d %-14s %8.0f ns/row, CPU %8.0f ns/row\n", run + 1, v.name, v.ns.back(),
                     v.cpu_ns.back());
      }
    }
  }
  RemoveDb(path);
  if (dir_arg.empty()) std::filesystem::remove(dir);
  for (const Variant& v : variants) {
    if (v.check != variants[0].check) Die(std::string(v.name) + ": read other values than " + variants[0].name);
  }

  if (!json) {
    std::printf("%-14s %10s %10s %14s   (median of %d runs, %lld rows, %d rows a transaction)\n", "variant",
                "rows/s", "ns/row", "CPU ns/row", runs, static_cast<long long>(rows), kTxnRows);
  }
  const auto list = [](const std::vector<double>& v) {
    std::string out;
    for (double x : v) out += (out.empty() ? "" : ",") + std::to_string(static_cast<int64_t>(x + 0.5));
    return out;
  };
  for (const Variant& v : variants) {
    const double ns_row = Median(v.ns), cpu_row = Median(v.cpu_ns);
    if (json) {
      std::printf(
          "{\"variant\":\"%s\",\"rows\":%lld,\"txn_rows\":%d,\"runs\":%d,\"rows_per_s\":%.0f,\"ns_per_row\":%.0f,"
          "\"cpu_ns_per_row\":%.0f,\"ns_per_row_runs\":[%s],\"cpu_ns_per_row_runs\":[%s],\"check\":\"%016llx\"}\n",
          v.name, static_cast<long long>(rows), kTxnRows, runs, 1e9 / ns_row, ns_row, cpu_row, list(v.ns).c_str(),
          list(v.cpu_ns).c_str(), static_cast<unsigned long long>(v.check));
    } else {
      std::printf("%-14s %10.0f %10.0f %14.0f\n", v.name, 1e9 / ns_row, ns_row, cpu_row);
    }
  }
  return 0;
}
