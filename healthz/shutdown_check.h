#ifndef APISERVE_HEALTHZ_SHUTDOWN_CHECK_H_
#define APISERVE_HEALTHZ_SHUTDOWN_CHECK_H_

// ShutdownCheck: the readyz-only check named "shutdown" (kube's NewShutdownHealthz): it fails with
// `process is shutting down` once ShutdownInitiated has fired, so load balancers stop sending traffic while the
// server keeps serving through --shutdown-delay-duration. HealthRegistries::InstallReadyz adds it last.

#include "healthz/health_checker.h"
#include "lifecycle/signal.h"

namespace apiserve::healthz {

// ShutdownCheck returns the "shutdown" check watching `shutdown_initiated`, which is borrowed and must outlive the
// check (and the handlers it is installed in). Thread-safe; non-blocking.
HealthCheckerPtr ShutdownCheck(const lifecycle::Signal* shutdown_initiated);

}  // namespace apiserve::healthz

#endif  // APISERVE_HEALTHZ_SHUTDOWN_CHECK_H_
