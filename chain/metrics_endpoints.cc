#include "chain/metrics_endpoints.h"

#include <string>
#include <utility>
#include <vector>

#include "base/metrics/text_format.h"
#include "base/status_macros.h"
#include "http/request_body.h"
#include "http/response.h"

namespace apiserve::chain {

using base::metrics::FamilySnapshot;
using base::metrics::MetricType;
using base::metrics::Sample;

http::HandlerPtr MetricsHandler(const base::metrics::Registry* registry) {
  return http::HandlerFunc([registry](http::RequestPtr, http::ResponseWriter writer) {
    http::Response response;
    response.status = 200;
    response.headers.Set("Content-Type", base::metrics::kTextContentType);
    response.body = base::metrics::WriteTextFormat(registry->Gather());
    writer.Send(std::move(response)).IgnoreError();
  });
}

base::metrics::Collector HealthCheckSliCollector(const healthz::CheckMetrics* checks) {
  return [checks](std::vector<FamilySnapshot>* out) {
    FamilySnapshot gauge{"kubernetes_healthcheck",
                         "[STABLE] This metric records the result of a single healthcheck.",
                         MetricType::kGauge,
                         {}};
    FamilySnapshot total{"kubernetes_healthchecks_total",
                         "[STABLE] This metric records the results of all healthcheck.",
                         MetricType::kCounter,
                         {}};
    for (const healthz::CheckSample& s : checks->Snapshot()) {
      gauge.samples.push_back({"", {{"name", s.name}, {"type", s.type}}, static_cast<double>(s.last_result)});
      total.samples.push_back(
          {"", {{"name", s.name}, {"status", "error"}, {"type", s.type}}, static_cast<double>(s.error_total)});
      total.samples.push_back(
          {"", {{"name", s.name}, {"status", "success"}, {"type", s.type}}, static_cast<double>(s.success_total)});
    }
    out->push_back(std::move(gauge));
    out->push_back(std::move(total));
  };
}

base::metrics::Registry& SliRegistry() {
  // The registry is never destroyed; the collector's handle is a static object (not a leaked pointer, which leak
  // checkers report), unregistered at exit from the still-living registry.
  static base::metrics::Registry* const registry = new base::metrics::Registry();
  static const base::metrics::CollectorHandle sli =
      registry->AddCollector(HealthCheckSliCollector(&healthz::CheckMetrics::Global()));
  return *registry;
}

base::metrics::Collector InFlightCollector(const InFlightCounters* counters) {
  return [counters](std::vector<FamilySnapshot>* out) {
    out->push_back({"apiserver_current_inflight_requests",
                    "[STABLE] Maximal number of currently used inflight request limit of this apiserver per request "
                    "kind in last second.",
                    MetricType::kGauge,
                    {Sample{"", {{"request_kind", "mutating"}}, static_cast<double>(counters->MutatingUsage())},
                     Sample{"", {{"request_kind", "readOnly"}}, static_cast<double>(counters->ReadonlyUsage())}}});
  };
}

base::metrics::Collector RequestBodyCollector() {
  return [](std::vector<FamilySnapshot>* out) {
    out->push_back({"apiserve_request_body_buffered_bytes",
                    "Request body bytes received and held for handlers that have not read them yet.",
                    MetricType::kGauge,
                    {Sample{"", {}, static_cast<double>(http::BufferedRequestBodyBytes())}}});
  };
}

absl::Status InstallMetrics(http::Router* router, const base::metrics::Registry* metrics,
                            const base::metrics::Registry* slis) {
  RETURN_IF_ERROR(router->Handle("/metrics", MetricsHandler(metrics)));
  return router->Handle("/metrics/slis", MetricsHandler(slis));
}

}  // namespace apiserve::chain
