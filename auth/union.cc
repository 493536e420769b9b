#include "auth/union.h"

#include <string>
#include <utility>

#include "absl/strings/str_join.h"

namespace apiserve::auth {
namespace {

class UnionAuthenticator : public Authenticator {
 public:
  explicit UnionAuthenticator(std::vector<std::shared_ptr<const Authenticator>> authenticators)
      : authenticators_(std::move(authenticators)) {}

  absl::StatusOr<UserPtr> Authenticate(const http::Request& request) const override {
    std::vector<std::string> errors;
    for (const auto& authenticator : authenticators_) {
      absl::StatusOr<UserPtr> user = authenticator->Authenticate(request);
      if (user.ok()) return user;
      if (!absl::IsNotFound(user.status())) errors.emplace_back(user.status().message());
    }
    if (!errors.empty()) return absl::UnauthenticatedError(absl::StrJoin(errors, "; "));
    return absl::NotFoundError("no credentials");
  }

 private:
  const std::vector<std::shared_ptr<const Authenticator>> authenticators_;
};

class AuthenticatedGroupAdder : public Authenticator {
 public:
  explicit AuthenticatedGroupAdder(std::shared_ptr<const Authenticator> authenticator)
      : authenticator_(std::move(authenticator)) {}

  absl::StatusOr<UserPtr> Authenticate(const http::Request& request) const override {
    absl::StatusOr<UserPtr> user = authenticator_->Authenticate(request);
    if (!user.ok()) return user;
    const UserInfo& found = **user;
    if (found.name != kAnonymousUser && !InGroup(found, kAuthenticatedGroup) &&
        !InGroup(found, kUnauthenticatedGroup)) {
      auto with_group = std::make_shared<UserInfo>(found);  // users are shared: add to a copy
      with_group->groups.emplace_back(kAuthenticatedGroup);
      return with_group;
    }
    return user;
  }

 private:
  const std::shared_ptr<const Authenticator> authenticator_;
};

}  // namespace

std::shared_ptr<const Authenticator> Union(std::vector<std::shared_ptr<const Authenticator>> authenticators) {
  return std::make_shared<UnionAuthenticator>(std::move(authenticators));
}

std::shared_ptr<const Authenticator> WithAuthenticatedGroup(std::shared_ptr<const Authenticator> authenticator) {
  return std::make_shared<AuthenticatedGroupAdder>(std::move(authenticator));
}

}  // namespace apiserve::auth
