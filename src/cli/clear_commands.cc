#include "cli/clear_commands.h"

#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "clearing/month.h"
#include "clearing/report.h"
#include "cli/cli_util.h"
#include "core/clock.h"
#include "core/json_writer.h"
#include "service/clearing_service.h"
#include "service/refdata.h"
#include "tools/bench_fill.h"
#include "store/store.h"

namespace xt::cli {

namespace {

int64_t PeakRssKib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

int Close(const ClearArgs& a) {
  auto store = OpenExistingStore(a.db);
  if (!store.ok()) return Fail(store.status());
  service::ClearingService svc(store->get(), &SystemClock::Instance());
  const int32_t ym = std::atoi(a.month.c_str());
  auto closed = svc.Close(service::Caller::Local(), ym);
  if (!closed.ok()) return Fail(closed.status());
  std::cout << closed->month.report_json << "\n";
  return 0;
}

int Deposit(const ClearArgs& a) {
  auto store = OpenExistingStore(a.db);
  if (!store.ok()) return Fail(store.status());
  service::ClearingService svc(store->get(), &SystemClock::Instance());
  auto status = svc.Deposit(service::Caller::Local(), a.region, a.amount_fen, a.ref);
  if (!status.ok()) return Fail(status.status());
  std::cout << clearing::PrepaidStatusJson(*status) << "\n";
  if (status->warning) {
    std::fprintf(stderr, "xietong: warning: the prepaid fund of %s is below its threshold (%s < %s): top it up\n",
                 a.region.c_str(), FormatFen(status->balance_fen).c_str(), FormatFen(status->threshold_fen).c_str());
  }
  return 0;
}

int Prepaid(const ClearArgs& a) {
  auto store = OpenExistingStore(a.db);
  if (!store.ok()) return Fail(store.status());
  service::ClearingService svc(store->get(), &SystemClock::Instance());
  auto reply = svc.PrepaidReply(service::Caller::Local(), a.region);
  std::cout << reply.body << "\n";
  return reply.http_status == 200 ? 0 : 1;
}

int Report(const ClearArgs& a) {
  auto store = OpenExistingStore(a.db);
  if (!store.ok()) return Fail(store.status());
  service::ClearingService svc(store->get(), &SystemClock::Instance());
  auto reply = svc.Report(service::Caller::Local(), a.month, a.what, a.format);
  if (reply.http_status != 200) {
    std::fprintf(stderr, "xietong: %s\n", reply.body.c_str());
    return 1;
  }
  std::cout << reply.body;
  if (reply.content_type == "application/json") std::cout << "\n";
  return 0;
}

// A month of `settlements` rows made in a new database, then closed from
// SQLite as `clear close` does; the close is what is timed.
int Bench(const ClearArgs& a) {
  namespace fs = std::filesystem;
  const fs::path dir = a.dir.empty() ? fs::temp_directory_path() / "xietong-clear-bench" : fs::path(a.dir);
  fs::create_directories(dir);
  const std::string path = (dir / ("clear-" + std::to_string(a.settlements) + ".db")).string();
  using Steady = std::chrono::steady_clock;
  double fill_s = 0;
  if (!fs::exists(path)) {
    {
      auto created = store::OpenSqliteStore(path);
      if (!created.ok()) return Fail(created.status());
    }
    const auto t0 = Steady::now();
    Status st = store::FillClearingBench(path, a.settlements, 202611);
    if (!st.ok()) {
      fs::remove(path);
      return Fail(st);
    }
    fill_s = std::chrono::duration<double>(Steady::now() - t0).count();
  }
  const int64_t rss_before_close = PeakRssKib();
  auto store = store::OpenSqliteStore(path);
  if (!store.ok()) return Fail(store.status());
  FixedClock clock(*ParseLocalTime("2026-12-05 10:00:00"));
  service::ClearingService svc(store->get(), &clock);
  // Recomputes the month without writing it, so the bench can run again on
  // the same database: the close's read and aggregation, which is its cost.
  const auto t0 = Steady::now();
  clearing::MonthResult month;
  clearing::ClearingHistory history;
  int64_t seq = 0;
  Status st = (*store)->Read([&](store::ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(history, clearing::HistoryOf(txn));
    XT_ASSIGN_OR_RETURN(seq, txn.settlements().MaxSettlementId());
    return Status::Ok();
  });
  if (!st.ok()) return Fail(st);
  auto computed = clearing::ComputeMonthParallel(**store, history, clearing::CloseRequest{202611, seq, clock.NowLocal()});
  if (!computed.ok()) return Fail(computed.status());
  month = std::move(computed).value();
  const double close_s = std::chrono::duration<double>(Steady::now() - t0).count();
  const auto t1 = Steady::now();
  const std::string report = clearing::MonthJson(month);
  const double render_s = std::chrono::duration<double>(Steady::now() - t1).count();
  JsonWriter w;
  w.BeginObject().Field("db", path).FieldInt("settlements", a.settlements).FieldInt("rows_counted", month.rows);
  w.FieldInt("reversals", month.reversals).FieldInt("institutions", static_cast<int64_t>(month.institutions.size()));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", fill_s);
  w.Key("fill_s").Raw(buf);
  std::snprintf(buf, sizeof buf, "%.3f", close_s);
  w.Key("close_from_sqlite_s").Raw(buf);
  std::snprintf(buf, sizeof buf, "%.0f", close_s > 0 ? static_cast<double>(month.rows) / close_s : 0.0);
  w.Key("rows_per_s").Raw(buf);
  std::snprintf(buf, sizeof buf, "%.3f", render_s);
  w.Key("render_json_s").Raw(buf);
  w.FieldInt("report_bytes", static_cast<int64_t>(report.size()));
  w.FieldInt("peak_rss_kib_before_close", rss_before_close).FieldInt("peak_rss_kib", PeakRssKib());
  w.EndObject();
  std::cout << w.str() << "\n";
  return 0;
}

}  // namespace

void AddClearCommands(CLI::App& app, ClearArgs* a) {
  auto* clear = app.add_subcommand("clear", "monthly clearing between regions, prepaid funds (docs/clearing.md)");
  clear->require_subcommand(1);
  auto db = [&](CLI::App* sub) { sub->add_option("--db", a->db, "SQLite database file")->capture_default_str(); };
  auto* close = clear->add_subcommand("close", "close a month (idempotent: a closed month answers its stored report)");
  db(close);
  close->add_option("--month", a->month, "setlym, yyyyMM")->required();
  auto* deposit = clear->add_subcommand("deposit", "deposit into or top up a province's prepaid fund");
  db(deposit);
  deposit->add_option("--region", a->region, "province code, e.g. 130000")->required();
  deposit->add_option("--amount-fen", a->amount_fen, "amount in fen")->required();
  deposit->add_option("--ref", a->ref, "the deposit's reference (bank slip)");
  auto* report = clear->add_subcommand("report", "a closed month's report as JSON or CSV");
  db(report);
  report->add_option("--month", a->month, "setlym, yyyyMM")->required();
  report->add_option("--format", a->format, "json or csv")->check(CLI::IsMember({"json", "csv"}));
  report->add_option("--what", a->what, "flows, institutions or funds (default: the whole month, JSON)")
      ->check(CLI::IsMember({"flows", "institutions", "funds"}));
  auto* prepaid = clear->add_subcommand("prepaid", "prepaid funds: balance, threshold, warning");
  db(prepaid);
  prepaid->add_option("--region", a->region, "province code (default: every province)");
  auto* bench = clear->add_subcommand("bench", "time closing a month of N settlements read from SQLite");
  bench->add_option("--settlements", a->settlements, "rows in the month")->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100000000}));
  bench->add_option("--dir", a->dir, "folder of the bench database (kept and reused for the same N)");
}

int RunClear(CLI::App& app, const ClearArgs& a) {
  CLI::App* clear = app.get_subcommand("clear");
  if (!clear->parsed()) return -1;
  if (clear->get_subcommand("close")->parsed()) return Close(a);
  if (clear->get_subcommand("deposit")->parsed()) return Deposit(a);
  if (clear->get_subcommand("report")->parsed()) return Report(a);
  if (clear->get_subcommand("prepaid")->parsed()) return Prepaid(a);
  if (clear->get_subcommand("bench")->parsed()) return Bench(a);
  return 2;
}

}  // namespace xt::cli
