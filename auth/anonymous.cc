#include "auth/anonymous.h"

#include <utility>

namespace apiserve::auth {
namespace {

class AnonymousFallback : public Authenticator {
 public:
  explicit AnonymousFallback(std::shared_ptr<const Authenticator> authenticator)
      : authenticator_(std::move(authenticator)) {}

  absl::StatusOr<UserPtr> Authenticate(const http::Request& request) const override {
    if (authenticator_ == nullptr) return AnonymousUserInfo();
    absl::StatusOr<UserPtr> user = authenticator_->Authenticate(request);
    if (!user.ok() && absl::IsNotFound(user.status())) return AnonymousUserInfo();
    return user;
  }

  bool IsAsync() const override { return authenticator_ != nullptr && authenticator_->IsAsync(); }

  void AuthenticateAsync(const http::Request& request, AuthenticateCallback done) const override {
    if (authenticator_ == nullptr) {
      done(AnonymousUserInfo());
      return;
    }
    authenticator_->AuthenticateAsync(request, [done = std::move(done)](absl::StatusOr<UserPtr> user) mutable {
      if (!user.ok() && absl::IsNotFound(user.status())) user = AnonymousUserInfo();
      done(std::move(user));
    });
  }

 private:
  const std::shared_ptr<const Authenticator> authenticator_;
};

}  // namespace

std::shared_ptr<const Authenticator> WithAnonymous(std::shared_ptr<const Authenticator> authenticator) {
  return std::make_shared<AnonymousFallback>(std::move(authenticator));
}

std::shared_ptr<const Authenticator> AnonymousAuthenticator() { return WithAnonymous(nullptr); }

}  // namespace apiserve::auth
