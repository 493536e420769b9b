#include "authconfig/dynamic_request_header.h"

#include <utility>

namespace apiserve::authconfig {

absl::Status DynamicRequestHeaderAuthenticator::Update(const auth::RequestHeaderConfig& config) {
  auto next = std::make_shared<State>();
  if (config.Enabled()) {
    if (absl::Status valid = config.Validate(); !valid.ok()) return valid;
    next->config = std::make_shared<const auth::RequestHeaderConfig>(config);
    next->authenticator = auth::NewRequestHeaderAuthenticator(config);
  }
  base::MutexLock lock(&mu_);
  state_ = std::move(next);
  return absl::OkStatus();
}

std::shared_ptr<const auth::RequestHeaderConfig> DynamicRequestHeaderAuthenticator::Current() const {
  base::MutexLock lock(&mu_);
  return state_ != nullptr ? state_->config : nullptr;
}

absl::StatusOr<auth::UserPtr> DynamicRequestHeaderAuthenticator::Authenticate(const http::Request& request) const {
  std::shared_ptr<const State> state;
  {
    base::MutexLock lock(&mu_);
    state = state_;
  }
  if (state == nullptr || state->authenticator == nullptr) {
    return absl::NotFoundError("request-header authentication is not configured");
  }
  return state->authenticator->Authenticate(request);
}

}  // namespace apiserve::authconfig
