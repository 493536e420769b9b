// The observability endpoints PrepareRun installs, driven through a real chain: a request moves
// apiserver_request_total with kube's labels, /metrics and /metrics/slis serve the text format, the in-flight gauge
// is there, and PUT /debug/flags/v changes the verbosity.
#include <unistd.h>

#include <string>

#include "base/fake_executor.h"
#include "base/logger.h"
#include "base/metrics/registry.h"
#include "base/metrics/text_format.h"
#include "base/status_matchers.h"
#include "chain/debug_flags.h"
#include "chain/generic_server.h"
#include "chain/metrics_endpoints.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/testing.h"

namespace apiserve::chain {
namespace {

using ::apiserve::base::IsOk;
using ::testing::HasSubstr;
using ::testing::Not;

class ObservabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerConfig config;
    config.name = "kube-apiserver";
    config.metrics = &metrics_;
    config.sli_metrics = &slis_;
    auto server = GenericServer::New(config, nullptr);
    ASSERT_THAT(server, IsOk());
    server_ = *std::move(server);
    ASSERT_THAT(server_->PrepareRun(), IsOk());
    // The default max-in-flight-filter hook's check fails until the hook has run (server::Run runs them).
    server_->RunPostStartHooks(PostStartHookContext{});
    for (int i = 0; i < 2000 && Serve("GET", "/readyz/poststarthook/max-in-flight-filter").status != 200; ++i) {
      ::usleep(1000);
    }
  }

  http::RecordedResponse Serve(const std::string& method, const std::string& target, const std::string& body = "") {
    http::RequestPtr request = http::NewRequest(method, target, &loop_);
    request->body = body;
    return http::ServeForTest(*server_->Handler(), request, &loop_);
  }

  base::FakeExecutor loop_;
  base::metrics::Registry metrics_;
  base::metrics::Registry slis_;
  base::metrics::CollectorHandle sli_collector_ =
      slis_.AddCollector(HealthCheckSliCollector(&healthz::CheckMetrics::Global()));
  std::unique_ptr<GenericServer> server_;
};

TEST_F(ObservabilityTest, HealthzRequestsMoveRequestTotalWithKubesLabels) {
  const std::string series =
      "apiserver_request_total{code=\"200\",component=\"\",dry_run=\"\",group=\"\",resource=\"\",scope=\"\","
      "subresource=\"/healthz\",verb=\"GET\",version=\"\"} ";
  EXPECT_EQ(Serve("GET", "/healthz").status, 200);
  EXPECT_THAT(base::metrics::WriteTextFormat(metrics_.Gather()), HasSubstr(series + "1\n"));
  EXPECT_EQ(Serve("GET", "/healthz").status, 200);
  http::RecordedResponse scrape = Serve("GET", "/metrics");
  EXPECT_EQ(scrape.status, 200);
  EXPECT_EQ(scrape.headers.Get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(scrape.body, HasSubstr("# TYPE apiserver_request_total counter\n"));
  EXPECT_THAT(scrape.body, HasSubstr(series + "2\n"));
  EXPECT_THAT(scrape.body, HasSubstr("# TYPE apiserver_request_duration_seconds histogram\n"));
  // The scrape itself is in flight while it is being rendered (a read-only request).
  EXPECT_THAT(scrape.body, HasSubstr("apiserver_current_inflight_requests{request_kind=\"readOnly\"} 1\n"));
  EXPECT_THAT(scrape.body, HasSubstr("apiserver_current_inflight_requests{request_kind=\"mutating\"} 0\n"));
}

TEST(RequestMetricsOffTest, NothingIsRecordedAndMetricsStillServes) {
  base::metrics::Registry metrics;
  ServerConfig config;
  config.metrics = &metrics;
  config.request_metrics = false;
  config.max_requests_inflight = 0;  // no max-in-flight-filter hook: /healthz is green without running hooks
  config.max_mutating_requests_inflight = 0;
  auto server = GenericServer::New(config, nullptr);
  ASSERT_THAT(server, IsOk());
  ASSERT_THAT((*server)->PrepareRun(), IsOk());
  base::FakeExecutor loop;
  EXPECT_EQ(http::ServeForTest(*(*server)->Handler(), http::NewRequest("GET", "/healthz", &loop), &loop).status, 200);
  http::RecordedResponse scrape =
      http::ServeForTest(*(*server)->Handler(), http::NewRequest("GET", "/metrics", &loop), &loop);
  EXPECT_EQ(scrape.status, 200);
  EXPECT_THAT(scrape.body, Not(HasSubstr("apiserver_request_total{")));
  EXPECT_THAT(scrape.body, HasSubstr("apiserver_current_inflight_requests{"));
}

TEST_F(ObservabilityTest, SlisServeHealthCheckResults) {
  EXPECT_EQ(Serve("GET", "/readyz").status, 200);
  http::RecordedResponse slis = Serve("GET", "/metrics/slis");
  EXPECT_EQ(slis.status, 200);
  EXPECT_THAT(slis.body, HasSubstr("# TYPE kubernetes_healthcheck gauge\n"));
  EXPECT_THAT(slis.body, HasSubstr("kubernetes_healthcheck{name=\"ping\",type=\"readyz\"} 1\n"));
  EXPECT_THAT(slis.body, HasSubstr("kubernetes_healthchecks_total{name=\"ping\",status=\"success\",type=\"readyz\"} "));
  EXPECT_THAT(slis.body, Not(HasSubstr("apiserver_request_total")));
}

TEST_F(ObservabilityTest, DebugFlagsVSetsVerbosityLikeKube) {
  base::Logger& logger = base::Logger::Global();
  const int before = logger.verbosity();
  http::RecordedResponse ok = Serve("PUT", "/debug/flags/v", "4");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "successfully set klog.logging.verbosity to 4\n");
  EXPECT_EQ(ok.headers.Get("Content-Type"), "text/plain");
  EXPECT_EQ(logger.verbosity(), 4);

  http::RecordedResponse bad = Serve("PUT", "/debug/flags/v", "3\n");
  EXPECT_EQ(bad.status, 400);
  // kube does not trim the body; strconv quotes it in its error.
  EXPECT_EQ(bad.body, "failed set klog.logging.verbosity 3\n: strconv.ParseInt: parsing \"3\\n\": invalid syntax\n");
  EXPECT_EQ(Serve("PUT", "/debug/flags/v", "99999999999").body,
            "failed set klog.logging.verbosity 99999999999: strconv.ParseInt: parsing \"99999999999\": value out of "
            "range\n");
  http::RecordedResponse get = Serve("GET", "/debug/flags/v");
  EXPECT_EQ(get.status, 406);
  EXPECT_EQ(get.body, "unsupported http method\n");
  EXPECT_EQ(logger.verbosity(), 4);
  logger.SetVerbosity(before);
}

}  // namespace
}  // namespace apiserve::chain
