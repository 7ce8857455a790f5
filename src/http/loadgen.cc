// The load generator's phases, on httplib's client (one keep-alive
// connection per client thread).
#include "http/loadgen.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "core/clock.h"
#include "http/metrics.h"
#include "registry/registry.h"
#include "service/client.h"
#include "service/flow.h"
#include "service/refdata.h"

namespace xt::http {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Who can be treated where, read from data/ (the files the server's
// database was made from).
struct Dataset {
  registry::Registry registry;
  catalog::Catalog catalog;
  struct Insured {
    std::string psn_no, insutype, insuplc_admdvs;
  };
  std::vector<Insured> insured;  // persons with an enrollment in force today
  std::map<std::string, std::vector<const catalog::ItemVersion*>> items;  // in scope, by treatment province
};

Result<std::unique_ptr<Dataset>> LoadDataset(const std::string& dir) {
  auto d = std::make_unique<Dataset>();
  XT_ASSIGN_OR_RETURN(std::string regions, service::ReadDataFile(dir, "regions.json"));
  XT_RETURN_IF_ERROR(registry::LoadRegionsJson(regions, &d->registry));
  XT_ASSIGN_OR_RETURN(std::string institutions, service::ReadDataFile(dir, "institutions.json"));
  XT_RETURN_IF_ERROR(registry::LoadInstitutionsJson(institutions, &d->registry));
  XT_ASSIGN_OR_RETURN(std::string catalog, service::ReadDataFile(dir, "catalog.json"));
  XT_RETURN_IF_ERROR(catalog::LoadCatalogJson(catalog, &d->catalog));
  XT_ASSIGN_OR_RETURN(std::vector<registry::Person> persons, service::LoadPersonsFile(dir, d->registry));
  const Date today = DateOf(SystemClock::Instance().NowLocal());
  for (const auto& p : persons) {
    for (const auto& e : p.enrollments) {
      if (e.psn_insu_stas == "1" && e.validity.Contains(today)) {
        d->insured.push_back({p.psn_no, e.insutype, e.insuplc_admdvs});
        break;
      }
    }
  }
  if (d->insured.empty() || d->registry.institutions().empty()) {
    return Status::Error("XT-LOAD-001", "the dataset has no insured persons or no institutions");
  }
  for (const auto& inst : d->registry.institutions()) {
    const std::string prov = catalog::ProvinceOf(inst.admdvs);
    if (d->items.count(prov)) continue;
    auto& list = d->items[prov];
    for (const auto* it : d->catalog.ItemsOf(prov)) {
      if (it->validity.Contains(today) && it->charge_class != catalog::ChargeClass::kC) list.push_back(it);
    }
    if (list.empty()) return Status::Error("XT-LOAD-001", "no catalogue items in force for " + prov);
  }
  return d;
}

// The visit number `i` of the run: who, where, and what was billed.
struct Work {
  const registry::Institution* inst = nullptr;
  service::Visit visit;
  std::vector<service::FlowLine> lines;
  Fen total_fen = 0;
};

Work MakeWork(const Dataset& d, int64_t i, int lines) {
  const auto& insts = d.registry.institutions();
  Work w;
  w.inst = &insts[static_cast<size_t>(i) % insts.size()];
  const auto& who = d.insured[static_cast<size_t>(i * 7919) % d.insured.size()];
  w.visit = service::Visit{who.psn_no, who.insutype, who.insuplc_admdvs, false, ""};
  const auto& list = d.items.at(catalog::ProvinceOf(w.inst->admdvs));
  for (int k = 0; k < lines; ++k) {
    const auto* item = list[static_cast<size_t>(i * 31 + k * 17) % list.size()];
    service::FlowLine line;
    line.feedetl_sn = std::to_string(k + 1);
    line.med_list_codg = item->code;
    line.cnt_e4 = 10000 * (1 + (i + k) % 3);
    line.pric_e6 =
        (item->price_cap_fen ? std::max<Fen>(1, *item->price_cap_fen - 100) : 2000 + (i * 13 + k * 101) % 30000) * 10000;
    w.total_fen += service::FlowDriver::LineAmountFen(line);
    w.lines.push_back(std::move(line));
  }
  return w;
}

// One keep-alive connection; used by one thread.
class Connection {
 public:
  explicit Connection(const LoadgenOptions& o) : cli_(o.host, o.port) {
    cli_.set_keep_alive(true);
    cli_.set_tcp_nodelay(true);
    cli_.set_connection_timeout(5, 0);
    cli_.set_read_timeout(o.timeout_ms / 1000, (o.timeout_ms % 1000) * 1000);
    cli_.set_write_timeout(o.timeout_ms / 1000, (o.timeout_ms % 1000) * 1000);
  }

  // The response envelope, or an envelope saying why there was none.
  std::string Call(const std::string& request) {
    auto res = cli_.Post(std::string(kCallServicePath), request, "application/json");
    if (!res) return Failure("no answer: " + httplib::to_string(res.error()));
    if (res->status != 200) return Failure("HTTP " + std::to_string(res->status) + ": " + res->body.substr(0, 200));
    return std::move(res->body);
  }

  bool Healthz() {
    auto res = cli_.Get(std::string(kHealthzPath));
    return res && res->status == 200;
  }

 private:
  static std::string Failure(const std::string& why) {
    nlohmann::json j = {{"infcode", -1}, {"err_code", "XT-LOAD-002"}, {"err_msg", why}, {"output", nlohmann::json::object()}};
    return j.dump();
  }

  httplib::Client cli_;
};

double MillisSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
}

// Per-thread results of a phase, merged at the end.
struct Tally {
  int64_t ok = 0;
  int64_t failed = 0;
  std::vector<double> latency_ms;
  std::string first_failure;
  void Fail(const std::string& why) {
    ++failed;
    if (first_failure.empty()) first_failure = why;
  }
};

LoadPhase Summarise(std::vector<Tally>& tallies, double seconds) {
  LoadPhase ph;
  std::vector<double> all;
  for (auto& t : tallies) {
    ph.ok += t.ok;
    ph.failed += t.failed;
    if (ph.first_failure.empty()) ph.first_failure = t.first_failure;
    all.insert(all.end(), t.latency_ms.begin(), t.latency_ms.end());
  }
  ph.seconds = seconds;
  ph.per_s = seconds > 0 ? static_cast<double>(ph.ok) / seconds : 0;
  std::sort(all.begin(), all.end());
  if (!all.empty()) {
    ph.latency_p50_ms = all[all.size() / 2];
    ph.latency_p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
    ph.latency_max_ms = all.back();
  }
  return ph;
}

// Runs body(connection, tally, i) for i in [0, n) on one thread per
// connection; returns the wall time in seconds.
template <typename Body>
double RunOnConnections(const LoadgenOptions& o, std::vector<std::unique_ptr<Connection>>& conns,
                        std::vector<Tally>& tallies, int64_t n, Body body) {
  std::atomic<int64_t> next{0};
  const auto t0 = SteadyClock::now();
  std::vector<std::thread> threads;
  for (size_t c = 0; c < conns.size(); ++c) {
    threads.emplace_back([&, c] {
      for (;;) {
        const int64_t i = next.fetch_add(1);
        if (i >= n) return;
        body(*conns[c], tallies[c], i);
      }
    });
  }
  for (auto& t : threads) t.join();
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

std::string Fixed(double v, int places) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", places, v);
  return buf;
}

}  // namespace

