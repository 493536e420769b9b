#include "auth/anonymous.h"

#include <utility>

namespace apiserve::auth {
namespace {

class AnonymousFallback : public chain::Authenticator {
 public:
  explicit AnonymousFallback(std::shared_ptr<const chain::Authenticator> authenticator)
      : authenticator_(std::move(authenticator)) {}

  absl::StatusOr<chain::UserPtr> Authenticate(const http::Request& request) const override {
    if (authenticator_ == nullptr) return chain::AnonymousUserInfo();
    absl::StatusOr<chain::UserPtr> user = authenticator_->Authenticate(request);
    if (!user.ok() && absl::IsNotFound(user.status())) return chain::AnonymousUserInfo();
    return user;
  }

 private:
  const std::shared_ptr<const chain::Authenticator> authenticator_;
};

}  // namespace

std::shared_ptr<const chain::Authenticator> WithAnonymous(std::shared_ptr<const chain::Authenticator> authenticator) {
  return std::make_shared<AnonymousFallback>(std::move(authenticator));
}

}  // namespace apiserve::auth
