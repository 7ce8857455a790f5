// `xietong results bench`: mutual recognition of results on a real SQLite
// database (docs/benchmarks.md, "Result recognition").
//
//  1. load: `patients` x `results_per_patient` lab results and imaging
//     reports bulk-loaded through the store layer (WriteTxn::InsertResults,
//     10,000 rows per piece of work), into a database initialised from data/;
//  2. check: the doctor's check of `items_per_check` items, each one a store
//     read of the patient's results (covering index) plus Intern and Check,
//     on `check_threads` threads; checks per second and latency;
//  3. publish: results published one by one through ResultsApi::Publish
//     (parse, validate, HR mark, idempotency look-up, insert, audit record),
//     each durable by group commit before it returns;
//  4. full check: ResultsApi::Recognised as a hospital would call it
//     (visits read, MayView, check, look and audit records written durably).
//
// Not thread-safe itself; it runs its own threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"

namespace xt::service {

struct ResultsBenchOptions {
  std::string db_path;   // the database; reused when it already holds this load, else made
  std::string data_dir;  // data/ to initialise it from
  int64_t patients = 1'000'000;
  int64_t results_per_patient = 10;
  int64_t checks = 1'000'000;
  int check_threads = 2;
  int items_per_check = 5;
  int64_t publishes = 200'000;
  int publish_threads = 256;
  int64_t full_checks = 100'000;
  int full_threads = 256;
  uint32_t seed = 20240501;
  std::function<void(const std::string&)> phase;
};

struct LatencyFigures {
  int64_t count = 0;
  double seconds = 0;
  double per_s = 0;
  double p50_us = 0;
  double p99_us = 0;
};

struct ResultsBenchReport {
  int64_t rows_loaded = 0;  // 0 when an earlier load was reused
  double load_seconds = 0;
  double load_rows_per_s = 0;
  int64_t rows_total = 0;
  int64_t db_bytes = 0;
  LatencyFigures check;
  double check_results_per_patient = 0;  // results read per check, on average
  double check_items_recognised = 0;     // share of items with a recognised result
  LatencyFigures publish;
  double publish_batch_avg = 0;          // pieces of work per group commit during publishing
  LatencyFigures full_check;
  std::string json() const;
};

// XT-BENCH-001 when an option is out of range or the set-up fails.
Result<ResultsBenchReport> RunResultsBench(const ResultsBenchOptions& options);

}  // namespace xt::service
