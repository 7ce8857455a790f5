// The benchmark phases. Setup (registering visits, uploading fee details)
// is not timed; each timed phase sends 2207 settle envelopes from many
// threads and counts only settlements answered infcode 0, which the store
// acknowledged durably.
#include "tools/bench.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <map>
#include <mutex>
#include <thread>
#include <sys/resource.h>
#include <unistd.h>

#include "ledger/ledger.h"
#include "tools/flow.h"
#include "service/processor.h"
#include "tools/engine_bench.h"
#include "store/store.h"

namespace xt::service {

namespace {

struct Prepared {
  Visit visit;
  Fen medfee_fen = 0;
  std::string fixmedins_code;
  std::string mdtrtarea_admvs;
};

struct Fixture {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<RefData> ref;
};

Result<Fixture> OpenFresh(const std::string& path, const std::string& data_dir, int batch_size_max) {
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  Fixture f;
  {
    XT_ASSIGN_OR_RETURN(auto s, store::OpenSqliteStore(path));
    XT_RETURN_IF_ERROR(InitDatabase(*s, data_dir, SystemClock::Instance(), nullptr));
  }
  store::SqliteOptions opts;
  opts.batch_size_max = batch_size_max;
  XT_ASSIGN_OR_RETURN(f.store, store::OpenSqliteStore(path, opts));
  XT_ASSIGN_OR_RETURN(f.ref, LoadRefData(*f.store));
  return f;
}

// Runs fn(i) for i in [0, n) on `threads` threads.
template <typename Fn>
void Parallel(int64_t n, int threads, Fn fn) {
  std::atomic<int64_t> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (;;) {
        const int64_t i = next.fetch_add(1);
        if (i >= n) break;
        fn(t, i);
      }
    });
  }
  for (auto& th : pool) th.join();
}

