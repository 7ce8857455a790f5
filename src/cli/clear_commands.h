// `xietong clear close|deposit|report|prepaid|bench`: monthly clearing,
// prepaid funds and their benchmark at the command line (docs/clearing.md).
// Thin: every rule is in service/clearing_service.h. src/cli/clear_commands.cc.
#pragma once

#include <cstdint>
#include <string>

namespace CLI {
class App;
}

namespace xt::cli {

struct ClearArgs {
  std::string db = "xietong.db";
  std::string month;              // setlym, yyyyMM
  std::string region;             // a province code
  int64_t amount_fen = 0;
  std::string ref;
  std::string format = "json";    // json | csv
  std::string what;               // "" (the month) | flows | institutions | funds
  int64_t settlements = 10000000; // bench
  std::string dir;                // bench: folder of its database
};

// Registers `clear` and its subcommands; RunClear runs the one chosen, or
// returns -1 when `clear` was not on the command line.
void AddClearCommands(CLI::App& app, ClearArgs* args);
int RunClear(CLI::App& app, const ClearArgs& args);

}  // namespace xt::cli
