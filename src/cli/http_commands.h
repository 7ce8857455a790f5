// The HTTP subcommands: `xietong serve` (the settlement service on HTTP,
// src/cli/serve.cc) and `xietong loadgen` (a load generator against a
// running server, src/cli/loadgen.cc). commands.cc registers them and calls
// Run* when one was chosen.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace xt::cli {

// Flags of `serve`. Each is set only when given, so that a flag overrides
// the config file's key of the same name (dashes there are underscores), and
// the config file overrides the defaults of http::ServerOptions.
struct ServeArgs {
  std::string config;  // --config FILE (JSON)
  std::optional<std::string> db;
  std::optional<std::string> data;
  std::optional<std::string> listen;  // HOST:PORT
  std::optional<int64_t> io_threads;
  std::optional<int64_t> threads;
  std::optional<int64_t> connections_max;
  std::optional<int64_t> payload_bytes_max;
  std::optional<int64_t> header_count_max;
  std::optional<int64_t> header_bytes_max;
  std::optional<int64_t> read_timeout_ms;
  std::optional<int64_t> write_timeout_ms;
  std::optional<int64_t> keep_alive_timeout_s;
  std::optional<int64_t> keep_alive_requests_max;
  std::optional<bool> access_log;
  // --web DIR: the browser application's folder; when not given, web/dist
  // beside the source tree of the binary (<dir of executable>/../web/dist),
  // then ./web/dist.
  std::optional<std::string> web;
  // Staff sessions (service::AccountsOptions): --cookie-secure (required
  // behind TLS), --session-idle-timeout-s N.
  bool cookie_secure = false;
  std::optional<int64_t> session_idle_timeout_s;
  // --demo-credentials: issue and print keys for every role, and provide
  // and print the demo staff accounts.
  bool demo_credentials = false;
};

CLI::App* AddServeCommand(CLI::App& app, ServeArgs* args);
int RunServe(const ServeArgs& args);

struct LoadgenArgs {
  std::string target = "127.0.0.1:8080";
  std::string data;
  std::string credentials;  // JSON lines of hospital keys
  int connections = 256;
  int threads = 1;
  int64_t flows = 20000;
  int64_t settles = 20000;
  double rate_per_s = 2000;
  int64_t paced = 10000;
  double flows_rate_per_s = 2000;
  int64_t paced_flows = 10000;
  double healthz_s = 3;
  bool quick = false;
  bool json = false;
};

CLI::App* AddLoadgenCommand(CLI::App& app, LoadgenArgs* args);
int RunLoadgen(const LoadgenArgs& args);

}  // namespace xt::cli
