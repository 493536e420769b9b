#include "auth/anonymous.h"

#include <utility>

namespace apiserve::auth {
namespace {

class AnonymousFallback : public chain::Authenticator {
 public:
  explicit AnonymousFallback(std::shared_ptr<const chain::Authenticator> authenticator)
      : authenticator_(std::move(authenticator)) {}

  absl::StatusOr<chain::UserInfo> Authenticate(const http::Request& request) const override {
    if (authenticator_ == nullptr) return AnonymousUser();
    absl::StatusOr<chain::UserInfo> user = authenticator_->Authenticate(request);
    if (!user.ok() && absl::IsNotFound(user.status())) return AnonymousUser();
    return user;
  }

 private:
  const std::shared_ptr<const chain::Authenticator> authenticator_;
};

}  // namespace

chain::UserInfo AnonymousUser() { return chain::UserInfo{chain::kAnonymousUser, "", {chain::kUnauthenticatedGroup}}; }

std::shared_ptr<const chain::Authenticator> WithAnonymous(std::shared_ptr<const chain::Authenticator> authenticator) {
  return std::make_shared<AnonymousFallback>(std::move(authenticator));
}

}  // namespace apiserve::auth
