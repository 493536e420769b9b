#include "healthz/log_check.h"

#include <utility>

#include "absl/time/clock.h"
#include "base/logger.h"

namespace apiserve::healthz {

HealthCheckerPtr LogCheck(LogCheckOptions options) {
  if (!options.now) options.now = [] { return absl::Now(); };
  if (!options.last_flush) options.last_flush = [] { return base::Logger::Global().LastFlush(); };
  return NamedCheck("log", [options = std::move(options)](const http::Request&) {
    if (options.now() - options.last_flush() < kLogBlockedAfter) return absl::OkStatus();
    return absl::UnavailableError("logging blocked");
  });
}

}  // namespace apiserve::healthz
