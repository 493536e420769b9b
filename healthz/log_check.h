#ifndef APISERVE_HEALTHZ_LOG_CHECK_H_
#define APISERVE_HEALTHZ_LOG_CHECK_H_

// LogCheck: the check named "log" (kube's healthz.LogHealthz). It fails with `logging blocked` when the logger has
// not managed to flush for two minutes, i.e. its drainer is stuck writing to stderr.
//
// kube starts a goroutine that calls klog.Flush() every minute and records when it returned; our base::Logger's
// drainer already records that (Logger::LastFlush(), refreshed every second while the sink is not stuck), so the
// check only compares it with the clock. Thread-safe; non-blocking.

#include <functional>

#include "absl/time/time.h"
#include "healthz/health_checker.h"

namespace apiserve::healthz {

struct LogCheckOptions {
  // now is the clock. Default: absl::Now.
  std::function<absl::Time()> now;
  // last_flush returns when the logger last wrote everything it had queued. Default:
  // base::Logger::Global().LastFlush().
  std::function<absl::Time()> last_flush;
};

// kLogBlockedAfter: the check fails once now - last_flush reaches this (kube: 2 × its 1-minute flush cadence).
inline constexpr absl::Duration kLogBlockedAfter = absl::Minutes(2);

// LogCheck returns a "log" check: OK while now - last_flush < 2 minutes, else `logging blocked`.
HealthCheckerPtr LogCheck(LogCheckOptions options = {});

}  // namespace apiserve::healthz

#endif  // APISERVE_HEALTHZ_LOG_CHECK_H_
