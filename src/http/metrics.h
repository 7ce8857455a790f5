// The HTTP server's counters and histograms, rendered in the Prometheus
// text format (version 0.0.4) for GET /metrics: requests and their latency
// per route, national-interface transactions and settlements by outcome,
// and the store's group-commit writer.
//
// Every label set is fixed in advance (routes, status codes, transaction
// codes, outcomes), so the memory of the metrics is bounded whatever callers
// send: an unknown path counts as route "other", an unknown infno as "other".
//
// Thread-safe: Observe* may run on any number of threads at once (relaxed
// atomic counters); Render reads them without stopping the writers, so a
// scrape taken under load may be a few increments apart between series.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "service/processor.h"
#include "store/store.h"

namespace xt::http {

// Upper bounds of the request latency buckets, in microseconds (rendered in
// seconds, as Prometheus expects).
inline constexpr std::array<int64_t, 14> kLatencyMicrosBounds = {250,   500,   1000,   2000,   5000,    10000,   20000,
                                                                 50000, 100000, 200000, 500000, 1000000, 2000000, 5000000};

// Status codes the server answers with; any other counts as "other".
inline constexpr std::array<int, 12> kStatusCodes = {200, 400, 401, 403, 404, 405, 413, 431, 500, 503, 408, 501};

// National-interface transaction codes with their own label.
inline constexpr std::array<std::string_view, 22> kInfnos = {
    "1101", "2201", "2202", "2204", "2205", "2206", "2207", "2208", "2301", "2302", "2303",
    "2304", "2305", "2401", "2402", "2601", "9001", "9002", "3201", "3202", "3203", "3204"};

class Metrics {
 public:
  // Requests are counted by route: `route_labels` are the routes' labels
  // (their path templates, routes.h), a route being its index there; one
  // more route, "other", counts whatever matched none.
  explicit Metrics(std::vector<std::string_view> route_labels);

  // The route whose label is exactly `path` ("/healthz"), or "other": for a
  // request refused before it was routed.
  size_t RouteOfPath(std::string_view path) const;
  size_t other_route() const { return labels_.size() - 1; }
  std::string_view label(size_t route) const { return labels_[route < labels_.size() ? route : other_route()]; }

  // One HTTP request answered with `status` after `latency_micros`.
  void ObserveRequest(size_t route, int status, int64_t latency_micros);
  // One envelope answered by the processor.
  void ObserveCall(const service::CallInfo& info);
  void RequestStarted() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void RequestFinished() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }

  // The whole exposition: these metrics, then the writer's statistics,
  // `connections_open` (connections the server holds), `rest_queued` (REST
  // requests waiting for a pool thread) and `log_lines_dropped` (access-log
  // lines dropped on a full buffer).
  std::string Render(const store::WriterStats& writer, int64_t connections_open, int64_t rest_queued,
                     int64_t log_lines_dropped) const;

  // Counters read back by tests and the load generator's report.
  int64_t requests(size_t route, int status) const;

 private:
  static constexpr size_t kStatusSlots = kStatusCodes.size() + 1;  // + other
  static constexpr size_t kLatencySlots = kLatencyMicrosBounds.size() + 1;  // + above all bounds
  static constexpr size_t kInfnoSlots = kInfnos.size() + 1;  // + other
  static constexpr size_t kOutcomes = 3;  // ok, refused, replayed

  static size_t StatusSlot(int status);
  static size_t InfnoSlot(std::string_view infno);

  std::vector<std::string_view> labels_;  // the routes', then "other"
  std::vector<std::array<std::atomic<int64_t>, kStatusSlots>> requests_;  // by route
  std::vector<std::array<std::atomic<int64_t>, kLatencySlots>> latency_counts_;
  std::vector<std::atomic<int64_t>> latency_micros_sum_;
  std::array<std::array<std::atomic<int64_t>, kOutcomes>, kInfnoSlots> calls_{};
  std::atomic<int64_t> in_flight_{0};
};

}  // namespace xt::http
