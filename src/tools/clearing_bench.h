// A benchmark of clearing one month: `rows` cross-region settlements (3% of
// them reversals) across Beijing, Tianjin and Hebei, 3,000 institutions, six
// insurance types and both clearing types, made as SettlementFacts with a
// fast seeded generator. No I/O. The figures and how they were taken are in
// docs/benchmarks.md ("Clearing").
//
// Two ways to feed the month, as the store could:
//   kInMemory  all rows are made into one vector first (timed apart), then
//              CloseMonth runs over it: the time of clearing alone, and the
//              memory of a month held as facts (96 bytes a row);
//   kStreaming each row is made and handed to MonthCloser::Add at once, as
//              a scan of the store would: memory stays that of the
//              aggregates (per province pair, fund and institution).
// Peak memory is the process's (getrusage ru_maxrss), so run one mode per
// process to read it.
#pragma once

#include <cstdint>
#include <string>

namespace xt::clearing {

enum class BenchMode { kInMemory, kStreaming };

struct ClearingBenchResult {
  int64_t rows = 0;
  int64_t reversals = 0;
  int64_t institutions = 0;
  double generate_seconds = 0;  // kInMemory: making the vector
  double close_seconds = 0;     // kInMemory: CloseMonth; kStreaming: making and adding every row, then Finish
  double render_seconds = 0;    // MonthJson and the three CSVs
  double rows_per_s = 0;        // rows / close_seconds
  int64_t facts_bytes = 0;      // the vector's bytes (kInMemory)
  int64_t peak_rss_kib = 0;     // ru_maxrss at the end
  int64_t report_bytes = 0;     // JSON + CSV
  int64_t owed_total_fen = 0;   // all flows: keeps the work observable
  uint64_t checksum = 0;        // a hash of the JSON report: the same for one seed on every run
  std::string json() const;
};

// Aborts with a message on stderr when the month cannot be closed: a
// benchmark of a failure would measure nothing useful.
ClearingBenchResult RunClearingBench(int64_t rows, uint64_t seed, BenchMode mode);

}  // namespace xt::clearing
