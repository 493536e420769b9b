#ifndef APISERVE_CHAIN_SERVER_CONFIG_H_
#define APISERVE_CHAIN_SERVER_CONFIG_H_

// chain::ServerConfig: what one GenericServer of the delegation chain is built from (kube's server.Config, the
// parts the chain reads). Options (flags) are applied to it; GenericServer::New takes it by value.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "auth/authenticator.h"
#include "auth/authorizer.h"
#include "auth/request_header.h"
#include "base/clock.h"
#include "base/metrics/registry.h"
#include "chain/version.h"
#include "healthz/health_checker.h"

namespace apiserve::chain {

struct ServerConfig {
  std::string name = "apiserver";
  // What /version reports (installed by PrepareRun on the outermost server).
  VersionInfo version;
  // Filter chain (DESIGN §8), applied when this server is the outermost one.
  bool shutdown_send_retry_after = false;             // --shutdown-send-retry-after (also read by server::Run)
  std::vector<std::string> hsts_directives;           // --strict-transport-security-directives
  double goaway_chance = 0;                           // --goaway-chance (HTTP/2 only)
  absl::Duration request_timeout = absl::Minutes(1);  // --request-timeout (and server::Run's shutdown timeout)
  int64_t max_requests_inflight = 400;                // --max-requests-inflight
  int64_t max_mutating_requests_inflight = 200;       // --max-mutating-requests-inflight
  // --min-request-timeout: a watch without ?timeoutSeconds ends after a random time in [min, 2·min) (kube's rule;
  // chain::WatchTimeout).
  absl::Duration min_request_timeout = absl::Seconds(1800);
  // --max-request-body-bytes: over it, kube's 413 (chain/filters/body_limit.h); 0: no limit.
  uint64_t max_request_body_bytes = uint64_t{3} << 20;
  std::shared_ptr<const auth::Authenticator> authenticator;  // default: anonymous
  std::shared_ptr<const auth::Authorizer> authorizer;        // default: AlwaysAllow
  // The request-header (front-proxy) settings when that authentication is on, fixed or changing at run time: the
  // authentication filter removes the identity headers of the settings in force from authenticated requests. Null:
  // only kube's standard X-Remote-* set is removed.
  std::shared_ptr<const auth::RequestHeaderConfigProvider> request_header_config;
  // kube's UnauthenticatedHTTP2DOSMitigation feature gate (on by default since 1.29): over HTTP/2, anonymous
  // requests and 401s end their connection with a graceful GOAWAY.
  bool unauthenticated_http2_dos_mitigation = true;
  // Health.
  absl::Duration livez_grace_period = absl::ZeroDuration();  // --livez-grace-period
  const base::Clock* clock = nullptr;                        // for the livez grace period; required when it is > 0
  // The config's checks (kube's default: ping and log on all three endpoints). Empty: ping and log.
  std::vector<healthz::HealthCheckerPtr> health_checks;
  absl::Duration pre_shutdown_hook_timeout = absl::Minutes(1);
  // --shutdown-delay-duration: between ShutdownInitiated (readyz fails) and the drain (server::Run reads it).
  absl::Duration shutdown_delay_duration = absl::ZeroDuration();
  // --shutdown-watch-termination-grace-period: with > 0, watches are tracked so Run can wait for them.
  absl::Duration shutdown_watch_termination_grace_period = absl::ZeroDuration();
  // Without a delegate handler, unknown paths get 404 with the index body, as a standalone kube server does.
  bool enable_index = true;
  // Metrics (borrowed, must outlive the server): what /metrics serves and the request metrics record into
  // (default base::metrics::Registry::Default()), and what /metrics/slis serves (default chain::SliRegistry()).
  base::metrics::Registry* metrics = nullptr;
  const base::metrics::Registry* sli_metrics = nullptr;
  // Whether requests are recorded in apiserver_request_total / _duration_seconds / apiserver_response_sizes
  // (kube always records them; off, the filter is not installed at all).
  bool request_metrics = true;
};

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_SERVER_CONFIG_H_
