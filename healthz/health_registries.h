#ifndef APISERVE_HEALTHZ_HEALTH_REGISTRIES_H_
#define APISERVE_HEALTHZ_HEALTH_REGISTRIES_H_

// HealthRegistries: a server's three check lists — /healthz, /livez, /readyz — collected while the server is built
// and frozen when each endpoint is installed (kube's healthzRegistry / livezRegistry / readyzRegistry in
// GenericAPIServer, and its AddHealthChecks family).
//
//   healthz::HealthRegistriesOptions options;
//   options.clock = &loop;
//   options.livez_grace_period = absl::Seconds(10);
//   options.config_healthz_checks = options.config_livez_checks = options.config_readyz_checks = {PingCheck(),
//                                                                                                 LogCheck()};
//   healthz::HealthRegistries registries(std::move(options));
//   registries.AddBootSequenceHealthChecks({hook_check});                // post-start hook
//   // PrepareRun, in kube's order (reference §2.5):
//   registries.InstallHealthz(&mux);
//   registries.InstallLivez(&mux);
//   registries.InstallReadyz(&mux, &signals.shutdown_initiated, &signals.has_been_ready);  // adds `shutdown` last
//
// Build, freeze, share: once an endpoint is installed its registry refuses additions with kube's message
// (`unable to add because the /readyz endpoint has already been created`, FailedPrecondition). Registration order is
// output order. Thread-safe (one internal lock); the checks themselves are shared with the installed handlers.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/executor.h"
#include "base/mutex.h"
#include "healthz/check_metrics.h"
#include "healthz/handlers.h"
#include "healthz/health_checker.h"
#include "http/handler.h"
#include "lifecycle/signal.h"

namespace apiserve::healthz {

struct HealthRegistriesOptions {
  // clock gives registration times for the livez grace wrapper; borrowed, must outlive the registries' checks.
  // Required only when a livez delay > 0 is used.
  const base::Clock* clock = nullptr;
  // livez_grace_period is kube's --livez-grace-period (default 0s): how long boot-sequence checks pass on /livez.
  absl::Duration livez_grace_period = absl::ZeroDuration();
  // The config's checks (kube's Config.HealthzChecks / LivezChecks / ReadyzChecks): they come first, and a
  // delegate's checks with one of the healthz names are skipped (AddDelegateHealthChecks).
  std::vector<HealthCheckerPtr> config_healthz_checks;
  std::vector<HealthCheckerPtr> config_livez_checks;
  std::vector<HealthCheckerPtr> config_readyz_checks;
  // metrics receives the root handlers' results. Borrowed; null means CheckMetrics::Global().
  CheckMetrics* metrics = nullptr;
};

class HealthRegistries {
 public:
  explicit HealthRegistries(HealthRegistriesOptions options);
  HealthRegistries(const HealthRegistries&) = delete;
  HealthRegistries& operator=(const HealthRegistries&) = delete;

  // AddHealthChecks adds `checks` to all three endpoints; on /livez they fail at once (no grace period). Fails
  // without adding anything if any endpoint is installed (message names the first of /healthz, /livez, /readyz).
  absl::Status AddHealthChecks(const std::vector<HealthCheckerPtr>& checks);
  // AddBootSequenceHealthChecks adds `checks` to all three; the /livez copies pass during the livez grace period.
  absl::Status AddBootSequenceHealthChecks(const std::vector<HealthCheckerPtr>& checks);
  // AddHealthzChecks adds to /healthz only.
  absl::Status AddHealthzChecks(const std::vector<HealthCheckerPtr>& checks);
  // AddReadyzChecks adds to /readyz only.
  absl::Status AddReadyzChecks(const std::vector<HealthCheckerPtr>& checks);
  // AddLivezChecks adds to /livez only, each passing for `delay` after this call. InvalidArgument ("nil clock") if
  // delay > 0 and no clock was given.
  absl::Status AddLivezChecks(absl::Duration delay, const std::vector<HealthCheckerPtr>& checks);

  // AddDelegateHealthChecks adds a delegate server's /healthz checks to all three endpoints (no grace period),
  // skipping any whose name is one of the config's healthz checks (kube's completedConfig.New).
  absl::Status AddDelegateHealthChecks(const std::vector<HealthCheckerPtr>& delegate_healthz_checks);

  // Current lists, in order (kube's HealthzChecks() / LivezChecks() / ReadyzChecks(), used by an outer server).
  std::vector<HealthCheckerPtr> HealthzChecks() const;
  std::vector<HealthCheckerPtr> LivezChecks() const;
  std::vector<HealthCheckerPtr> ReadyzChecks() const;

  // InstallHealthz freezes /healthz and installs it on `mux` (see InstallPathHandler); FailedPrecondition if already
  // installed, else the router's error. `mux` is borrowed for the call.
  absl::Status InstallHealthz(http::Router* mux);
  // InstallLivez freezes /livez and installs it on `mux`.
  absl::Status InstallLivez(http::Router* mux);
  // InstallReadyz appends the `shutdown` check for `shutdown_initiated` (if non-null; borrowed, must outlive the
  // handlers), freezes /readyz, and installs it on `mux`. `has_been_ready` (may be null; borrowed, must outlive the
  // handlers) fires on the first fully successful /readyz probe.
  absl::Status InstallReadyz(http::Router* mux, const lifecycle::Signal* shutdown_initiated,
                             lifecycle::Signal* has_been_ready);

 private:
  struct Registry {
    std::string path;
    std::vector<HealthCheckerPtr> checks;
    bool installed = false;
  };

  absl::Status FrozenError(const Registry& registry) const;
  // AddLocked appends `checks` to /healthz, /livez (wrapped with `livez_delay` when > 0) and /readyz, as selected.
  absl::Status AddLocked(bool healthz, bool livez, bool readyz, absl::Duration livez_delay,
                         const std::vector<HealthCheckerPtr>& checks) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status InstallLocked(Registry* registry, http::Router* mux, HandlerOptions options)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const base::Clock* const clock_;
  const absl::Duration livez_grace_period_;
  std::vector<std::string> config_healthz_names_;
  CheckMetrics* const metrics_;

  mutable base::Mutex mu_;
  Registry healthz_ ABSL_GUARDED_BY(mu_);
  Registry livez_ ABSL_GUARDED_BY(mu_);
  Registry readyz_ ABSL_GUARDED_BY(mu_);
};

}  // namespace apiserve::healthz

#endif  // APISERVE_HEALTHZ_HEALTH_REGISTRIES_H_
