// The results benchmark over a real SQLite database (results_store_bench.h).
#include "tools/results_store_bench.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/json_writer.h"
#include "service/refdata.h"
#include "service/results_service.h"
#include "store/store.h"

namespace xt::service {

namespace {

using SteadyClock = std::chrono::steady_clock;

Status Bad(const std::string& m) { return Status::Error("XT-BENCH-001", m); }

std::string PsnNo(int64_t i) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "B%015lld", static_cast<long long>(i));
  return buf;
}

// The moment every check is made: results were taken in the 120 days before.
const LocalSeconds kAt = *ParseLocalTime("2025-06-15 10:00:00");

LatencyFigures Figures(std::vector<float>& latencies_us, double seconds) {
  LatencyFigures f;
  f.count = static_cast<int64_t>(latencies_us.size());
  f.seconds = seconds;
  f.per_s = seconds > 0 ? static_cast<double>(f.count) / seconds : 0;
  if (!latencies_us.empty()) {
    std::sort(latencies_us.begin(), latencies_us.end());
    f.p50_us = latencies_us[latencies_us.size() / 2];
    f.p99_us = latencies_us[std::min(latencies_us.size() - 1, latencies_us.size() * 99 / 100)];
  }
  return f;
}

double Since(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

// Runs `per_thread(thread index, latencies)` on `threads` threads; the
// latencies of all, and the wall time.
template <typename Fn>
LatencyFigures RunThreads(int threads, Fn per_thread) {
  std::vector<std::vector<float>> lat(static_cast<size_t>(threads));
  const auto t0 = SteadyClock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back([&, t] { per_thread(t, &lat[static_cast<size_t>(t)]); });
  for (auto& th : pool) th.join();
  const double seconds = Since(t0);
  std::vector<float> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  return Figures(all, seconds);
}

}  // namespace

std::string ResultsBenchReport::json() const {
  JsonWriter w;
  auto fig = [&](const char* name, const LatencyFigures& f) {
    w.Key(name).BeginObject().FieldInt("count", f.count).Key("seconds").Raw(std::to_string(f.seconds));
    w.Key("per_s").Raw(std::to_string(static_cast<int64_t>(f.per_s)));
    w.Key("p50_us").Raw(std::to_string(f.p50_us)).Key("p99_us").Raw(std::to_string(f.p99_us)).EndObject();
  };
  w.BeginObject().FieldInt("rows_loaded", rows_loaded).Key("load_seconds").Raw(std::to_string(load_seconds));
  w.Key("load_rows_per_s").Raw(std::to_string(static_cast<int64_t>(load_rows_per_s)));
  w.FieldInt("rows_total", rows_total).FieldInt("db_bytes", db_bytes);
  fig("check", check);
  w.Key("check_results_per_patient").Raw(std::to_string(check_results_per_patient));
  w.Key("check_items_recognised").Raw(std::to_string(check_items_recognised));
  fig("publish", publish);
  w.Key("publish_batch_avg").Raw(std::to_string(publish_batch_avg));
  fig("full_check", full_check);
  w.EndObject();
  return w.Take();
}