Result<LoadgenResult> RunLoadgen(const LoadgenOptions& o) {
  if (o.connections < 1 || o.connections > 1024) return Status::Error("XT-LOAD-003", "connections must be 1..1024");
  if (o.flows < 0 || o.settles < 0 || o.paced < 0 || o.flows + o.settles + o.paced > 10'000'000) {
    return Status::Error("XT-LOAD-003", "counts must be 0..10,000,000 in all");
  }
  if (o.paced > 0 && !(o.paced_rate_per_s > 0 && o.paced_rate_per_s <= 1e6)) {
    return Status::Error("XT-LOAD-003", "the offered rate must be above 0 and at most 1,000,000 per second");
  }
  if (!(o.healthz_seconds >= 0 && o.healthz_seconds <= 600)) {
    return Status::Error("XT-LOAD-003", "healthz seconds must be 0..600");
  }
  XT_ASSIGN_OR_RETURN(std::unique_ptr<Dataset> data, LoadDataset(o.data_dir));
  std::vector<std::unique_ptr<Connection>> conns;
  for (int c = 0; c < o.connections; ++c) conns.push_back(std::make_unique<Connection>(o));
  {
    Connection probe(o);
    if (!probe.Healthz()) {
      return Status::Error("XT-LOAD-002", "no healthy server at " + o.host + ":" + std::to_string(o.port),
                           "GET /healthz did not answer 200");
    }
  }
  const Clock* clock = &SystemClock::Instance();
  auto phase = [&](const char* name) {
    if (o.phase) o.phase(name);
  };
  LoadgenResult res;
  res.connections = o.connections;
  res.lines_per_settlement = o.lines_per_settlement;
  res.offered_rate_per_s = o.paced_rate_per_s;
  // Indices of visits: flows first, then the prepared ones; each visit is
  // its own, so no two requests of the run share a visit.
  const int64_t prepared_base = o.flows;

  // 1. Full flows.
  {
    phase("full flows (2201, 2204, 2207)");
    std::vector<Tally> tallies(conns.size());
    const double s = RunOnConnections(o, conns, tallies, o.flows, [&](Connection& conn, Tally& t, int64_t i) {
      Work w = MakeWork(*data, i, o.lines_per_settlement);
      service::HospitalClient hc(w.inst->fixmedins_code, w.inst->admdvs, clock);
      service::FlowDriver drv([&](const std::string& req) { return conn.Call(req); }, &hc);
      const std::string now = FormatLocalTime(clock->NowLocal());
      const auto t0 = SteadyClock::now();
      auto r = drv.Open(&w.visit, now);
      if (r.infcode == 0) r = drv.Upload(w.visit, w.lines, now);
      if (r.infcode == 0) r = drv.Settle(w.visit, w.total_fen, true, false);
      if (r.infcode != 0) return t.Fail(r.err_code + " " + r.err_msg);
      t.latency_ms.push_back(MillisSince(t0));
      ++t.ok;
    });
    res.flows = Summarise(tallies, s);
  }

  // 2 and 3 need registered visits with their fee details: prepared first.
  const int64_t to_prepare = o.settles + o.paced;
  std::vector<Work> prepared(static_cast<size_t>(to_prepare));
  {
    phase("preparing visits (2201, 2204)");
    std::vector<Tally> tallies(conns.size());
    const double s = RunOnConnections(o, conns, tallies, to_prepare, [&](Connection& conn, Tally& t, int64_t i) {
      Work w = MakeWork(*data, prepared_base + i, o.lines_per_settlement);
      service::HospitalClient hc(w.inst->fixmedins_code, w.inst->admdvs, clock);
      service::FlowDriver drv([&](const std::string& req) { return conn.Call(req); }, &hc);
      const std::string now = FormatLocalTime(clock->NowLocal());
      auto r = drv.Open(&w.visit, now);
      if (r.infcode == 0) r = drv.Upload(w.visit, w.lines, now);
      if (r.infcode != 0) return t.Fail(r.err_code + " " + r.err_msg);
      ++t.ok;
      prepared[static_cast<size_t>(i)] = std::move(w);
    });
    const LoadPhase ph = Summarise(tallies, s);
    if (ph.failed > 0) {
      return Status::Error("XT-LOAD-004", "preparing visits failed", ph.first_failure);
    }
    res.prepare_requests_per_s = s > 0 ? 2.0 * static_cast<double>(ph.ok) / s : 0;
  }
  auto settle = [&](Connection& conn, const Work& w) {
    service::HospitalClient hc(w.inst->fixmedins_code, w.inst->admdvs, clock);
    service::FlowDriver drv([&](const std::string& req) { return conn.Call(req); }, &hc);
    return drv.Settle(w.visit, w.total_fen, true, false);
  };

  // 2. Settle only, as fast as the server answers.
  {
    phase("settle only (2207)");
    std::vector<Tally> tallies(conns.size());
    const double s = RunOnConnections(o, conns, tallies, o.settles, [&](Connection& conn, Tally& t, int64_t i) {
      const auto t0 = SteadyClock::now();
      auto r = settle(conn, prepared[static_cast<size_t>(i)]);
      if (r.infcode != 0) return t.Fail(r.err_code + " " + r.err_msg);
      t.latency_ms.push_back(MillisSince(t0));
      ++t.ok;
    });
    res.settles = Summarise(tallies, s);
  }

  // 3. Settle at a fixed offered rate. Request i is due at start + i/rate;
  // its latency counts from then, whether or not a connection was free.
  {
    phase("settle at a fixed offered rate (2207)");
    std::vector<Tally> tallies(conns.size());
    const auto start = SteadyClock::now() + std::chrono::milliseconds(20);
    const double interval_ns = 1e9 / o.paced_rate_per_s;
    const double s = RunOnConnections(o, conns, tallies, o.paced, [&](Connection& conn, Tally& t, int64_t i) {
      const auto due = start + std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(i) * interval_ns));
      std::this_thread::sleep_until(due);
      auto r = settle(conn, prepared[static_cast<size_t>(o.settles + i)]);
      if (r.infcode != 0) return t.Fail(r.err_code + " " + r.err_msg);
      t.latency_ms.push_back(MillisSince(due));
      ++t.ok;
    });
    res.paced = Summarise(tallies, s);
  }

  // 4. The trivial route, closed loop, for a fixed time.
  {
    phase("GET /healthz");
    std::vector<Tally> tallies(conns.size());
    const auto t0 = SteadyClock::now();
    const auto deadline = t0 + std::chrono::milliseconds(static_cast<int64_t>(o.healthz_seconds * 1000));
    std::vector<std::thread> threads;
    for (size_t c = 0; c < conns.size(); ++c) {
      threads.emplace_back([&, c] {
        Tally& t = tallies[c];
        while (SteadyClock::now() < deadline) {
          const auto r0 = SteadyClock::now();
          if (!conns[c]->Healthz()) {
            t.Fail("GET /healthz did not answer 200");
            std::this_thread::sleep_for(std::chrono::milliseconds(1));  // no busy loop on a refusing server
            continue;
          }
          t.latency_ms.push_back(MillisSince(r0));
          ++t.ok;
        }
      });
    }
    for (auto& th : threads) th.join();
    res.healthz = Summarise(tallies, std::chrono::duration<double>(SteadyClock::now() - t0).count());
  }
  return res;
}

