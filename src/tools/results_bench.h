// A benchmark of the doctor's check: N patients with M results each, built
// in memory from the Book's items and institutions (seeded, no I/O), then
// checks of `items_per_check` items each, timed one by one. Used by a
// hand-compiled driver (docs/benchmarks.md, "Result recognition"); not
// wired into `xietong bench` yet.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/status.h"
#include "results/book.h"

namespace xt::results {

struct RecognitionBenchOptions {
  size_t patients = 10'000;
  size_t results_per_patient = 10;
  size_t items_per_check = 5;
  size_t checks_per_thread = 1'000'000;
  size_t threads = 1;       // 1..64; each thread checks its own share of patients
  uint32_t seed = 20240501;
};

struct RecognitionBenchReport {
  int64_t checks = 0;
  double seconds = 0;          // wall time of the timed part
  double checks_per_s = 0;     // checks / seconds, all threads
  double p50_us = 0;           // latency of one check
  double p99_us = 0;
  int64_t items_recognised = 0;  // items with at least one recognised result (a sanity figure)
  int64_t results_built = 0;
};

// XT-RES-005 when an option is out of range (threads 1..64, items 1..64,
// results per patient 1..10,000, patients >= threads).
Result<RecognitionBenchReport> RunRecognitionBench(const Book& book, const RecognitionBenchOptions& options);

}  // namespace xt::results
