// WithRequestMetrics: kube's labels (TestMetrics' health line, resource scopes and verbs) and the counters moving.
#include "chain/filters/request_metrics.h"

#include "base/fake_executor.h"
#include "base/metrics/text_format.h"
#include "chain/filters/context_filters.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/response.h"
#include "http/testing.h"

namespace apiserve::chain {
namespace {

using ::testing::HasSubstr;

std::string Labels(const std::string& method, const std::string& target, int code) {
  http::RequestPtr request = http::NewRequest(method, target);
  const RequestInfo info = ParseRequestInfo(*request);
  const RequestMetricLabels l = MetricLabelsFor(*request, &info, code);
  return absl::StrCat("verb=", l.verb, " dry_run=", l.dry_run, " group=", l.group, " version=", l.version,
                      " resource=", l.resource, " subresource=", l.subresource, " scope=", l.scope,
                      " component=", l.component);
}

TEST(RequestMetricLabelsTest, FollowsKube) {
  EXPECT_EQ(Labels("GET", "/healthz", 200),
            "verb=GET dry_run= group= version= resource= subresource=/healthz scope= component=");
  EXPECT_EQ(Labels("GET", "/api/v1/namespaces/default/pods", 200),
            "verb=LIST dry_run= group= version=v1 resource=pods subresource= scope=namespace component=apiserver");
  EXPECT_EQ(Labels("GET", "/apis/apps/v1/deployments?watch=true", 200),
            "verb=WATCH dry_run= group=apps version=v1 resource=deployments subresource= scope=cluster "
            "component=apiserver");
  EXPECT_EQ(Labels("GET", "/api/v1/namespaces/default/pods/web/log", 200),
            "verb=GET dry_run= group= version=v1 resource=pods subresource=log scope=resource component=apiserver");
  EXPECT_EQ(Labels("POST", "/api/v1/namespaces/default/pods?dryRun=All", 201),
            "verb=POST dry_run=All group= version=v1 resource=pods subresource= scope=resource component=apiserver");
  EXPECT_EQ(Labels("DELETE", "/api/v1/namespaces/default/pods?dryRun=Some", 400),
            "verb=DELETE dry_run=invalid group= version=v1 resource=pods subresource= scope=namespace "
            "component=apiserver");
  EXPECT_EQ(Labels("BREW", "/coffee", 200),
            "verb=other dry_run= group= version= resource= subresource=/coffee scope= component=");
  // 404s do not mint series from client-chosen paths.
  EXPECT_EQ(Labels("GET", "/random/path/123", 404),
            "verb=GET dry_run= group= version= resource= subresource= scope= component=");
}

TEST(WithRequestMetricsTest, CountsWithKubesHealthLabelsAndObservesLatencyAndSize) {
  base::metrics::Registry registry;
  RequestMetrics metrics(&registry);
  base::FakeExecutor loop;
  http::HandlerPtr handler = http::HandlerFunc([&loop](http::RequestPtr, http::ResponseWriter writer) {
    loop.RunAfter(absl::Milliseconds(30),
                  [writer = std::move(writer)]() mutable { writer.Send(http::TextResponse(200, "ok")).IgnoreError(); });
  });
  handler = WithRequestInfo(WithRequestMetrics(std::move(handler), &metrics));
  handler = WithRequestReceivedTimestamp(std::move(handler));
  for (int i = 0; i < 2; ++i) {
    http::RequestPtr request = http::NewRequest("GET", "/healthz", &loop);
    http::ServeForTest(*handler, request, &loop);
    loop.AdvanceTime(absl::Milliseconds(30));
  }
  const std::string text = base::metrics::WriteTextFormat(registry.Gather());
  EXPECT_THAT(text, HasSubstr("apiserver_request_total{code=\"200\",component=\"\",dry_run=\"\",group=\"\","
                              "resource=\"\",scope=\"\",subresource=\"/healthz\",verb=\"GET\",version=\"\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("apiserver_request_duration_seconds_bucket{component=\"\",dry_run=\"\",group=\"\","
                              "resource=\"\",scope=\"\",subresource=\"/healthz\",verb=\"GET\",version=\"\","
                              "le=\"0.025\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("le=\"0.05\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("apiserver_response_sizes_sum{component=\"\",group=\"\",resource=\"\",scope=\"\","
                              "subresource=\"/healthz\",verb=\"GET\",version=\"\"} 4\n"));
}

}  // namespace
}  // namespace apiserve::chain
