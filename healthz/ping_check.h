#ifndef APISERVE_HEALTHZ_PING_CHECK_H_
#define APISERVE_HEALTHZ_PING_CHECK_H_

// PingCheck: the check named "ping" that always passes (kube's healthz.PingHealthz). Installed when an endpoint is
// installed with no checks. Thread-safe; the returned check is shared and immutable.

#include "healthz/health_checker.h"

namespace apiserve::healthz {

// PingCheck returns the shared "ping" check.
HealthCheckerPtr PingCheck();

}  // namespace apiserve::healthz

#endif  // APISERVE_HEALTHZ_PING_CHECK_H_
