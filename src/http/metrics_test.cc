// The Prometheus rendering: fixed label sets, cumulative buckets, unknown
// paths and transaction codes folded into "other".
#include "http/metrics.h"

#include <gtest/gtest.h>

#include <string>

namespace xt::http {
namespace {

bool Has(const std::string& text, const std::string& line) { return text.find(line + "\n") != std::string::npos; }

TEST(Metrics, BucketsAreCumulativeAndLabelsFixed) {
  Metrics m({"/fsi/api/callService", "/healthz"});
  const size_t call_route = m.RouteOfPath("/fsi/api/callService");
  m.ObserveRequest(call_route, 200, 300);      // 0.3 ms
  m.ObserveRequest(call_route, 200, 15000);    // 15 ms
  m.ObserveRequest(call_route, 413, 9000000);  // 9 s: above every bound
  m.ObserveRequest(m.RouteOfPath("/../etc/passwd"), 404, 100);
  service::CallInfo settle{"2207", "m1", 0, "", false};
  service::CallInfo replay{"2207", "m1", 0, "", true};
  service::CallInfo refused{"2305", "m2", -1, "XT-SETL-006", false};
  service::CallInfo junk{"", "", -1, "XT-ENV-001", false};
  for (const auto* c : {&settle, &replay, &refused, &junk}) m.ObserveCall(*c);
  store::WriterStats w;
  w.batches = 2;
  w.items = 5;
  w.batch_size_counts[1] = 1;  // a group of 2
  w.batch_size_counts[2] = 1;  // a group of 3 (in "le 4")
  w.commit_micros_counts[3] = 2;
  w.commit_micros_total = 1500;
  const std::string t = m.Render(w, 5, 3, 0);

  const std::string call = "route=\"/fsi/api/callService\"";
  EXPECT_TRUE(Has(t, "xt_http_requests_total{" + call + ",code=\"200\"} 2"));
  EXPECT_TRUE(Has(t, "xt_http_requests_total{" + call + ",code=\"413\"} 1"));
  EXPECT_TRUE(Has(t, "xt_http_requests_total{route=\"other\",code=\"404\"} 1")) << "the path as sent is not a label";
  EXPECT_TRUE(Has(t, "xt_http_request_duration_seconds_bucket{" + call + ",le=\"0.00025\"} 0"));
  EXPECT_TRUE(Has(t, "xt_http_request_duration_seconds_bucket{" + call + ",le=\"0.0005\"} 1"));
  EXPECT_TRUE(Has(t, "xt_http_request_duration_seconds_bucket{" + call + ",le=\"0.02\"} 2"));
  EXPECT_TRUE(Has(t, "xt_http_request_duration_seconds_bucket{" + call + ",le=\"5\"} 2"));
  EXPECT_TRUE(Has(t, "xt_http_request_duration_seconds_bucket{" + call + ",le=\"+Inf\"} 3"));
  EXPECT_TRUE(Has(t, "xt_http_request_duration_seconds_sum{" + call + "} 9.0153"));
  EXPECT_TRUE(Has(t, "xt_http_request_duration_seconds_count{" + call + "} 3"));
  EXPECT_TRUE(Has(t, "xt_transactions_total{infno=\"2207\",outcome=\"ok\"} 1"));
  EXPECT_TRUE(Has(t, "xt_transactions_total{infno=\"2207\",outcome=\"replayed\"} 1"));
  EXPECT_TRUE(Has(t, "xt_transactions_total{infno=\"other\",outcome=\"refused\"} 1"));
  EXPECT_TRUE(Has(t, "xt_settlements_total{kind=\"settle\",outcome=\"ok\"} 1"));
  EXPECT_TRUE(Has(t, "xt_settlements_total{kind=\"reversal\",outcome=\"refused\"} 1"));
  EXPECT_TRUE(Has(t, "xt_store_commit_batch_size_bucket{le=\"1\"} 0"));
  EXPECT_TRUE(Has(t, "xt_store_commit_batch_size_bucket{le=\"2\"} 1"));
  EXPECT_TRUE(Has(t, "xt_store_commit_batch_size_bucket{le=\"4\"} 2"));
  EXPECT_TRUE(Has(t, "xt_store_commit_batch_size_bucket{le=\"+Inf\"} 2"));
  EXPECT_TRUE(Has(t, "xt_store_commit_batch_size_sum 5"));
  EXPECT_TRUE(Has(t, "xt_store_commit_seconds_bucket{le=\"0.0005\"} 0"));
  EXPECT_TRUE(Has(t, "xt_store_commit_seconds_bucket{le=\"0.001\"} 2"));
  EXPECT_TRUE(Has(t, "xt_store_commit_seconds_sum 0.0015"));
  EXPECT_TRUE(Has(t, "xt_http_connections_open 5"));
  EXPECT_TRUE(Has(t, "xt_http_rest_requests_queued 3"));
  EXPECT_TRUE(Has(t, "xt_http_requests_total{route=\"/healthz\",code=\"200\"} 0")) << "every route's 200 line is there";
  EXPECT_EQ(m.requests(call_route, 200), 2);
}

}  // namespace
}  // namespace xt::http
