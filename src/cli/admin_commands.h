// The operator's subcommands: `xietong credentials issue|list|revoke` (API
// keys for hospitals, agencies, residents and operators) and `xietong audit
// verify|list` (the tamper-evident audit log). src/cli/admin_commands.cc.
#pragma once

#include <cstdint>
#include <string>

namespace CLI {
class App;
}

namespace xt::cli {

struct AdminArgs {
  std::string db = "xietong.db";
  bool json = false;
  // credentials issue
  std::string role;
  std::string scope;
  std::string label;
  bool all_institutions = false;
  // credentials revoke
  std::string key_id;
  // audit list
  int64_t from_seq = 1;
  int64_t limit = 100;
};

// Registers both subcommands; RunAdmin runs the one chosen (-1 when none).
void AddAdminCommands(CLI::App& app, AdminArgs* args);
int RunAdmin(CLI::App& app, const AdminArgs& args);

}  // namespace xt::cli
