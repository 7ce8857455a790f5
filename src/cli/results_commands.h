// `xietong results ...`: mutual recognition of results from the command
// line, as the local operator, thin over service/results_service.h:
// publish, check, looks, decide, stats, and the benchmark.
// src/cli/results_commands.cc.
#pragma once

#include <cstdint>
#include <string>

#include "tools/results_store_bench.h"

namespace CLI {
class App;
}

namespace xt::cli {

struct ResultsArgs {
  std::string db = "xietong.db";
  bool json = false;
  std::string file;            // publish, decide: a JSON object, or one per line
  std::string psn_no;          // check, looks
  std::string items;           // check
  std::string fixmedins_code;  // check: the institution checking; stats: filter
  std::string at;              // check
  std::string region, from, to;  // stats
  std::string page_size;       // looks
  service::ResultsBenchOptions bench;
  bool bench_quick = false;
};

// Registers `results` and its subcommands; RunResults runs the one chosen
// (-1 when `results` was not chosen).
void AddResultsCommands(CLI::App& app, ResultsArgs* args);
int RunResults(CLI::App& app, ResultsArgs& args);

}  // namespace xt::cli
