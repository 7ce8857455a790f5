// Argument parsing (CLI11) and rendering of each subcommand.
#include "cli/commands.h"

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/admin_commands.h"
#include "cli/clear_commands.h"
#include "cli/cli_util.h"
#include "cli/http_commands.h"
#include "cli/progress.h"
#include "cli/results_commands.h"
#include "cli/users_commands.h"
#include "tools/bench.h"
#include "tools/demo.h"
#include "service/person_view.h"
#include "service/processor.h"
#include "service/refdata.h"
#include "service/verify.h"
#include "store/store.h"

namespace xt::cli {

namespace {

using json = nlohmann::json;

// Display columns of UTF-8 text: CJK and full-width characters take two.
size_t DisplayWidth(const std::string& s) {
  size_t cols = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp = c;
    int len = 1;
    if (c >= 0xF0) { cp = c & 0x07; len = 4; }
    else if (c >= 0xE0) { cp = c & 0x0F; len = 3; }
    else if (c >= 0xC0) { cp = c & 0x1F; len = 2; }
    for (int k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    cols += cp >= 0x2E80 ? 2 : 1;
    i += static_cast<size_t>(len);
  }
  return cols;
}

// `s` padded with spaces to `width` display columns (left-aligned).
std::string Pad(const std::string& s, size_t width) {
  const size_t w = DisplayWidth(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

std::string Yuan(const json& v) {
  if (!v.is_number()) return "-";
  auto fen = ScaledFromNumberText(v.dump(), 2);
  return fen ? FormatFen(*fen) : "-";
}

int CmdInit(const std::string& db, const std::string& data_dir, bool as_json) {
  const bool existed = std::filesystem::exists(db);
  auto o = OpenDatabase(db, true, data_dir, !as_json);
  if (!o.ok()) return Fail(o.status());
  int64_t persons = 0;
  (void)o->store->Read([&](store::ReadTxn& txn) -> Status {
    auto n = txn.registry().CountPersons();
    if (n.ok()) persons = *n;
    return Status::Ok();
  });
  const auto& reg = o->ref->registry;
  if (as_json) {
    std::cout << json{{"db", db},
                      {"created", !existed},
                      {"regions", reg.regions().size()},
                      {"institutions", reg.institutions().size()},
                      {"catalogue_items", o->ref->catalog.item_count()},
                      {"policies", o->ref->policies.policies().size()},
                      {"persons", persons}}
                     .dump()
              << "\n";
  } else {
    std::printf("%s %s: %zu regions, %zu institutions, %zu catalogue items, %zu policies, %lld persons\n",
                existed ? "database already initialised:" : "initialised", db.c_str(), reg.regions().size(),
                reg.institutions().size(), o->ref->catalog.item_count(), o->ref->policies.policies().size(),
                static_cast<long long>(persons));
  }
  return 0;
}

int CmdDemo(const std::string& db, const std::string& data_dir, bool as_json, int past_month) {
  auto o = OpenDatabase(db, true, data_dir, !as_json);
  if (!o.ok()) return Fail(o.status());
  if (past_month > 0) {
    // The past month's sample visits first, so that every settlement is
    // recorded in the order of its date.
    auto persons = service::LoadPersonsFile(data_dir.empty() ? service::DefaultDataDir() : data_dir, o->ref->registry);
    if (!persons.ok()) return Fail(persons.status());
    auto past = service::SettlePastMonth(*o->store, *o->ref, SystemClock::Instance(), *persons, past_month);
    if (!past.ok()) return Fail(past.status());
    if (!as_json) {
      std::printf("past month %s: %d sample visits settled, %s yuan billed (close it with `xietong clear close "
                  "--month %s --db %s`)\n\n",
                  past->setlym.c_str(), past->settled, FormatFen(past->medfee_sumamt_fen).c_str(),
                  past->setlym.c_str(), db.c_str());
    }
  }
  auto r = service::RunDemo(*o->store, *o->ref, SystemClock::Instance());
  if (!r.ok()) return Fail(r.status());
  const auto& last = r->steps.back().call;
  if (as_json) {
    std::cout << last.response << "\n";
    return 0;
  }
  std::printf("一卡通行 demo: patient %s (ID %s), insured in Xingtai, Hebei,\n", r->psn_no.c_str(), r->certno.c_str());
  std::printf("treated at %s (%s), Tianjin, settled on the spot.\n\n", r->fixmedins_name.c_str(),
              r->fixmedins_code.c_str());
  for (const auto& s : r->steps) {
    std::printf("  %s  %s %s\n", s.infno.c_str(), Pad(s.title, 34).c_str(), s.call.infcode == 0 ? "ok" : s.call.err_msg.c_str());
  }
  const json resp = json::parse(last.response);
  const json& info = resp["output"]["setlinfo"];
  // Fee lines as the catalogue split them (from the upload's answer).
  const json up = json::parse(r->steps[2].call.response);
  std::printf("\nFee details (treatment place's catalogue, Tianjin)\n");
  std::printf("  %-3s %-27s %-4s %10s %10s %10s %10s %10s\n", "sn", "item", "lv", "amount", "self-paid", "over-cap",
              "pre-self", "in-scope");
  for (const auto& l : up["output"]["result"]) {
    std::string code;
    for (const auto& fl : r->lines) if (fl.feedetl_sn == l.value("feedetl_sn", "")) code = fl.med_list_codg;
    static const char* kLv[] = {"", "甲", "乙", "丙"};
    const std::string lv = l.value("chrgitm_lv", "03");
    std::printf("  %-3s %-27s %s %10s %10s %10s %10s %10s\n", l.value("feedetl_sn", "").c_str(), code.c_str(),
                Pad(kLv[lv == "01" ? 1 : lv == "02" ? 2 : 3], 4).c_str(), Yuan(l["det_item_fee_sumamt"]).c_str(),
                Yuan(l["fulamt_ownpay_amt"]).c_str(), Yuan(l["overlmt_amt"]).c_str(), Yuan(l["preselfpay_amt"]).c_str(),
                Yuan(l["inscp_scp_amt"]).c_str());
  }
  std::printf("\nSettlement %s (yuan)\n", info.value("setl_id", "").c_str());
  const std::pair<const char*, const char*> rows[] = {
      {"medfee_sumamt", "total bill"},
      {"fulamt_ownpay_amt", "fully self-paid (丙 / not listed)"},
      {"overlmt_selfpay", "over the price cap"},
      {"preselfpay_amt", "upfront self-pay (乙)"},
      {"inscp_scp_amt", "within policy scope"},
      {"act_pay_dedc", "deductible applied (起付线)"},
      {"hifp_pay", "pooled fund (统筹基金)"},
      {"hifob_pay", "large-amount fund (大额)"},
      {"hifmi_pay", "critical illness (大病)"},
      {"cvlserv_pay", "civil-servant subsidy"},
      {"fund_pay_sumamt", "funds in all"},
      {"psn_part_amt", "patient's part"},
      {"acct_pay", "  paid from personal account"},
      {"psn_cash_pay", "  paid in cash"},
      {"balc", "personal account balance after"},
  };
  for (const auto& [field, label] : rows) {
    std::printf("  %-20s %s %12s\n", field, Pad(label, 36).c_str(), Yuan(info[field]).c_str());
  }
  std::printf("\nTrace (setl_proc_info)\n");
  std::string trace = info.value("setl_proc_info", "");
  size_t pos = 0;
  while (pos < trace.size()) {
    size_t nl = trace.find('\n', pos);
    if (nl == std::string::npos) nl = trace.size();
    std::printf("  %s\n", trace.substr(pos, nl - pos).c_str());
    pos = nl + 1;
  }
  std::printf("\nDatabase: %s  (check it with `xietong verify --db %s`)\n", db.c_str(), db.c_str());
  return 0;
}

int CmdPerson(const std::string& db, const std::string& who, int year, bool as_json) {
  auto o = OpenDatabase(db, false, "", false);
  if (!o.ok()) return Fail(o.status());
  if (year == 0) year = DateOf(SystemClock::Instance().NowLocal()).Year();
  auto view = service::PersonView(*o->store, *o->ref, who, year);
  if (!view.ok()) return Fail(view.status());
  if (as_json) {
    std::cout << json::parse(*view).dump() << "\n";
    return 0;
  }
  const json p = json::parse(*view);
  std::printf("%s  %s  born %s  ID %s\n", p.value("psn_no", "").c_str(), p.value("psn_name", "").c_str(),
              p.value("birth", "").c_str(), p.value("certno", "").c_str());
  for (const auto& e : p["enrollments"]) {
    std::printf("  insured %s in %s %s, psn_type %s, status %s, from %s%s\n", e.value("insutype", "").c_str(),
                e.value("insuplc_admdvs", "").c_str(), e.value("region_name", "").c_str(),
                e.value("psn_type", "").c_str(), e.value("psn_insu_stas", "").c_str(), e.value("begin", "").c_str(),
                e.value("end", "").empty() ? "" : (" to " + e.value("end", "")).c_str());
  }
  for (const auto& f : p["filings"]) {
    std::printf("  filing for %s (%s) from %s\n", f.value("mdtrtarea_admvs", "").c_str(), f.value("kind", "").c_str(),
                f.value("begin", "").c_str());
  }
  std::printf("  personal account balance: %s yuan\n", p.value("acct_balance", "0.00").c_str());
  std::printf("  accumulators %d:%s\n", year, p["accumulators"].empty() ? " none" : "");
  for (const auto& [k, v] : p["accumulators"].items()) {
    // "stay:" keys count stays; every other kind is money in fen.
    const int64_t value = v.get<int64_t>();
    const std::string shown = k.rfind("stay:", 0) == 0 ? std::to_string(value) + " stays" : FormatFen(value) + " yuan";
    std::printf("    %-40s %s\n", k.c_str(), shown.c_str());
  }
  return 0;
}

// `xietong call`: reads envelopes (one per line, or a JSON array), runs
// them with up to `concurrency` in flight and prints each answer in input
// order. Long because reading, the bounded pipeline and the ordered output
// share the same few variables; split, they would pass them all around.
int CmdCall(const std::string& db, const std::string& file, int concurrency) {
  auto o = OpenDatabase(db, false, "", false);
  if (!o.ok()) return Fail(o.status());
  std::ifstream fin;
  std::istream* in = &std::cin;
  if (!file.empty() && file != "-") {
    fin.open(file);
    if (!fin) return Fail(Status::Error("XT-CLI-002", "cannot read " + file));
    in = &fin;
  }
  service::Processor proc(o->store.get(), o->ref.get(), &SystemClock::Instance());
  std::mutex in_mu, out_mu;
  std::atomic<int64_t> failures{0};
  constexpr size_t kLineLenMax = 8 << 20;
  auto worker = [&] {
    std::string line;
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(in_mu);
        if (!std::getline(*in, line)) return;
      }
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      std::string resp = line.size() > kLineLenMax
                             ? std::string("{\"infcode\":-1,\"err_code\":\"XT-ENV-008\",\"err_msg\":\"the request is too large\",\"output\":{}}")
                             : proc.Call(line);
      if (resp.rfind("{\"infcode\":0", 0) != 0) failures.fetch_add(1);
      std::lock_guard<std::mutex> lock(out_mu);
      std::fwrite(resp.data(), 1, resp.size(), stdout);
      std::fputc('\n', stdout);
      std::fflush(stdout);  // an answer printed is an answer acknowledged
    }
  };
  std::vector<std::thread> threads;
  for (int i = 1; i < concurrency; ++i) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  return 0;
}

int CmdVerify(const std::string& db, bool as_json) {
  auto o = OpenDatabase(db, false, "", false);
  if (!o.ok()) return Fail(o.status());
  ProgressBar bar(!as_json);
  bar.Phase("verifying");
  auto rep = service::Verify(*o->store, [&](int64_t d, int64_t t) { bar.Update(d, t); });
  bar.Finish();
  if (!rep.ok()) return Fail(rep.status());
  if (as_json) {
    std::cout << json{{"ok", rep->ok()},
                      {"settlements", rep->settlements},
                      {"reversals", rep->reversals},
                      {"transfers", rep->transfers},
                      {"accounts", rep->accounts},
                      {"accumulators", rep->accumulators},
                      {"total_debits", FormatFen(rep->total_debits_fen)},
                      {"problems", rep->problems}}
                     .dump()
              << "\n";
  } else {
    std::printf("%lld settlements, %lld reversals, %lld transfers over %lld accounts, %lld accumulators\n",
                static_cast<long long>(rep->settlements), static_cast<long long>(rep->reversals),
                static_cast<long long>(rep->transfers), static_cast<long long>(rep->accounts),
                static_cast<long long>(rep->accumulators));
    for (const auto& p : rep->problems) std::printf("MISMATCH %s\n", p.c_str());
    std::printf("%s\n", rep->ok() ? "verify: ok, every balance and accumulator matches"
                                  : "verify: FAILED");
  }
  return rep->ok() ? 0 : 1;
}

int CmdBench(service::BenchOptions opt, bool as_json) {
  ProgressBar bar(true);
  opt.progress = [&](int64_t d, int64_t t) { bar.Update(d, t); };
  opt.phase = [&](const std::string& name) { bar.Phase(name); };
  auto r = service::RunBench(opt);
  bar.Finish();
  if (!r.ok()) return Fail(r.status());
  if (as_json) {
    std::cout << r->json() << "\n";
    return 0;
  }
  std::printf("engine: %.0f claims/s (%lld claims of %d lines, one core)\n", r->engine_claims_per_s,
              static_cast<long long>(r->engine_claims), r->engine_lines_per_claim);
  std::printf("settle, group commit: %.0f durable settlements/s (%lld in %.2f s, p50 %.2f ms, p99 %.2f ms, %.1f per commit)\n",
              r->group.per_s, static_cast<long long>(r->group.settlements), r->group.seconds, r->group.latency_p50_ms,
              r->group.latency_p99_ms, r->group.batch_avg);
  std::printf("settle, one transaction each: %.0f durable settlements/s (%lld in %.2f s, p50 %.2f ms, p99 %.2f ms)\n",
              r->txn_each.per_s, static_cast<long long>(r->txn_each.settlements), r->txn_each.seconds,
              r->txn_each.latency_p50_ms, r->txn_each.latency_p99_ms);
  return 0;
}

}  // namespace

// The command tree: each subcommand's options declared where it is added
// (the Add...Commands functions hold the larger families). Long because
// CLI11 declarations are one line per option, and the tree reads best whole.
int Main(int argc, char** argv) {
  CLI::App app{"xietong (协同): cross-region public-service exchange for Beijing, Tianjin and Hebei"};
  app.require_subcommand(1);
  std::string db = "xietong.db";
  bool as_json = false;
  auto add_common = [&](CLI::App* sub, bool with_json) {
    sub->add_option("--db", db, "SQLite database file")->capture_default_str();
    if (with_json) sub->add_flag("--json", as_json, "print JSON for programs");
  };

  std::string data_dir;
  auto* init = app.add_subcommand("init", "create the database from the default dataset (data/) if missing");
  add_common(init, true);
  init->add_option("--data", data_dir, "data folder to load (default: the project's data/)");

  auto* demo = app.add_subcommand("demo", "the Xingtai patient settled at a Tianjin hospital, end to end");
  add_common(demo, true);
  demo->add_option("--data", data_dir, "data folder to load when the database is created");
  int past_month = 0;
  demo->add_option("--past-month", past_month,
                   "also settle N sample visits dated in the previous calendar month (for clearing)")
      ->check(CLI::Range(0, service::kPastMonthVisitsMax));

  std::string who;
  int year = 0;
  auto* person = app.add_subcommand("person", "show an insured person: enrollments, account, accumulators");
  add_common(person, true);
  person->add_option("ID", who, "ID number (18 characters) or psn_no")->required();
  person->add_option("--year", year, "accumulator year (default: this year)");

  std::string file;
  int concurrency = 1;
  auto* call = app.add_subcommand(
      "call", "send request envelopes (one JSON per line, from FILE or stdin); print response envelopes");
  add_common(call, false);
  call->add_option("FILE", file, "file of request envelopes; '-' or none for stdin");
  call->add_option("--concurrency", concurrency, "requests processed at once (answers may then come out of order)")
      ->check(CLI::Range(1, 256));

  auto* verify = app.add_subcommand("verify", "recompute every balance and accumulator; exit 1 on any mismatch");
  add_common(verify, true);

  service::BenchOptions bopt;
  bool quick = false;
  auto* bench = app.add_subcommand("bench", "measure the engine and durable settlements per second");
  bench->add_flag("--json", as_json, "print one JSON object");
  bench->add_flag("--quick", quick, "small counts, for a smoke test");
  bench->add_option("--engine-claims", bopt.engine_claims, "claims for the engine phase")->capture_default_str();
  bench->add_option("--settlements", bopt.group_settlements, "settlements with group commit")->capture_default_str();
  bench->add_option("--settlements-each", bopt.txn_each_settlements, "settlements with one transaction each")
      ->capture_default_str();
  bench->add_option("--threads", bopt.client_threads, "concurrent callers")->capture_default_str()->check(CLI::Range(1, 1024));
  bench->add_option("--dir", bopt.work_dir, "folder for the benchmark databases (default: a new temporary folder)");
  bench->add_option("--data", data_dir, "data folder to load");

  ServeArgs serve_args;
  auto* serve = AddServeCommand(app, &serve_args);
  LoadgenArgs loadgen_args;
  auto* loadgen = AddLoadgenCommand(app, &loadgen_args);
  AdminArgs admin_args;
  AddAdminCommands(app, &admin_args);
  ResultsArgs results_args;
  AddResultsCommands(app, &results_args);
  ClearArgs clear_args;
  AddClearCommands(app, &clear_args);
  UsersArgs users_args;
  AddUsersCommands(app, &users_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    if (*init) return CmdInit(db, data_dir, as_json);
    if (*demo) return CmdDemo(db, data_dir, as_json, past_month);
    if (*person) return CmdPerson(db, who, year, as_json);
    if (*call) return CmdCall(db, file, concurrency);
    if (*verify) return CmdVerify(db, as_json);
    if (*serve) return RunServe(serve_args);
    if (*loadgen) return RunLoadgen(loadgen_args);
    if (int rc = RunAdmin(app, admin_args); rc >= 0) return rc;
    if (int rc = RunResults(app, results_args); rc >= 0) return rc;
    if (int rc = RunClear(app, clear_args); rc >= 0) return rc;
    if (int rc = RunUsers(app, users_args); rc >= 0) return rc;
    if (*bench) {
      if (quick) {
        bopt.engine_claims = 20000;
        bopt.group_settlements = 2000;
        bopt.txn_each_settlements = 200;
      }
      bopt.data_dir = data_dir.empty() ? service::DefaultDataDir() : data_dir;
      return CmdBench(bopt, as_json);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "xietong: XT-INT-001: internal error: %s\n", e.what());
    return 1;
  }
  return 2;
}

}  // namespace xt::cli
