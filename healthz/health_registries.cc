#include "healthz/health_registries.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "healthz/delayed_check.h"
#include "healthz/shutdown_check.h"

namespace apiserve::healthz {

HealthRegistries::HealthRegistries(HealthRegistriesOptions options)
    : clock_(options.clock), livez_grace_period_(options.livez_grace_period), metrics_(options.metrics) {
  for (const HealthCheckerPtr& check : options.config_healthz_checks) config_healthz_names_.push_back(check->Name());
  base::MutexLock lock(&mu_);
  healthz_ = Registry{"/healthz", std::move(options.config_healthz_checks), false};
  livez_ = Registry{"/livez", std::move(options.config_livez_checks), false};
  readyz_ = Registry{"/readyz", std::move(options.config_readyz_checks), false};
}

absl::Status HealthRegistries::FrozenError(const Registry& registry) const {
  return absl::FailedPreconditionError(
      absl::StrCat("unable to add because the ", registry.path, " endpoint has already been created"));
}

absl::Status HealthRegistries::AddLocked(bool healthz, bool livez, bool readyz, absl::Duration livez_delay,
                                         const std::vector<HealthCheckerPtr>& checks) {
  // Check every target first so a failed call adds nothing anywhere.
  if (healthz && healthz_.installed) return FrozenError(healthz_);
  if (livez && livez_.installed) return FrozenError(livez_);
  if (readyz && readyz_.installed) return FrozenError(readyz_);
  if (livez && livez_delay > absl::ZeroDuration() && clock_ == nullptr) {
    return absl::InvalidArgumentError("nil clock");
  }
  if (healthz) healthz_.checks.insert(healthz_.checks.end(), checks.begin(), checks.end());
  if (livez) {
    for (const HealthCheckerPtr& check : checks) {
      livez_.checks.push_back(livez_delay > absl::ZeroDuration() ? DelayedHealthCheck(check, clock_, livez_delay)
                                                                 : check);
    }
  }
  if (readyz) readyz_.checks.insert(readyz_.checks.end(), checks.begin(), checks.end());
  return absl::OkStatus();
}

absl::Status HealthRegistries::AddHealthChecks(const std::vector<HealthCheckerPtr>& checks) {
  base::MutexLock lock(&mu_);
  return AddLocked(true, true, true, absl::ZeroDuration(), checks);
}

absl::Status HealthRegistries::AddBootSequenceHealthChecks(const std::vector<HealthCheckerPtr>& checks) {
  base::MutexLock lock(&mu_);
  return AddLocked(true, true, true, livez_grace_period_, checks);
}

absl::Status HealthRegistries::AddHealthzChecks(const std::vector<HealthCheckerPtr>& checks) {
  base::MutexLock lock(&mu_);
  return AddLocked(true, false, false, absl::ZeroDuration(), checks);
}

absl::Status HealthRegistries::AddReadyzChecks(const std::vector<HealthCheckerPtr>& checks) {
  base::MutexLock lock(&mu_);
  return AddLocked(false, false, true, absl::ZeroDuration(), checks);
}

absl::Status HealthRegistries::AddLivezChecks(absl::Duration delay, const std::vector<HealthCheckerPtr>& checks) {
  base::MutexLock lock(&mu_);
  return AddLocked(false, true, false, delay, checks);
}

absl::Status HealthRegistries::AddDelegateHealthChecks(const std::vector<HealthCheckerPtr>& delegate_healthz_checks) {
  std::vector<HealthCheckerPtr> kept;
  for (const HealthCheckerPtr& check : delegate_healthz_checks) {
    if (std::find(config_healthz_names_.begin(), config_healthz_names_.end(), check->Name()) ==
        config_healthz_names_.end()) {
      kept.push_back(check);
    }
  }
  base::MutexLock lock(&mu_);
  return AddLocked(true, true, true, absl::ZeroDuration(), kept);
}

std::vector<HealthCheckerPtr> HealthRegistries::HealthzChecks() const {
  base::MutexLock lock(&mu_);
  return healthz_.checks;
}

std::vector<HealthCheckerPtr> HealthRegistries::LivezChecks() const {
  base::MutexLock lock(&mu_);
  return livez_.checks;
}

std::vector<HealthCheckerPtr> HealthRegistries::ReadyzChecks() const {
  base::MutexLock lock(&mu_);
  return readyz_.checks;
}

absl::Status HealthRegistries::InstallLocked(Registry* registry, http::Router* mux, HandlerOptions options) {
  if (registry->installed) {
    return absl::FailedPreconditionError(absl::StrCat(registry->path, " has already been installed"));
  }
  registry->installed = true;
  options.metrics = metrics_;
  return InstallPathHandlerWithHealthyFunc(mux, registry->path, registry->checks, std::move(options));
}

absl::Status HealthRegistries::InstallHealthz(http::Router* mux) {
  base::MutexLock lock(&mu_);
  return InstallLocked(&healthz_, mux, {});
}

absl::Status HealthRegistries::InstallLivez(http::Router* mux) {
  base::MutexLock lock(&mu_);
  return InstallLocked(&livez_, mux, {});
}

absl::Status HealthRegistries::InstallReadyz(http::Router* mux, const lifecycle::Signal* shutdown_initiated,
                                             lifecycle::Signal* has_been_ready) {
  base::MutexLock lock(&mu_);
  if (readyz_.installed) return InstallLocked(&readyz_, mux, {});  // reports the double install
  if (shutdown_initiated != nullptr) readyz_.checks.push_back(ShutdownCheck(shutdown_initiated));
  HandlerOptions options;
  if (has_been_ready != nullptr) options.first_time_healthy = [has_been_ready] { has_been_ready->Fire(); };
  return InstallLocked(&readyz_, mux, std::move(options));
}

}  // namespace apiserve::healthz
