#ifndef APISERVE_OPTIONS_SERVER_RUN_OPTIONS_H_
#define APISERVE_OPTIONS_SERVER_RUN_OPTIONS_H_

// ServerRunOptions: kube's generic server run options (k8s.io/apiserver/pkg/server/options/server_run_options.go):
// graceful termination, in-flight limits, timeouts, GOAWAY chance, HSTS, the body limit.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "flags/flag_set.h"
#include "server/config.h"

namespace apiserve::options {

struct ServerRunOptions {
  absl::Duration shutdown_delay_duration = absl::ZeroDuration();
  bool shutdown_send_retry_after = false;
  absl::Duration shutdown_watch_termination_grace_period = absl::ZeroDuration();
  absl::Duration livez_grace_period = absl::ZeroDuration();
  double goaway_chance = 0;
  int max_requests_inflight = 400;
  int max_mutating_requests_inflight = 200;
  absl::Duration request_timeout = absl::Minutes(1);
  int min_request_timeout = 1800;  // seconds
  std::vector<std::string> strict_transport_security_directives;
  int64_t max_request_body_bytes = 3 * 1024 * 1024;

  void AddFlags(flags::FlagSet* fs);
  // Validate appends every problem in kube's order, with kube's messages.
  void Validate(std::vector<std::string>* problems) const;
  // ApplyTo fills the chain's settings. The GOAWAY chance applies to HTTP/2 only: zero when config->tls disables it.
  void ApplyTo(server::Config* config) const;
};

}  // namespace apiserve::options

#endif  // APISERVE_OPTIONS_SERVER_RUN_OPTIONS_H_
