#include "healthz/shutdown_check.h"

namespace apiserve::healthz {

HealthCheckerPtr ShutdownCheck(const lifecycle::Signal* shutdown_initiated) {
  return NamedCheck("shutdown", [shutdown_initiated](const http::Request&) {
    if (shutdown_initiated->HasFired()) return absl::UnavailableError("process is shutting down");
    return absl::OkStatus();
  });
}

}  // namespace apiserve::healthz
