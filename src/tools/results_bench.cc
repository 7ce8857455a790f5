// The check benchmark (see results_bench.h). Patients' results are drawn
// from items the treatment region lists and from institutions of the three
// regions, with specimen times spread over the 60 days before the check, so
// that answers mix recognised, expired and not-qualified items the way a
// real day would. Latency is taken per check with steady_clock and kept in a
// preallocated array, so measuring allocates nothing inside the loop.
#include "tools/results_bench.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "results/errors.h"
#include "results/results.h"

namespace xt::results {

namespace {

constexpr size_t kThreadsMax = 64;

struct Patient {
  std::vector<ResultKey> results;
};

}  // namespace

// Bounds checked, a synthetic book of results built, then the timed
// checks on `threads` threads and the report: one function so that the
// timed part and what it reports sit together.
Result<RecognitionBenchReport> RunRecognitionBench(const Book& book, const RecognitionBenchOptions& o) {
  if (o.threads < 1 || o.threads > kThreadsMax) return err::TooMany("threads", kThreadsMax);
  if (o.items_per_check < 1 || o.items_per_check > kCheckItemsMax) return err::TooMany("items_per_check", kCheckItemsMax);
  if (o.results_per_patient < 1 || o.results_per_patient > kCheckResultsMax) {
    return err::TooMany("results_per_patient", kCheckResultsMax);
  }
  if (o.patients < o.threads || book.items().empty() || book.institution_count() == 0) {
    return err::BadResult("the benchmark needs items, institutions and at least one patient per thread");
  }
  const LocalSeconds at = StartOf(Date::FromCivil(2024, 5, 1)) + 10 * 3600;
  const RegionId treatment = book.FindRegion("120000");

  // Items and their results: a patient has results of a handful of items,
  // some items more than once (repeat tests).
  std::mt19937 rng(o.seed);
  std::vector<Patient> patients(o.patients);
  RecognitionBenchReport report;
  for (Patient& p : patients) {
    p.results.reserve(o.results_per_patient);
    for (size_t i = 0; i < o.results_per_patient; ++i) {
      ResultHeader h;
      const ItemId item = static_cast<ItemId>(rng() % std::min<size_t>(book.items().size(), 24));
      h.item_code = book.item(item).code;
      h.fixmedins_code = book.institution(static_cast<InstitutionId>(rng() % book.institution_count())).fixmedins_code;
      h.taken_at = at - static_cast<LocalSeconds>(rng() % (60 * 86400));
      h.reported_at = h.taken_at + 4 * 3600;
      XT_ASSIGN_OR_RETURN(ResultKey key, Intern(book, h));
      p.results.push_back(key);
      report.results_built += 1;
    }
  }

  struct Share {
    std::vector<uint32_t> latency_ns;
    int64_t recognised = 0;
    Status status;
  };
  std::vector<Share> shares(o.threads);
  for (Share& s : shares) s.latency_ns.resize(o.checks_per_thread);
  auto work = [&](size_t t) {
    Share& share = shares[t];
    CheckAnswer answer;
    answer.items.reserve(kCheckItemsMax);
    answer.accepted.reserve(kCheckItemsMax * 16);
    std::vector<ItemId> items(o.items_per_check);
    std::mt19937 local(o.seed + static_cast<uint32_t>(t) + 1);
    const size_t per = o.patients / o.threads;
    for (size_t c = 0; c < o.checks_per_thread; ++c) {
      const Patient& p = patients[t * per + (c % per)];
      // Ask for items the patient has results of, and some the patient has not.
      for (size_t k = 0; k < items.size(); ++k) {
        items[k] = k % 2 == 0 ? p.results[local() % p.results.size()].item
                              : static_cast<ItemId>(local() % book.items().size());
      }
      CheckRequest req{items, at + static_cast<LocalSeconds>(c % 3600), treatment};
      const auto t0 = std::chrono::steady_clock::now();
      const Status s = Check(book, p.results, req, &answer);
      const auto t1 = std::chrono::steady_clock::now();
      if (!s.ok()) {
        share.status = s;
        return;
      }
      share.latency_ns[c] = static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
      for (const ItemAnswer& a : answer.items) share.recognised += a.refusal == Refusal::kNone;
    }
  };
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (size_t t = 1; t < o.threads; ++t) threads.emplace_back(work, t);
  work(0);
  for (std::thread& th : threads) th.join();
  const auto stop = std::chrono::steady_clock::now();

  std::vector<uint32_t> all;
  all.reserve(o.threads * o.checks_per_thread);
  for (const Share& s : shares) {
    if (!s.status.ok()) return s.status;
    all.insert(all.end(), s.latency_ns.begin(), s.latency_ns.end());
    report.items_recognised += s.recognised;
  }
  report.checks = static_cast<int64_t>(all.size());
  report.seconds = std::chrono::duration<double>(stop - start).count();
  report.checks_per_s = report.seconds > 0 ? static_cast<double>(report.checks) / report.seconds : 0;
  auto pct = [&](double q) {
    const size_t k = std::min(all.size() - 1, static_cast<size_t>(q * static_cast<double>(all.size())));
    std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end());
    return all[k] / 1000.0;
  };
  report.p50_us = pct(0.50);
  report.p99_us = pct(0.99);
  return report;
}

}  // namespace xt::results