std::string LoadgenResult::json() const {
  auto phase = [](const LoadPhase& p) {
    return nlohmann::ordered_json{{"ok", p.ok},
                                  {"failed", p.failed},
                                  {"seconds", p.seconds},
                                  {"per_s", p.per_s},
                                  {"latency_p50_ms", p.latency_p50_ms},
                                  {"latency_p99_ms", p.latency_p99_ms},
                                  {"latency_max_ms", p.latency_max_ms},
                                  {"first_failure", p.first_failure}};
  };
  nlohmann::ordered_json j = {
      {"flows_settlements_per_s", flows.per_s},
      {"settle_only_per_s", settles.per_s},
      {"paced_offered_per_s", offered_rate_per_s},
      {"paced_latency_p50_ms", paced.latency_p50_ms},
      {"paced_latency_p99_ms", paced.latency_p99_ms},
      {"healthz_per_s", healthz.per_s},
      {"flows", phase(flows)},
      {"settles", phase(settles)},
      {"paced", phase(paced)},
      {"healthz", phase(healthz)},
      {"prepare_requests_per_s", prepare_requests_per_s},
      {"connections", connections},
      {"lines_per_settlement", lines_per_settlement},
      {"cores", std::thread::hardware_concurrency()},
  };
  return j.dump();
}