// Registers `n` outpatient visits and uploads their fee details.
Result<std::vector<Prepared>> Prepare(Fixture& fx, const std::string& data_dir, int64_t n, int lines, int threads,
                                      const BenchOptions& opt) {
  XT_ASSIGN_OR_RETURN(std::vector<registry::Person> persons, LoadPersonsFile(data_dir, fx.ref->registry));
  const Date today = DateOf(SystemClock::Instance().NowLocal());
  struct Who {
    std::string psn_no, insutype, insuplc;
  };
  std::vector<Who> who;
  for (const auto& p : persons) {
    for (const auto& e : p.enrollments) {
      if (e.psn_insu_stas == "1" && e.validity.Contains(today)) {
        who.push_back({p.psn_no, e.insutype, e.insuplc_admdvs});
        break;
      }
    }
  }
  const auto& insts = fx.ref->registry.institutions();
  if (who.empty() || insts.empty()) return Status::Error("XT-BENCH-001", "the dataset has no persons or institutions");
  // Per treatment province: items in force today that are in scope (甲/乙).
  std::map<std::string, std::vector<const catalog::ItemVersion*>> items;
  for (const auto& inst : insts) {
    const std::string prov = ProvinceOf(inst.admdvs);
    if (items.count(prov)) continue;
    auto& list = items[prov];
    for (const auto* it : fx.ref->catalog.ItemsOf(prov)) {
      if (it->validity.Contains(today) && it->charge_class != catalog::ChargeClass::kC) list.push_back(it);
    }
    if (list.empty()) return Status::Error("XT-BENCH-001", "no catalogue items for " + prov);
  }
  std::vector<Prepared> out(static_cast<size_t>(n));
  std::atomic<int64_t> done{0};
  std::vector<std::unique_ptr<HospitalClient>> clients;
  std::atomic<bool> failed{false};
  std::string failure;
  std::mutex failure_mu;
  Processor proc(fx.store.get(), fx.ref.get(), &SystemClock::Instance());
  const std::string now = FormatLocalTime(SystemClock::Instance().NowLocal());
  Parallel(n, threads, [&](int, int64_t i) {
    if (failed) return;
    const auto& inst = insts[static_cast<size_t>(i) % insts.size()];
    const Who& w = who[static_cast<size_t>(i * 7919) % who.size()];
    HospitalClient client(inst.fixmedins_code, inst.admdvs, &SystemClock::Instance());
    FlowDriver drv(&proc, &client);
    Prepared p;
    p.visit = Visit{w.psn_no, w.insutype, w.insuplc, false, ""};
    p.fixmedins_code = inst.fixmedins_code;
    p.mdtrtarea_admvs = inst.admdvs;
    auto fail = [&](const CallResult& r, const char* step) {
      std::lock_guard<std::mutex> lock(failure_mu);
      if (!failed.exchange(true)) failure = std::string(step) + ": " + r.err_code + " " + r.err_msg;
    };
    auto r = drv.Open(&p.visit, now);
    if (r.infcode != 0) return fail(r, "register");
    const auto& list = items[ProvinceOf(inst.admdvs)];
    std::vector<FlowLine> fl;
    for (int k = 0; k < lines; ++k) {
      const auto* item = list[static_cast<size_t>(i * 31 + k * 17) % list.size()];
      FlowLine line;
      line.feedetl_sn = std::to_string(k + 1);
      line.med_list_codg = item->code;
      line.cnt_e4 = 10000 * (1 + (i + k) % 3);
      line.pric_e6 = (item->price_cap_fen ? std::max<Fen>(1, *item->price_cap_fen - 100) : 2000 + (i * 13 + k * 101) % 30000) * 10000;
      p.medfee_fen += FlowDriver::LineAmountFen(line);
      fl.push_back(std::move(line));
    }
    r = drv.Upload(p.visit, fl, now);
    if (r.infcode != 0) return fail(r, "upload");
    out[static_cast<size_t>(i)] = std::move(p);
    const int64_t d = done.fetch_add(1) + 1;
    if (opt.progress && d % 500 == 0) opt.progress(d, n);
  });
  if (failed) return Status::Error("XT-BENCH-002", "preparing the benchmark failed", failure);
  return out;
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

Result<SettlePhase> SettleAll(Fixture& fx, const std::vector<Prepared>& visits, int threads, const BenchOptions& opt) {
  Processor proc(fx.store.get(), fx.ref.get(), &SystemClock::Instance());
  const int64_t n = static_cast<int64_t>(visits.size());
  std::vector<double> latency_ms(visits.size());
  std::atomic<int64_t> ok{0}, done{0};
  std::string failure;
  std::mutex failure_mu;
  const auto stats_before = fx.store->writer_stats();
  const double cpu0 = CpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  Parallel(n, threads, [&](int, int64_t i) {
    const Prepared& p = visits[static_cast<size_t>(i)];
    HospitalClient client(p.fixmedins_code, p.mdtrtarea_admvs, &SystemClock::Instance());
    FlowDriver drv(&proc, &client);
    const auto c0 = std::chrono::steady_clock::now();
    auto r = drv.Settle(p.visit, p.medfee_fen, true, false);
    latency_ms[static_cast<size_t>(i)] =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - c0).count();
    if (r.infcode == 0) {
      ok.fetch_add(1);
    } else {
      std::lock_guard<std::mutex> lock(failure_mu);
      if (failure.empty()) failure = r.err_code + " " + r.err_msg;
    }
    const int64_t d = done.fetch_add(1) + 1;
    if (opt.progress && d % 500 == 0) opt.progress(d, n);
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = CpuSeconds() - cpu0;
  if (!failure.empty()) return Status::Error("XT-BENCH-003", "a settlement failed during the benchmark", failure);
  const auto stats = fx.store->writer_stats();
  SettlePhase ph;
  ph.settlements = ok.load();
  ph.seconds = seconds;
  ph.per_s = static_cast<double>(ph.settlements) / seconds;
  std::sort(latency_ms.begin(), latency_ms.end());
  if (!latency_ms.empty()) {
    ph.latency_p50_ms = latency_ms[latency_ms.size() / 2];
    ph.latency_p99_ms = latency_ms[std::min(latency_ms.size() - 1, latency_ms.size() * 99 / 100)];
  }
  const int64_t batches = stats.batches - stats_before.batches;
  ph.batch_avg = batches > 0 ? static_cast<double>(stats.items - stats_before.items) / static_cast<double>(batches) : 0;
  ph.batch_max = stats.batch_size_max_seen;
  const double commit_ms = static_cast<double>(stats.commit_micros_total - stats_before.commit_micros_total) / 1000.0;
  ph.commit_ms_avg = batches > 0 ? commit_ms / static_cast<double>(batches) : 0;
  ph.commit_share = commit_ms / 1000.0 / seconds;
  ph.cpu_us_per_settlement = ph.settlements > 0 ? cpu * 1e6 / static_cast<double>(ph.settlements) : 0;
  if (ph.settlements > 0) {
    const double n = static_cast<double>(ph.settlements);
    ph.writer_busy_us_per_settlement = static_cast<double>(stats.busy_micros_total - stats_before.busy_micros_total) / n;
    ph.writer_cpu_us_per_settlement = static_cast<double>(stats.cpu_micros_total - stats_before.cpu_micros_total) / n;
  }
  return ph;
}

Result<SettlePhase> SettlePhaseRun(const std::string& path, const std::string& data_dir, int64_t n, int batch_max,
                                   const BenchOptions& opt, const char* name) {
  if (opt.phase) opt.phase(std::string("preparing ") + name);
  std::vector<Prepared> visits;
  {
    XT_ASSIGN_OR_RETURN(Fixture setup, OpenFresh(path, data_dir, 512));
    XT_ASSIGN_OR_RETURN(visits, Prepare(setup, data_dir, n, opt.lines_per_settlement, opt.client_threads, opt));
  }
  XT_ASSIGN_OR_RETURN(Fixture fx, ([&]() -> Result<Fixture> {
                        Fixture f;
                        store::SqliteOptions so;
                        so.batch_size_max = batch_max;
                        XT_ASSIGN_OR_RETURN(f.store, store::OpenSqliteStore(path, so));
                        XT_ASSIGN_OR_RETURN(f.ref, LoadRefData(*f.store));
                        return f;
                      })());
  if (opt.phase) opt.phase(std::string("settling ") + name);
  return SettleAll(fx, visits, opt.client_threads, opt);
}

}  // namespace

std::string BenchResult::json() const {
  nlohmann::ordered_json j = {
      {"engine_claims_per_s", engine_claims_per_s},
      {"settle_group_commit_per_s", group.per_s},
      {"settle_txn_each_per_s", txn_each.per_s},
      {"engine_claims", engine_claims},
      {"engine_lines_per_claim", engine_lines_per_claim},
      {"group_commit", {{"settlements", group.settlements}, {"seconds", group.seconds},
                        {"latency_p50_ms", group.latency_p50_ms}, {"latency_p99_ms", group.latency_p99_ms},
                        {"batch_avg", group.batch_avg}, {"batch_max", group.batch_max},
                        {"commit_ms_avg", group.commit_ms_avg}, {"commit_share", group.commit_share},
                        {"cpu_us_per_settlement", group.cpu_us_per_settlement},
                        {"writer_busy_us_per_settlement", group.writer_busy_us_per_settlement},
                        {"writer_cpu_us_per_settlement", group.writer_cpu_us_per_settlement}}},
      {"txn_each", {{"settlements", txn_each.settlements}, {"seconds", txn_each.seconds},
                    {"latency_p50_ms", txn_each.latency_p50_ms}, {"latency_p99_ms", txn_each.latency_p99_ms},
                    {"commit_ms_avg", txn_each.commit_ms_avg}, {"commit_share", txn_each.commit_share},
                    {"cpu_us_per_settlement", txn_each.cpu_us_per_settlement},
                    {"writer_busy_us_per_settlement", txn_each.writer_busy_us_per_settlement},
                    {"writer_cpu_us_per_settlement", txn_each.writer_cpu_us_per_settlement}}},
      {"client_threads", client_threads},
      {"lines_per_settlement", lines_per_settlement},
      {"cores", std::thread::hardware_concurrency()},
  };
  return j.dump();
}

Result<BenchResult> RunBench(const BenchOptions& opt) {
  namespace fs = std::filesystem;
  std::string dir = opt.work_dir;
  bool remove_dir = false;
  if (dir.empty()) {
    dir = (fs::temp_directory_path() / ("xietong-bench-" + std::to_string(::getpid()))).string();
    remove_dir = true;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Error("XT-BENCH-004", "the benchmark folder could not be made", dir + ": " + ec.message());
  BenchResult res;
  res.client_threads = opt.client_threads;
  res.lines_per_settlement = opt.lines_per_settlement;
  {
    if (opt.phase) opt.phase("engine");
    XT_ASSIGN_OR_RETURN(Fixture fx, OpenFresh((fs::path(dir) / "engine.db").string(), opt.data_dir, 512));
    const auto e = settle::RunEngineBench(fx.ref->catalog, fx.ref->policies, opt.engine_claims,
                                          opt.engine_lines_per_claim, 20261129);
    res.engine_claims = e.claims;
    res.engine_lines_per_claim = e.lines_per_claim;
    res.engine_claims_per_s = e.claims_per_s;
  }
  XT_ASSIGN_OR_RETURN(res.group, SettlePhaseRun((fs::path(dir) / "group.db").string(), opt.data_dir,
                                                opt.group_settlements, 512, opt, "with group commit"));
  XT_ASSIGN_OR_RETURN(res.txn_each, SettlePhaseRun((fs::path(dir) / "each.db").string(), opt.data_dir,
                                                   opt.txn_each_settlements, 1, opt, "one transaction each"));
  if (remove_dir) fs::remove_all(dir, ec);
  return res;
}

}  // namespace xt::service
