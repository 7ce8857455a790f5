// `xietong loadgen`: drives a running `xietong serve` (src/http/loadgen.h)
// and prints durable settlements per second, latency at a fixed offered
// rate, and the rate of a trivial route for comparison.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/http_commands.h"
#include "cli/progress.h"
#include "tools/loadgen.h"
#include "service/refdata.h"

namespace xt::cli {

CLI::App* AddLoadgenCommand(CLI::App& app, LoadgenArgs* a) {
  auto* cmd = app.add_subcommand("loadgen", "load a running `xietong serve` with settle flows over many keep-alive "
                                            "connections; report durable settlements/s and latency");
  cmd->add_option("--target", a->target, "HOST:PORT of the server")->capture_default_str();
  cmd->add_option("--data", a->data, "data folder the server's database was made from (default: the project's data/)");
  cmd->add_option("--credentials", a->credentials,
                  "hospital keys, one JSON object per line, as printed by `xietong credentials issue --role hospital "
                  "--all-institutions --json`")
      ->required();
  cmd->add_option("--connections", a->connections,
                  "concurrent keep-alive connections (each with at most one request in flight), shared by the "
                  "client threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--threads", a->threads, "client threads, each an event loop over its share of the connections")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->add_option("--flows", a->flows, "full flows (2201, 2204, 2207), closed loop")->capture_default_str();
  cmd->add_option("--settles", a->settles, "settlements of prepared visits, closed loop")->capture_default_str();
  cmd->add_option("--rate", a->rate_per_s, "offered settlements per second in the paced phase")->capture_default_str();
  cmd->add_option("--paced", a->paced, "settlements offered in the paced phase")->capture_default_str();
  cmd->add_option("--flows-rate", a->flows_rate_per_s, "offered whole flows per second in the paced flows phase")
      ->capture_default_str();
  cmd->add_option("--paced-flows", a->paced_flows, "whole flows offered in the paced flows phase")->capture_default_str();
  cmd->add_option("--healthz-seconds", a->healthz_s, "seconds of GET /healthz, closed loop")->capture_default_str();
  cmd->add_flag("--quick", a->quick, "small counts, for a smoke test");
  cmd->add_flag("--json", a->json, "print one JSON object");
  return cmd;
}

int RunLoadgen(const LoadgenArgs& a) {
  signal(SIGPIPE, SIG_IGN);
  http::LoadgenOptions o;
  const size_t colon = a.target.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    std::fprintf(stderr, "xietong: XT-LOAD-003: --target must be HOST:PORT\n");
    return 2;
  }
  o.host = a.target.substr(0, colon);
  try {
    o.port = std::stoi(a.target.substr(colon + 1));
  } catch (const std::exception&) {
    std::fprintf(stderr, "xietong: XT-LOAD-003: --target must be HOST:PORT\n");
    return 2;
  }
  o.data_dir = a.data.empty() ? service::DefaultDataDir() : a.data;
  {
    std::ifstream in(a.credentials);
    if (!in) {
      std::fprintf(stderr, "xietong: XT-CLI-002: cannot read %s\n", a.credentials.c_str());
      return 1;
    }
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object() || j.value("role", "") != "hospital" || !j.contains("api_key")) {
        continue;  // other roles' keys are not used here
      }
      o.api_keys[j.value("scope", "")] = j.value("api_key", "");
    }
  }
  o.connections = a.connections;
  o.threads = a.threads;
  o.flows = a.flows;
  o.settles = a.settles;
  o.paced_rate_per_s = a.rate_per_s;
  o.paced = a.paced;
  o.paced_flows_rate_per_s = a.flows_rate_per_s;
  o.paced_flows = a.paced_flows;
  o.healthz_seconds = a.healthz_s;
  if (a.quick) {
    o.flows = 300;
    o.settles = 300;
    o.paced = 200;
    o.paced_rate_per_s = std::min(a.rate_per_s, 400.0);
    o.paced_flows = 200;
    o.paced_flows_rate_per_s = std::min(a.flows_rate_per_s, 400.0);
    o.healthz_seconds = 0.3;
  }
  ProgressBar bar(!a.json);
  o.phase = [&](const std::string& name) { bar.Phase(name); };
  auto r = http::RunLoadgen(o);
  bar.Finish();
  if (!r.ok()) {
    std::fprintf(stderr, "xietong: %s: %s\n", r.status().code().c_str(), r.status().message().c_str());
    if (!r.status().detail().empty()) std::fprintf(stderr, "  detail: %s\n", r.status().detail().c_str());
    return 1;
  }
  if (a.json) {
    std::cout << r->json() << "\n";
  } else {
    std::cout << r->text();
  }
  const bool failed = r->flows.failed + r->settles.failed + r->paced.failed + r->paced_flows.failed + r->healthz.failed > 0;
  return failed ? 1 : 0;
}

}  // namespace xt::cli
