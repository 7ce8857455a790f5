// Counting and the Prometheus text rendering.
#include "http/metrics.h"

#include <cstdio>

namespace xt::http {

namespace {

constexpr std::array<std::string_view, 3> kOutcomeLabels = {"ok", "refused", "replayed"};

// Seconds from microseconds, without trailing zeros ("0.00025", "1").
std::string Seconds(int64_t micros) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", static_cast<double>(micros) / 1e6);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

void Header(std::string* out, std::string_view name, std::string_view type, std::string_view help) {
  *out += "# HELP ";
  *out += name;
  *out += ' ';
  *out += help;
  *out += "\n# TYPE ";
  *out += name;
  *out += ' ';
  *out += type;
  *out += '\n';
}

void Sample(std::string* out, std::string_view name, std::string_view labels, std::string_view value) {
  *out += name;
  if (!labels.empty()) {
    *out += '{';
    *out += labels;
    *out += '}';
  }
  *out += ' ';
  *out += value;
  *out += '\n';
}

void Sample(std::string* out, std::string_view name, std::string_view labels, int64_t value) {
  Sample(out, name, labels, std::to_string(value));
}

std::string Label(std::string_view key, std::string_view value) {
  std::string s(key);
  s += "=\"";
  s += value;
  s += '"';
  return s;
}

// A histogram from per-bucket (not cumulative) counts; `bound_text` renders
// each bound in the unit of the metric.
template <size_t N, typename BoundText>
void Histogram(std::string* out, std::string_view name, const std::string& labels, const std::array<int64_t, N>& bounds,
               const int64_t* counts, const std::string& sum, BoundText bound_text) {
  const std::string bucket = std::string(name) + "_bucket";
  const std::string prefix = labels.empty() ? std::string() : labels + ",";
  int64_t cumulative = 0;
  for (size_t i = 0; i < N; ++i) {
    cumulative += counts[i];
    Sample(out, bucket, prefix + Label("le", bound_text(bounds[i])), cumulative);
  }
  cumulative += counts[N];
  Sample(out, bucket, prefix + Label("le", "+Inf"), cumulative);
  Sample(out, std::string(name) + "_sum", labels, sum);
  Sample(out, std::string(name) + "_count", labels, cumulative);
}

}  // namespace

Metrics::Metrics(std::vector<std::string_view> route_labels)
    : labels_(std::move(route_labels)) {
  labels_.push_back("other");
  requests_ = std::vector<std::array<std::atomic<int64_t>, kStatusSlots>>(labels_.size());
  latency_counts_ = std::vector<std::array<std::atomic<int64_t>, kLatencySlots>>(labels_.size());
  latency_micros_sum_ = std::vector<std::atomic<int64_t>>(labels_.size());
}

size_t Metrics::RouteOfPath(std::string_view path) const {
  for (size_t r = 0; r + 1 < labels_.size(); ++r) {
    if (labels_[r] == path) return r;
  }
  return other_route();
}


size_t Metrics::StatusSlot(int status) {
  for (size_t i = 0; i < kStatusCodes.size(); ++i) {
    if (kStatusCodes[i] == status) return i;
  }
  return kStatusCodes.size();
}

size_t Metrics::InfnoSlot(std::string_view infno) {
  for (size_t i = 0; i < kInfnos.size(); ++i) {
    if (kInfnos[i] == infno) return i;
  }
  return kInfnos.size();
}

void Metrics::ObserveRequest(size_t route, int status, int64_t latency_micros) {
  const size_t r = route < labels_.size() ? route : other_route();
  requests_[r][StatusSlot(status)].fetch_add(1, std::memory_order_relaxed);
  size_t b = 0;
  while (b < kLatencyMicrosBounds.size() && latency_micros > kLatencyMicrosBounds[b]) ++b;
  latency_counts_[r][b].fetch_add(1, std::memory_order_relaxed);
  latency_micros_sum_[r].fetch_add(latency_micros, std::memory_order_relaxed);
}

void Metrics::ObserveCall(const service::CallInfo& info) {
  const size_t outcome = info.replayed ? 2 : info.infcode == 0 ? 0 : 1;
  calls_[InfnoSlot(info.infno)][outcome].fetch_add(1, std::memory_order_relaxed);
}

int64_t Metrics::requests(size_t route, int status) const {
  return route < labels_.size() ? requests_[route][StatusSlot(status)].load(std::memory_order_relaxed) : 0;
}

std::string Metrics::Render(const store::WriterStats& writer, int64_t connections_open, int64_t rest_queued,
                            int64_t log_lines_dropped) const {
  std::string out;
  out.reserve(16 << 10);
  auto load = [](const std::atomic<int64_t>& a) { return a.load(std::memory_order_relaxed); };

  Header(&out, "xt_http_requests_total", "counter", "HTTP requests answered, by route and status code.");
  for (size_t r = 0; r < labels_.size(); ++r) {
    const std::string route = Label("route", labels_[r]);
    for (size_t s = 0; s < kStatusSlots; ++s) {
      const int64_t n = load(requests_[r][s]);
      // Every route's 200 line is always there, so a dashboard finds the
      // series before the first request; other codes appear once seen.
      if (n == 0 && !(s < kStatusCodes.size() && kStatusCodes[s] == 200)) continue;
      const std::string code = s < kStatusCodes.size() ? std::to_string(kStatusCodes[s]) : "other";
      Sample(&out, "xt_http_requests_total", route + "," + Label("code", code), n);
    }
  }
  Header(&out, "xt_http_request_duration_seconds", "histogram",
         "Time from a request's headers being read to its answer being written, by route.");
  for (size_t r = 0; r < labels_.size(); ++r) {
    std::array<int64_t, kLatencySlots> counts{};
    for (size_t b = 0; b < kLatencySlots; ++b) counts[b] = load(latency_counts_[r][b]);
    Histogram(&out, "xt_http_request_duration_seconds", Label("route", labels_[r]),
              kLatencyMicrosBounds, counts.data(), Seconds(load(latency_micros_sum_[r])), Seconds);
  }
  Header(&out, "xt_http_requests_in_flight", "gauge", "HTTP requests being processed now.");
  Sample(&out, "xt_http_requests_in_flight", "", load(in_flight_));
  Header(&out, "xt_http_connections_open", "gauge", "Connections the server holds open.");
  Sample(&out, "xt_http_connections_open", "", connections_open);
  Header(&out, "xt_http_rest_requests_queued", "gauge", "REST requests waiting for a pool thread.");
  Sample(&out, "xt_http_rest_requests_queued", "", rest_queued);
  Header(&out, "xt_http_access_log_dropped_total", "counter", "Access-log lines dropped because the buffer was full.");
  Sample(&out, "xt_http_access_log_dropped_total", "", log_lines_dropped);

  Header(&out, "xt_transactions_total", "counter",
         "National-interface envelopes answered, by infno and outcome (ok, refused, replayed: a retried msgid "
         "answered from the message log).");
  for (size_t i = 0; i < kInfnoSlots; ++i) {
    const std::string infno = Label("infno", i < kInfnos.size() ? kInfnos[i] : "other");
    for (size_t o = 0; o < kOutcomes; ++o) {
      const int64_t n = load(calls_[i][o]);
      if (n == 0) continue;
      Sample(&out, "xt_transactions_total", infno + "," + Label("outcome", kOutcomeLabels[o]), n);
    }
  }
  Header(&out, "xt_settlements_total", "counter",
         "Settlements (2207, 2304) and reversals (2208, 2305) answered, by outcome; ok ones are durable.");
  const struct {
    const char* kind;
    std::string_view a, b;
  } kinds[] = {{"settle", "2207", "2304"}, {"reversal", "2208", "2305"}};
  for (const auto& k : kinds) {
    for (size_t o = 0; o < kOutcomes; ++o) {
      const int64_t n = load(calls_[InfnoSlot(k.a)][o]) + load(calls_[InfnoSlot(k.b)][o]);
      Sample(&out, "xt_settlements_total", Label("kind", k.kind) + "," + Label("outcome", kOutcomeLabels[o]), n);
    }
  }

  Header(&out, "xt_store_commit_batches_total", "counter", "Group commits of the store's writer.");
  Sample(&out, "xt_store_commit_batches_total", "", writer.batches);
  Header(&out, "xt_store_write_items_total", "counter", "Pieces of work run by the writer (one per write call).");
  Sample(&out, "xt_store_write_items_total", "", writer.items);
  Header(&out, "xt_store_write_items_failed_total", "counter",
         "Pieces of work that returned an error and were rolled back to their savepoint.");
  Sample(&out, "xt_store_write_items_failed_total", "", writer.items_failed);
  Header(&out, "xt_store_commit_batch_size", "histogram", "Pieces of work per group commit.");
  Histogram(&out, "xt_store_commit_batch_size", "", store::kBatchSizeBounds, writer.batch_size_counts.data(),
            std::to_string(writer.items), [](int64_t v) { return std::to_string(v); });
  Header(&out, "xt_store_commit_seconds", "histogram",
         "Time in COMMIT per group (the WAL write; its fsync is the syncer's, xt_store_sync_seconds_total).");
  Histogram(&out, "xt_store_commit_seconds", "", store::kCommitMicrosBounds, writer.commit_micros_counts.data(),
            Seconds(writer.commit_micros_total), Seconds);
  Header(&out, "xt_store_syncs_total", "counter",
         "fdatasyncs of the WAL that made committed groups durable (one may cover several groups).");
  Sample(&out, "xt_store_syncs_total", "", writer.syncs);
  Header(&out, "xt_store_sync_seconds_total", "counter", "Time in those fdatasyncs (the writer runs meanwhile).");
  Sample(&out, "xt_store_sync_seconds_total", "", Seconds(writer.sync_micros_total));
  Header(&out, "xt_store_writer_busy_seconds_total", "counter", "Wall time the writer spent running groups.");
  Sample(&out, "xt_store_writer_busy_seconds_total", "", Seconds(writer.busy_micros_total));
  Header(&out, "xt_store_write_queue_depth", "gauge", "Pieces of work waiting for the writer.");
  Sample(&out, "xt_store_write_queue_depth", "", writer.queue_depth);
  return out;
}

}  // namespace xt::http
