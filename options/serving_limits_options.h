#ifndef APISERVE_OPTIONS_SERVING_LIMITS_OPTIONS_H_
#define APISERVE_OPTIONS_SERVING_LIMITS_OPTIONS_H_

// ServingLimitsOptions: apiserve's own serving settings, which kube hard-codes or lacks: event-loop workers,
// the read-header and idle timeouts, --max-connections, request metrics on/off, the pre-shutdown hook bound, and
// draining persistent connections at shutdown (--shutdown-drain-connections, --shutdown-drain-idle-grace).

#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "flags/flag_set.h"
#include "server/config.h"

namespace apiserve::options {

// DefaultWorkers returns the default of --workers: the number of hardware threads, at least 1.
int DefaultWorkers();

struct ServingLimitsOptions {
  int workers = DefaultWorkers();
  absl::Duration read_header_timeout = absl::Seconds(32);
  absl::Duration idle_timeout = absl::Seconds(90);
  int64_t max_connections = 0;         // 0: unlimited (RLIMIT_NOFILE is the natural cap)
  bool enable_request_metrics = true;  // kube always records apiserver_request_*; embedders and benchmarks may not
  absl::Duration pre_shutdown_hook_timeout = absl::Minutes(1);
  // --shutdown-drain-connections: move persistent connections to other replicas in the second half of the
  // shutdown delay.
  bool shutdown_drain_connections = true;
  // --shutdown-drain-idle-grace: while draining, an idle connection is closed after this long.
  absl::Duration shutdown_drain_idle_grace = absl::Milliseconds(500);

  void AddFlags(flags::FlagSet* fs);
  void Validate(std::vector<std::string>* problems) const;
  void ApplyTo(server::Config* config) const;
};

}  // namespace apiserve::options

#endif  // APISERVE_OPTIONS_SERVING_LIMITS_OPTIONS_H_
