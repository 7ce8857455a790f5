// A load generator for a running `xietong serve` (`xietong loadgen`): many
// concurrent keep-alive connections, driven by one event loop (epoll,
// non-blocking sockets) per client thread, one thread by default, sending
// the envelopes a hospital sends. In one run it measures
//
//   1. full flows, closed loop: register (2201), upload 8 fee lines (2204),
//      settle (2207); durable settlements per second end to end;
//   2. settle only, closed loop, on visits registered and uploaded first
//      (not timed): settlements per second, comparable with `xietong bench`;
//   3. settle at a fixed offered rate (paced, open loop): each request has
//      a scheduled time and its latency counts from then, so a stalled
//      server shows in the figures instead of slowing the offered load;
//   4. whole flows at a fixed offered rate (paced, open loop, like 3): the
//      latency of a flow (three requests) counts from its scheduled time;
//   5. GET /healthz, closed loop: the rate of a trivial route.
//
// A settlement counts only when answered infcode 0, which the server sends
// after the store has committed it durably. Persons, institutions and
// catalogue items come from the data/ folder the server's database was
// made from. Every loop is bounded by a count or a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "core/status.h"

namespace xt::http {

struct LoadgenOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string data_dir;               // data/ the server's database was made from
  // fixmedins_code -> that hospital's API key. The run calls as these
  // institutions only, each signed in once with 9001.
  std::map<std::string, std::string> api_keys;
  int connections = 256;              // concurrent keep-alive connections, 1..1024
  int threads = 1;                    // client threads (event loops) sharing them, 1..64, at most connections
  int64_t flows = 20000;              // phase 1
  int64_t settles = 20000;            // phase 2
  int lines_per_settlement = 8;
  double paced_rate_per_s = 2000;     // phase 3: offered rate
  int64_t paced = 10000;              // phase 3: settlements offered
  double paced_flows_rate_per_s = 2000;  // phase 4: offered flows per second
  int64_t paced_flows = 10000;        // phase 4: flows offered
  double healthz_seconds = 3;         // phase 5
  int timeout_ms = 30000;             // per request
  std::function<void(const std::string&)> phase;  // names each phase as it starts
};

struct LoadPhase {
  int64_t ok = 0;       // answered as wanted (infcode 0, or 200 for /healthz)
  int64_t failed = 0;   // refused, HTTP error or no answer
  double seconds = 0;
  double per_s = 0;     // ok / seconds
  double latency_p50_ms = 0;
  double latency_p99_ms = 0;
  double latency_max_ms = 0;
  std::string first_failure;
};

struct LoadgenResult {
  LoadPhase flows;     // per flow (3 requests); latency of the whole flow
  LoadPhase settles;   // per settle request
  LoadPhase paced;     // per settle request, from its scheduled time
  LoadPhase paced_flows;  // per flow (3 requests), from its scheduled time
  LoadPhase healthz;
  double prepare_requests_per_s = 0;  // 2201 + 2204 while preparing phases 2 and 3
  double offered_rate_per_s = 0;
  double offered_flows_rate_per_s = 0;
  int connections = 0;
  int threads = 0;
  int lines_per_settlement = 0;
  std::string json() const;  // the `loadgen --json` object
  std::string text() const;  // the human report
};

// Blocks until every phase has run (or one could not start). Run one at a
// time: the envelopes' msgid sequences are per process.
Result<LoadgenResult> RunLoadgen(const LoadgenOptions& options);

}  // namespace xt::http
