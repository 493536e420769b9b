#include "auth/union.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_join.h"

namespace apiserve::auth {
namespace {

class UnionAuthenticator : public chain::Authenticator {
 public:
  explicit UnionAuthenticator(std::vector<std::shared_ptr<const chain::Authenticator>> authenticators)
      : authenticators_(std::move(authenticators)) {}

  absl::StatusOr<chain::UserPtr> Authenticate(const http::Request& request) const override {
    std::vector<std::string> errors;
    for (const auto& authenticator : authenticators_) {
      absl::StatusOr<chain::UserPtr> user = authenticator->Authenticate(request);
      if (user.ok()) return user;
      if (!absl::IsNotFound(user.status())) errors.emplace_back(user.status().message());
    }
    if (!errors.empty()) return absl::UnauthenticatedError(absl::StrJoin(errors, "; "));
    return absl::NotFoundError("no credentials");
  }

 private:
  const std::vector<std::shared_ptr<const chain::Authenticator>> authenticators_;
};

bool HasGroup(const chain::UserInfo& user, const char* group) {
  return std::find(user.groups.begin(), user.groups.end(), group) != user.groups.end();
}

class AuthenticatedGroupAdder : public chain::Authenticator {
 public:
  explicit AuthenticatedGroupAdder(std::shared_ptr<const chain::Authenticator> authenticator)
      : authenticator_(std::move(authenticator)) {}

  absl::StatusOr<chain::UserPtr> Authenticate(const http::Request& request) const override {
    absl::StatusOr<chain::UserPtr> user = authenticator_->Authenticate(request);
    if (!user.ok()) return user;
    const chain::UserInfo& found = **user;
    if (found.name != chain::kAnonymousUser && !HasGroup(found, chain::kAuthenticatedGroup) &&
        !HasGroup(found, chain::kUnauthenticatedGroup)) {
      auto with_group = std::make_shared<chain::UserInfo>(found);  // users are shared: add to a copy
      with_group->groups.emplace_back(chain::kAuthenticatedGroup);
      return with_group;
    }
    return user;
  }

 private:
  const std::shared_ptr<const chain::Authenticator> authenticator_;
};

}  // namespace

std::shared_ptr<const chain::Authenticator> Union(
    std::vector<std::shared_ptr<const chain::Authenticator>> authenticators) {
  return std::make_shared<UnionAuthenticator>(std::move(authenticators));
}

std::shared_ptr<const chain::Authenticator> WithAuthenticatedGroup(
    std::shared_ptr<const chain::Authenticator> authenticator) {
  return std::make_shared<AuthenticatedGroupAdder>(std::move(authenticator));
}

}  // namespace apiserve::auth
