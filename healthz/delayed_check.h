#ifndef APISERVE_HEALTHZ_DELAYED_CHECK_H_
#define APISERVE_HEALTHZ_DELAYED_CHECK_H_

// DelayedHealthCheck: the livez grace wrapper (kube's delayedHealthCheck in server/healthz.go). Boot-sequence checks
// (post-start hooks) are registered on /livez behind --livez-grace-period so a slow start does not get the process
// killed by its liveness probe.

#include "absl/time/time.h"
#include "base/executor.h"
#include "healthz/health_checker.h"

namespace apiserve::healthz {

// DelayedHealthCheck wraps `check`: it passes while clock->Now() <= (clock->Now() at this call) + `delay`, and
// afterwards returns what `check` returns. Name, group, blocking and timeout are those of `check` (kube's wrapper
// drops the group; we keep it so ?exclude=<group> still works on /livez). `clock` is borrowed and must outlive the
// returned check; only its Now() is used. Thread-safe if `check` is.
HealthCheckerPtr DelayedHealthCheck(HealthCheckerPtr check, const base::Clock* clock, absl::Duration delay);

}  // namespace apiserve::healthz

#endif  // APISERVE_HEALTHZ_DELAYED_CHECK_H_