std::string LoadgenResult::text() const {
  auto line = [](const char* what, const LoadPhase& p, const char* unit) {
    std::string s = std::string(what) + ": " + Fixed(p.per_s, 0) + " " + unit + "/s (" + std::to_string(p.ok) +
                    " in " + Fixed(p.seconds, 2) + " s, p50 " + Fixed(p.latency_p50_ms, 2) + " ms, p99 " +
                    Fixed(p.latency_p99_ms, 2) + " ms, max " + Fixed(p.latency_max_ms, 2) + " ms";
    if (p.failed > 0) s += ", " + std::to_string(p.failed) + " FAILED, first: " + p.first_failure;
    return s + ")\n";
  };
  std::string s;
  s += line("full flows, durable settlements", flows, "settlements");
  s += line("settle only, durable settlements", settles, "settlements");
  s += line(("settle offered at " + Fixed(offered_rate_per_s, 0) + "/s").c_str(), paced, "settlements");
  s += line("GET /healthz", healthz, "requests");
  // How many trivial requests one settlement costs, where both were measured.
  auto ratio = [&](const char* what, const LoadPhase& p) {
    if (healthz.per_s <= 0 || p.per_s <= 0) return std::string();
    return "ratio: a " + std::string(what) + " costs as much as " + Fixed(healthz.per_s / p.per_s, 1) +
           " /healthz requests\n";
  };
  s += ratio("full-flow settlement (3 requests)", flows);
  s += ratio("settlement of a prepared visit", settles);
  s += std::to_string(connections) + " connections, " + std::to_string(lines_per_settlement) +
       " fee lines per settlement\n";
  return s;
}

}  // namespace xt::http
