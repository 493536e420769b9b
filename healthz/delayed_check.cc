#include "healthz/delayed_check.h"

#include <utility>

namespace apiserve::healthz {
namespace {

class DelayedCheck : public HealthChecker {
 public:
  DelayedCheck(HealthCheckerPtr check, const base::Clock* clock, absl::Time start_check)
      : check_(std::move(check)), clock_(clock), start_check_(start_check) {}

  const std::string& Name() const override { return check_->Name(); }
  const std::string& GroupName() const override { return check_->GroupName(); }
  bool IsBlocking() const override { return check_->IsBlocking(); }
  absl::Duration Timeout() const override { return check_->Timeout(); }

  absl::Status Check(const http::Request& request) const override {
    // Go: if clock.Now().After(startCheck) delegate; else healthy. Equal instants are still in the grace period.
    if (clock_->Now() > start_check_) return check_->Check(request);
    return absl::OkStatus();
  }

 private:
  const HealthCheckerPtr check_;
  const base::Clock* const clock_;
  const absl::Time start_check_;
};

}  // namespace

HealthCheckerPtr DelayedHealthCheck(HealthCheckerPtr check, const base::Clock* clock, absl::Duration delay) {
  const absl::Time start_check = clock->Now() + delay;
  return std::make_shared<DelayedCheck>(std::move(check), clock, start_check);
}

}  // namespace apiserve::healthz
