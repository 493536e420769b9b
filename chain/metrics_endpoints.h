#ifndef APISERVE_CHAIN_METRICS_ENDPOINTS_H_
#define APISERVE_CHAIN_METRICS_ENDPOINTS_H_

// The metrics endpoints PrepareRun installs on the outermost server (kube's routes.MetricsWithReset and
// slis.SLIMetricsWithReset), and the collectors for what chain/ and healthz/ count:
//
//   /metrics       every family of a registry (base::metrics::Registry::Default() in the binary)
//   /metrics/slis  kube's health-check SLIs, kept in their own registry as component-base does:
//                    kubernetes_healthcheck{name,type}                gauge, 1 = last run passed
//                    kubernetes_healthchecks_total{name,type,status}  counter, status success|error
//
// Both answer any method with the text format 0.0.4. Deviation: kube resets the registry on DELETE when profiling
// is on; we do not (DELETE is served like GET). Handlers run on the event loops; the registries are thread-safe.

#include "absl/status/status.h"
#include "base/metrics/registry.h"
#include "chain/filters/max_in_flight.h"
#include "healthz/check_metrics.h"
#include "http/handler.h"

namespace apiserve::chain {

// MetricsHandler serves `registry` (borrowed; must outlive the handler) in the text format.
http::HandlerPtr MetricsHandler(const base::metrics::Registry* registry);

// SliRegistry is the process-wide registry served at /metrics/slis, fed by healthz::CheckMetrics::Global().
base::metrics::Registry& SliRegistry();

// HealthCheckSliCollector reads `checks` (borrowed) into kubernetes_healthcheck / kubernetes_healthchecks_total.
base::metrics::Collector HealthCheckSliCollector(const healthz::CheckMetrics* checks);

// InFlightCollector reads `counters` (borrowed) into apiserver_current_inflight_requests{request_kind}
// (readOnly, mutating): each pool's Usage(), the most held at once over the last and the current period.
base::metrics::Collector InFlightCollector(const InFlightCounters* counters);

// RequestBodyCollector reports apiserve_request_body_buffered_bytes (gauge): request body bytes the server holds
// for handlers that have not read them yet, across the process (http::BufferedRequestBodyBytes).
base::metrics::Collector RequestBodyCollector();

// InstallMetrics registers /metrics (serving `metrics`) and /metrics/slis (serving `slis`) on `router`. Both
// registries are borrowed and must outlive the handlers. AlreadyExists if a path is taken.
absl::Status InstallMetrics(http::Router* router, const base::metrics::Registry* metrics,
                            const base::metrics::Registry* slis);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_METRICS_ENDPOINTS_H_
