#include "healthz/ping_check.h"

namespace apiserve::healthz {

HealthCheckerPtr PingCheck() {
  static const HealthCheckerPtr* const kPing =
      new HealthCheckerPtr(NamedCheck("ping", [](const http::Request&) { return absl::OkStatus(); }));
  return *kPing;
}

}  // namespace apiserve::healthz
