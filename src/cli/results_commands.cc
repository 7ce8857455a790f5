// `xietong results ...` (results_commands.h): opens the database, calls the
// use case as the local operator, prints its JSON answer.
#include "cli/results_commands.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/cli_util.h"
#include "core/clock.h"
#include "service/refdata.h"
#include "service/rest.h"
#include "service/results_service.h"
#include "store/store.h"

namespace xt::cli {

namespace {

struct Opened {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<service::RefData> ref;
  std::unique_ptr<service::ResultsApi> api;
};

Result<Opened> OpenExisting(const std::string& db) {
  Opened o;
  XT_ASSIGN_OR_RETURN(o.store, OpenExistingStore(db));
  XT_ASSIGN_OR_RETURN(o.ref, service::LoadRefData(*o.store));
  o.api = std::make_unique<service::ResultsApi>(o.store.get(), o.ref.get(), &SystemClock::Instance());
  return o;
}

// Prints the answer; on a refusal its err_code and message go to stderr too.
bool Print(const service::ApiReply& r) {
  std::cout << r.body << "\n";
  if (r.http_status != 200) std::fprintf(stderr, "xietong: %s (HTTP %d)\n", r.err_code.c_str(), r.http_status);
  return r.http_status == 200;
}

// Each JSON object of FILE ('-': stdin), one per line, or one over lines.
int ForEachDocument(const std::string& file, const std::function<bool(const std::string&)>& fn) {
  std::ifstream fin;
  std::istream* in = &std::cin;
  if (file != "-") {
    fin.open(file);
    if (!fin) return Fail(Status::Error("XT-CLI-002", "cannot read " + file));
    in = &fin;
  }
  constexpr size_t kFileBytesMax = size_t{64} << 20;
  std::string text((std::istreambuf_iterator<char>(*in)), std::istreambuf_iterator<char>());
  if (text.size() > kFileBytesMax) return Fail(Status::Error("XT-CLI-002", file + " is over 64 MiB"));
  // A document over several lines (pretty-printed) is one; else one per line.
  const size_t first = text.find_first_not_of(" \t\r\n");
  const size_t last = text.find_last_not_of(" \t\r\n");
  bool ok = true;
  if (first != std::string::npos && text.find("}\n{", first) == std::string::npos &&
      text.substr(first, last - first + 1).find('\n') != std::string::npos && text[first] == '{' &&
      text.find("}\r\n{", first) == std::string::npos) {
    return fn(text.substr(first, last - first + 1)) ? 0 : 1;
  }
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ok = fn(line) && ok;
  }
  return ok ? 0 : 1;
}

int Bench(ResultsArgs& a) {
  service::ResultsBenchOptions& o = a.bench;
  if (a.bench_quick) {
    o.patients = 2000;
    o.checks = 20000;
    o.publishes = 2000;
    o.publish_threads = 32;
    o.full_checks = 2000;
    o.full_threads = 16;
  }
  if (o.data_dir.empty()) o.data_dir = service::DefaultDataDir();
  std::filesystem::path dir;
  if (o.db_path.empty()) {
    dir = std::filesystem::temp_directory_path() / ("xietong-results-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    o.db_path = (dir / "results.db").string();
  }
  o.phase = [](const std::string& p) { std::fprintf(stderr, "results bench: %s\n", p.c_str()); };
  auto r = service::RunResultsBench(o);
  if (!dir.empty()) std::filesystem::remove_all(dir);
  if (!r.ok()) return Fail(r.status());
  if (a.json) {
    std::cout << r->json() << "\n";
    return 0;
  }
  std::printf("load: %lld results in %.1f s (%.0f rows/s); %lld results in all, database %.2f GB\n",
              static_cast<long long>(r->rows_loaded), r->load_seconds, r->load_rows_per_s,
              static_cast<long long>(r->rows_total), static_cast<double>(r->db_bytes) / 1e9);
  std::printf("check (%d items, store read + check): %.0f checks/s on %d threads, p50 %.1f us, p99 %.1f us "
              "(%.1f results read per check, %.0f%% of items recognised)\n",
              o.items_per_check, r->check.per_s, o.check_threads, r->check.p50_us, r->check.p99_us,
              r->check_results_per_patient, 100 * r->check_items_recognised);
  std::printf("publish (durable, group commit): %.0f results/s on %d threads, p50 %.2f ms, p99 %.2f ms, %.1f per commit\n",
              r->publish.per_s, o.publish_threads, r->publish.p50_us / 1000, r->publish.p99_us / 1000,
              r->publish_batch_avg);
  std::printf("full check (MayView, check, look + audit durable): %.0f checks/s on %d threads, p50 %.2f ms, p99 %.2f ms\n",
              r->full_check.per_s, o.full_threads, r->full_check.p50_us / 1000, r->full_check.p99_us / 1000);
  return 0;
}

}  // namespace

void AddResultsCommands(CLI::App& app, ResultsArgs* a) {
  auto* results = app.add_subcommand("results", "mutual recognition of examination and test results (docs/results.md)");
  results->require_subcommand(1);
  auto common = [&](CLI::App* sub) {
    sub->add_option("--db", a->db, "SQLite database file")->capture_default_str();
  };
  auto* publish = results->add_subcommand("publish", "publish lab results / imaging reports (JSON objects, one per line)");
  common(publish);
  publish->add_option("FILE", a->file, "file of results; '-' for stdin")->required();

  auto* check = results->add_subcommand("check", "the doctor's check: recognised results of a patient for items");
  common(check);
  check->add_option("PSN_NO", a->psn_no, "the patient")->required();
  check->add_option("--items", a->items, "item codes or abbreviations, comma-separated (K,Na,CT-HEAD)")->required();
  check->add_option("--fixmedins", a->fixmedins_code, "the institution checking (needs an open visit)")->required();
  check->add_option("--at", a->at, "moment of the check, yyyy-MM-dd HH:mm:ss (default: now)");

  auto* looks = results->add_subcommand("looks", "who looked at a patient's results");
  common(looks);
  looks->add_option("PSN_NO", a->psn_no, "the patient")->required();
  looks->add_option("--page-size", a->page_size, "at most this many (1..200)");

  auto* decide = results->add_subcommand("decide", "record doctors' decisions (JSON objects, one per line)");
  common(decide);
  decide->add_option("FILE", a->file, "file of decisions; '-' for stdin")->required();

  auto* stats = results->add_subcommand("stats", "checks, results accepted, tests avoided and fees saved per month");
  common(stats);
  stats->add_option("--region", a->region, "province code, e.g. 120000");
  stats->add_option("--fixmedins", a->fixmedins_code, "one institution");
  stats->add_option("--from", a->from, "first month, yyyy-MM");
  stats->add_option("--to", a->to, "last month, yyyy-MM");

  auto* bench = results->add_subcommand("bench", "store-backed benchmark: load, check, publish (docs/benchmarks.md)");
  service::ResultsBenchOptions& o = a->bench;
  bench->add_flag("--json", a->json, "print one JSON object");
  bench->add_flag("--quick", a->bench_quick, "small counts, for a smoke test");
  bench->add_option("--db", o.db_path, "benchmark database (kept, and reused when it holds the same load); "
                                       "default: a temporary one, removed after");
  bench->add_option("--data", o.data_dir, "data folder to initialise it from");
  bench->add_option("--patients", o.patients, "patients")->capture_default_str();
  bench->add_option("--results-per-patient", o.results_per_patient, "results of each")->capture_default_str();
  bench->add_option("--checks", o.checks, "checks through the store")->capture_default_str();
  bench->add_option("--threads", o.check_threads, "threads checking")->capture_default_str();
  bench->add_option("--items", o.items_per_check, "items per check")->capture_default_str();
  bench->add_option("--publishes", o.publishes, "results published one by one")->capture_default_str();
  bench->add_option("--publish-threads", o.publish_threads, "threads publishing")->capture_default_str();
  bench->add_option("--full-checks", o.full_checks, "checks through the use case (visits, audit)")
      ->capture_default_str();
  bench->add_option("--full-threads", o.full_threads, "threads for those")->capture_default_str();
  for (auto* sub : {publish, check, looks, decide, stats}) sub->add_flag("--json", a->json, "(answers are JSON)");
}

int RunResults(CLI::App& app, ResultsArgs& a) {
  auto* results = app.get_subcommand("results");
  if (!results->parsed()) return -1;
  if (results->get_subcommand("bench")->parsed()) return Bench(a);
  auto o = OpenExisting(a.db);
  if (!o.ok()) return Fail(o.status());
  service::ResultsApi& api = *o->api;
  const service::Caller local = service::Caller::Local();
  if (results->get_subcommand("publish")->parsed()) {
    return ForEachDocument(a.file, [&](const std::string& doc) { return Print(api.Publish(local, doc)); });
  }
  if (results->get_subcommand("decide")->parsed()) {
    return ForEachDocument(a.file, [&](const std::string& doc) { return Print(api.Decide(local, doc)); });
  }
  if (results->get_subcommand("check")->parsed()) {
    service::QueryParams p{{"items", a.items}, {"fixmedins_code", a.fixmedins_code}};
    if (!a.at.empty()) p["at"] = a.at;
    return Print(api.Recognised(local, a.psn_no, p)) ? 0 : 1;
  }
  if (results->get_subcommand("looks")->parsed()) {
    service::QueryParams p;
    if (!a.page_size.empty()) p["page_size"] = a.page_size;
    return Print(api.Looks(local, a.psn_no, p)) ? 0 : 1;
  }
  if (results->get_subcommand("stats")->parsed()) {
    service::QueryParams p;
    if (!a.region.empty()) p["region"] = a.region;
    if (!a.fixmedins_code.empty()) p["fixmedins_code"] = a.fixmedins_code;
    if (!a.from.empty()) p["from"] = a.from;
    if (!a.to.empty()) p["to"] = a.to;
    return Print(api.Statistics(local, p)) ? 0 : 1;
  }
  return 2;
}

}  // namespace xt::cli