// The store-backed results benchmark in its phases (fill, publish, checks,
// the full path through the service), each timed and reported in turn:
// long because each phase is a few lines of setup, timing and figures.
Result<ResultsBenchReport> RunResultsBench(const ResultsBenchOptions& o) {
  if (o.patients < 1 || o.patients > 100'000'000 || o.results_per_patient < 1 || o.results_per_patient > 1000 ||
      o.check_threads < 1 || o.check_threads > 256 || o.publish_threads < 1 || o.publish_threads > 1024 ||
      o.full_threads < 1 || o.full_threads > 1024 || o.items_per_check < 1 ||
      o.items_per_check > static_cast<int>(results::kCheckItemsMax) || o.checks < 0 || o.publishes < 0 ||
      o.full_checks < 0 || o.db_path.empty()) {
    return Bad("a benchmark option is out of range");
  }
  auto phase = [&](const std::string& p) {
    if (o.phase) o.phase(p);
  };
  ResultsBenchReport rep;
  FixedClock clock(kAt);
  store::SqliteOptions sopt;
  XT_ASSIGN_OR_RETURN(auto store, store::OpenSqliteStore(o.db_path, sopt));
  XT_ASSIGN_OR_RETURN(bool initialised, IsInitialised(*store));
  if (!initialised) XT_RETURN_IF_ERROR(InitDatabase(*store, o.data_dir, clock, nullptr));
  XT_ASSIGN_OR_RETURN(auto ref, LoadRefData(*store));
  const results::Book& book = ref->recognition;
  if (book.items().empty() || book.institution_count() == 0) return Bad("the recognition data is empty");

  // ---- 1. load (skipped when this database already holds it)
  const int64_t rows_wanted = o.patients * o.results_per_patient;
  const std::string load_key = std::to_string(o.patients) + "x" + std::to_string(o.results_per_patient);
  std::optional<std::string> loaded;
  XT_RETURN_IF_ERROR(store->Read([&](store::ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(loaded, txn.GetMeta("results_bench_load"));
    return Status::Ok();
  }));
  // Lab items only for the load's bodies; imaging items too, with a short body.
  std::vector<results::ItemId> items;
  for (size_t i = 0; i < book.items().size(); ++i) items.push_back(static_cast<results::ItemId>(i));
  if (!loaded) {
    phase("loading " + std::to_string(rows_wanted) + " results of " + std::to_string(o.patients) + " patients");
    constexpr int64_t kRowsPerWork = 10'000;
    std::atomic<int64_t> next{0};
    std::atomic<bool> failed{false};
    Status first_error;
    std::mutex error_mu;
    const auto t0 = SteadyClock::now();
    auto loader = [&](uint32_t seed) {
      std::mt19937 rng(seed);
      std::vector<store::ResultRow> rows;
      for (;;) {
        const int64_t begin = next.fetch_add(kRowsPerWork);
        if (begin >= rows_wanted || failed.load()) return;
        const int64_t end = std::min(rows_wanted, begin + kRowsPerWork);
        rows.clear();
        for (int64_t r = begin; r < end; ++r) {
          store::ResultRow row;
          const int64_t patient = r / o.results_per_patient;
          const results::ItemId item = items[rng() % items.size()];
          const results::InstitutionId inst = static_cast<results::InstitutionId>(rng() % book.institution_count());
          char id[32];
          std::snprintf(id, sizeof id, "R%014lld", static_cast<long long>(r));
          row.result_id = id;
          row.psn_no = PsnNo(patient);
          row.fixmedins_code = book.institution(inst).fixmedins_code;
          row.item_code = book.item(item).code;
          const bool lab = book.item(item).kind == results::ItemKind::kLab;
          row.kind = lab ? "lab" : "imaging";
          row.taken_at = kAt - static_cast<LocalSeconds>(rng() % (120 * 86400));
          row.reported_at = row.taken_at + 3 * 3600;
          row.origin = std::string(results::OriginName(
              results::OriginOf(book, inst, item, row.taken_at)));
          row.body_json = lab ? R"({"reference_range":"3.5-5.3","unit":")" + book.item(item).unit +
                                    R"(","value":"4.12"})"
                              : R"({"body_part":")" + book.item(item).body_part +
                                    R"(","findings":"未见异常","image_ref":"1.2.840.1","modality":"CT"})";
          row.request_hash = crypto::HashHex(row.result_id + row.body_json);
          row.published_at = row.reported_at;
          rows.push_back(std::move(row));
        }
        Status st = store->Write([&](store::WriteTxn& txn) { return txn.results().InsertResults(rows); });
        if (!st.ok()) {
          std::lock_guard<std::mutex> lock(error_mu);
          first_error = st;
          failed.store(true);
          return;
        }
      }
    };
    std::thread second(loader, o.seed + 1);
    loader(o.seed);
    second.join();
    if (failed.load()) return first_error;
    XT_RETURN_IF_ERROR(store->Write([&](store::WriteTxn& txn) { return txn.PutMeta("results_bench_load", load_key); }));
    rep.rows_loaded = rows_wanted;
    rep.load_seconds = Since(t0);
    rep.load_rows_per_s = static_cast<double>(rows_wanted) / rep.load_seconds;
  } else if (*loaded != load_key) {
    return Bad("the database holds another load (" + *loaded + "): use another --db");
  }
  rep.rows_total = rows_wanted;

  // ---- 2. the doctor's check, through the store
  phase("checking " + std::to_string(o.checks) + " times, " + std::to_string(o.items_per_check) + " items each");
  const results::RegionId treatment = book.FindRegion("120103");
  std::atomic<int64_t> results_read{0}, items_asked{0}, items_recognised{0};
  std::atomic<bool> check_failed{false};
  rep.check = RunThreads(o.check_threads, [&](int t, std::vector<float>* lat) {
    std::mt19937_64 rng(o.seed + 100 + static_cast<uint32_t>(t));
    CheckScratch scratch;
    std::vector<results::ItemId> asked(static_cast<size_t>(o.items_per_check));
    const int64_t n = o.checks / o.check_threads;
    lat->reserve(static_cast<size_t>(n));
    int64_t read = 0, asked_n = 0, recognised = 0;
    for (int64_t i = 0; i < n; ++i) {
      const std::string psn = PsnNo(static_cast<int64_t>(rng() % static_cast<uint64_t>(o.patients)));
      for (auto& a : asked) a = items[rng() % items.size()];
      const auto t0 = SteadyClock::now();
      Status st = store->Read([&](store::ReadTxn& txn) {
        return CheckFromStore(txn, book, psn, results::CheckRequest{asked, kAt, treatment}, &scratch);
      });
      lat->push_back(std::chrono::duration<float, std::micro>(SteadyClock::now() - t0).count());
      if (!st.ok()) {
        check_failed.store(true);
        return;
      }
      read += static_cast<int64_t>(scratch.rows.size());
      asked_n += static_cast<int64_t>(asked.size());
      for (const auto& a : scratch.answer.items) recognised += a.refusal == results::Refusal::kNone ? 1 : 0;
    }
    results_read += read;
    items_asked += asked_n;
    items_recognised += recognised;
  });
  if (check_failed.load()) return Bad("a check failed");
  if (rep.check.count > 0) {
    rep.check_results_per_patient = static_cast<double>(results_read.load()) / static_cast<double>(rep.check.count);
    rep.check_items_recognised = static_cast<double>(items_recognised.load()) / std::max<int64_t>(1, items_asked.load());
  }

  // ---- 3. publishing, one durable result per call
  ResultsApi api(store.get(), ref.get(), &clock);
  const Caller local = Caller::Local();
  const results::ItemId k_item = book.FindItem("JY01001");  // K, mmol/L
  if (k_item == results::kNoItem) return Bad("item JY01001 (K) is missing from the recognition data");
  phase("publishing " + std::to_string(o.publishes) + " results on " + std::to_string(o.publish_threads) + " threads");
  const store::WriterStats before = store->writer_stats();
  std::atomic<int64_t> publish_failed{0};
  const int64_t run = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  rep.publish = RunThreads(o.publish_threads, [&](int t, std::vector<float>* lat) {
    const int64_t n = o.publishes / o.publish_threads;
    const std::string inst = book.institution(static_cast<results::InstitutionId>(
                                                   static_cast<size_t>(t) % book.institution_count())).fixmedins_code;
    for (int64_t i = 0; i < n; ++i) {
      const std::string body =
          R"({"result_id":"P)" + std::to_string(run) + "-" + std::to_string(t) + "-" + std::to_string(i) +
          R"(","kind":"lab","psn_no":")" + PsnNo((t * n + i) % o.patients) + R"(","fixmedins_code":")" + inst +
          R"(","item_code":"JY01001","taken_at":"2025-06-14 08:00:00","reported_at":"2025-06-14 11:00:00",)"
          R"("value":"4.12","unit":"mmol/L","reference_range":"3.5-5.3"})";
      const auto t0 = SteadyClock::now();
      ApiReply r = api.Publish(local, body);
      lat->push_back(std::chrono::duration<float, std::micro>(SteadyClock::now() - t0).count());
      if (r.http_status != 200) publish_failed.fetch_add(1);
    }
  });
  if (publish_failed.load() > 0) return Bad(std::to_string(publish_failed.load()) + " publications failed");
  const store::WriterStats after = store->writer_stats();
  if (after.batches > before.batches) {
    rep.publish_batch_avg =
        static_cast<double>(after.items - before.items) / static_cast<double>(after.batches - before.batches);
  }

  // ---- 4. the whole check as a hospital calls it: MayView, check, look and audit records
  if (o.full_checks > 0) {
    phase("full checks: " + std::to_string(o.full_checks) + " on " + std::to_string(o.full_threads) + " threads");
    const std::string hospital = "H12010300001";
    const int64_t visited = std::min<int64_t>(o.patients, 10'000);
    XT_RETURN_IF_ERROR(store->Write([&](store::WriteTxn& txn) -> Status {
      XT_ASSIGN_OR_RETURN(auto already, txn.settlements().FindVisit("BENCHV" + PsnNo(0)));
      if (already) return Status::Ok();
      for (int64_t p = 0; p < visited; ++p) {
        store::VisitRow v;
        v.mdtrt_id = "BENCHV" + PsnNo(p);
        v.psn_no = PsnNo(p);
        v.fixmedins_code = hospital;
        v.med_type = "11";
        v.insutype = "310";
        v.begntime = kAt - 3600;
        v.state = "registered";
        XT_RETURN_IF_ERROR(txn.settlements().InsertVisit(v));
      }
      return Status::Ok();
    }));
    std::atomic<int64_t> full_failed{0};
    rep.full_check = RunThreads(o.full_threads, [&](int t, std::vector<float>* lat) {
      std::mt19937_64 rng(o.seed + 1000 + static_cast<uint32_t>(t));
      const int64_t n = o.full_checks / o.full_threads;
      QueryParams params{{"fixmedins_code", hospital}, {"items", ""}, {"at", FormatLocalTime(kAt)}};
      for (int64_t i = 0; i < n; ++i) {
        std::string list;
        for (int k = 0; k < o.items_per_check; ++k) {
          list += (k ? "," : "") + book.item(items[rng() % items.size()]).code;
        }
        params["items"] = list;
        const std::string psn = PsnNo(static_cast<int64_t>(rng() % static_cast<uint64_t>(visited)));
        const auto t0 = SteadyClock::now();
        ApiReply r = api.Recognised(local, psn, params);
        lat->push_back(std::chrono::duration<float, std::micro>(SteadyClock::now() - t0).count());
        if (r.http_status != 200) full_failed.fetch_add(1);
      }
    });
    if (full_failed.load() > 0) return Bad(std::to_string(full_failed.load()) + " full checks failed");
  }
  store.reset();
  std::error_code ec;
  rep.db_bytes = static_cast<int64_t>(std::filesystem::file_size(o.db_path, ec));
  return rep;
}

}  // namespace xt::service
