#include "healthz/health_checker.h"

#include <utility>

namespace apiserve::healthz {
namespace {

class FuncChecker : public HealthChecker {
 public:
  FuncChecker(std::string name, std::string group, CheckFunc check, bool blocking, absl::Duration timeout)
      : name_(std::move(name)),
        group_(std::move(group)),
        check_(std::move(check)),
        blocking_(blocking),
        timeout_(timeout) {}

  const std::string& Name() const override { return name_; }
  absl::Status Check(const http::Request& request) const override { return check_(request); }
  const std::string& GroupName() const override { return group_; }
  bool IsBlocking() const override { return blocking_; }
  absl::Duration Timeout() const override { return timeout_; }

 private:
  const std::string name_;
  const std::string group_;
  const CheckFunc check_;
  const bool blocking_;
  const absl::Duration timeout_;
};

}  // namespace

const std::string& HealthChecker::GroupName() const {
  static const std::string* const kNoGroup = new std::string();
  return *kNoGroup;
}

HealthCheckerPtr NamedCheck(std::string name, CheckFunc check) {
  return std::make_shared<FuncChecker>(std::move(name), "", std::move(check), false, absl::ZeroDuration());
}

HealthCheckerPtr NamedGroupedCheck(std::string name, std::string group, CheckFunc check) {
  return std::make_shared<FuncChecker>(std::move(name), std::move(group), std::move(check), false,
                                       absl::ZeroDuration());
}

HealthCheckerPtr NamedBlockingCheck(std::string name, absl::Duration timeout, CheckFunc check, std::string group) {
  return std::make_shared<FuncChecker>(std::move(name), std::move(group), std::move(check), true, timeout);
}

}  // namespace apiserve::healthz
