#ifndef APISERVE_HEALTHZ_HEALTH_CHECKER_H_
#define APISERVE_HEALTHZ_HEALTH_CHECKER_H_

// healthz::HealthChecker: one named health check, kube's `healthz.HealthChecker` (plus `GroupedHealthChecker`).
//
//   auto etcd = healthz::NamedGroupedCheck("etcd", "etcd", [](const http::Request&) { return Ping(); });
//   auto slow = healthz::NamedBlockingCheck("etcd-readiness", absl::Seconds(2), ReadinessProbe);
//
// A check is built, then shared (as HealthCheckerPtr, immutable) by the /healthz, /livez and /readyz registries and
// their handlers. Check() may be called concurrently from several threads (several event loops, the blocking pool),
// so implementations must be thread-safe. A non-blocking check runs inline on the connection's event loop and must
// return quickly; a check that may block (I/O, locks held by others) must say so through IsBlocking(): the handlers
// then run it on the executor's worker pool, bounded by Timeout().

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "http/request.h"

namespace apiserve::healthz {

class HealthChecker {
 public:
  virtual ~HealthChecker() = default;

  // Name is the check's fixed name: it appears in output lines (`[+]<name> ok`), as the subpath `<endpoint>/<name>`
  // and in ?exclude=. May contain '/', e.g. "poststarthook/start-informers".
  virtual const std::string& Name() const = 0;

  // Check returns OK when healthy, else an error whose message is the reason (shown only on the per-check subpath
  // and in logs; the root endpoint withholds it). `request` is the probe that asked; borrowed for the call.
  virtual absl::Status Check(const http::Request& request) const = 0;

  // GroupName is the group that ?exclude=<group> excludes (kube's GroupedHealthChecker); empty for none.
  virtual const std::string& GroupName() const;

  // IsBlocking reports whether Check may block; such a check runs on the worker pool, bounded by Timeout().
  virtual bool IsBlocking() const { return false; }
  // Timeout bounds a blocking check; after it the probe sees `timed out after <Timeout()>`. Unused otherwise.
  virtual absl::Duration Timeout() const { return absl::ZeroDuration(); }
};

using HealthCheckerPtr = std::shared_ptr<const HealthChecker>;

// CheckFunc is the body of a check built by NamedCheck and friends. It must be thread-safe.
using CheckFunc = std::function<absl::Status(const http::Request&)>;

// NamedCheck returns a non-blocking check called `name` that runs `check` (kube's healthz.NamedCheck).
HealthCheckerPtr NamedCheck(std::string name, CheckFunc check);

// NamedGroupedCheck is NamedCheck in group `group` (kube's healthz.NamedGroupedCheck).
HealthCheckerPtr NamedGroupedCheck(std::string name, std::string group, CheckFunc check);

// NamedBlockingCheck returns a check that may block: handlers run `check` on the executor's worker pool and fail the
// probe with `timed out after <timeout>` (Go duration format) if it has not returned by then. Concurrent probes
// share one run. `group` may be empty. `timeout` must be positive.
HealthCheckerPtr NamedBlockingCheck(std::string name, absl::Duration timeout, CheckFunc check, std::string group = "");

}  // namespace apiserve::healthz

#endif  // APISERVE_HEALTHZ_HEALTH_CHECKER_H_
