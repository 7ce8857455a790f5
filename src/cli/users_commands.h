// The operator's staff accounts at the command line: `xietong users add |
// list | disable | reset` (service/accounts.h), for the people who sign in
// to the web application. src/cli/users_commands.cc.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace xt::cli {

struct UsersArgs {
  std::string db = "xietong.db";
  bool json = false;
  std::string username;  // add: --username; disable, reset: the argument
  std::string role;
  std::string duty;
  std::string scope;
  std::string name;
  bool password_stdin = false;  // read the password from the first line of stdin
};

// Registers `users`; RunUsers runs the subcommand chosen (-1 when none).
void AddUsersCommands(CLI::App& app, UsersArgs* args);
int RunUsers(CLI::App& app, const UsersArgs& args);

}  // namespace xt::cli
