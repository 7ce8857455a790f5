// `xietong bench`: the engine alone, then durable settlements through the
// processor with group commit and with one transaction per settlement, in
// one run on fresh databases made from the default dataset.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "service/refdata.h"

namespace xt::service {

struct BenchOptions {
  int64_t engine_claims = 400000;
  int engine_lines_per_claim = 20;
  int64_t group_settlements = 20000;     // settled with group commit
  int64_t txn_each_settlements = 2000;   // settled with one transaction each
  int lines_per_settlement = 8;
  int client_threads = 128;              // concurrent callers of the processor
  std::string work_dir;                  // where the bench databases go (empty: a new temp folder)
  std::string data_dir;                  // data/ to load
  Progress progress;                     // (done, total) of the current phase
  std::function<void(const std::string&)> phase;  // names each phase as it starts
};

struct SettlePhase {
  int64_t settlements = 0;
  double seconds = 0;
  double per_s = 0;
  double latency_p50_ms = 0;
  double latency_p99_ms = 0;
  double batch_avg = 0;   // settlements per commit
  int64_t batch_max = 0;
  double commit_ms_avg = 0;   // time in COMMIT (the WAL write and fsync) per batch
  double commit_share = 0;    // fraction of the phase the writer spent committing
  double cpu_us_per_settlement = 0;  // user + system CPU of the whole process, per settlement
  double writer_busy_us_per_settlement = 0;  // wall time of the writer thread in batches
  double writer_cpu_us_per_settlement = 0;   // its CPU time: busy minus this is waiting (disk, scheduler)
};

struct BenchResult {
  int64_t engine_claims = 0;
  int engine_lines_per_claim = 0;
  double engine_claims_per_s = 0;
  SettlePhase group;
  SettlePhase txn_each;
  int client_threads = 0;
  int lines_per_settlement = 0;
  std::string json() const;  // the `bench --json` object
};

Result<BenchResult> RunBench(const BenchOptions& options);

}  // namespace xt::service
