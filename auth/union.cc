#include "auth/union.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_join.h"

namespace apiserve::auth {
namespace {

absl::StatusOr<UserPtr> NoneFound(const std::vector<std::string>& errors) {
  if (!errors.empty()) return absl::UnauthenticatedError(absl::StrJoin(errors, "; "));
  return absl::NotFoundError("no credentials");
}

class UnionAuthenticator : public Authenticator, public std::enable_shared_from_this<UnionAuthenticator> {
 public:
  explicit UnionAuthenticator(std::vector<std::shared_ptr<const Authenticator>> authenticators)
      : authenticators_(std::move(authenticators)),
        async_(
            std::any_of(authenticators_.begin(), authenticators_.end(), [](const auto& a) { return a->IsAsync(); })) {}

  absl::StatusOr<UserPtr> Authenticate(const http::Request& request) const override {
    std::vector<std::string> errors;
    for (const auto& authenticator : authenticators_) {
      absl::StatusOr<UserPtr> user = authenticator->Authenticate(request);
      if (user.ok()) return user;
      if (!absl::IsNotFound(user.status())) errors.emplace_back(user.status().message());
    }
    return NoneFound(errors);
  }

  bool IsAsync() const override { return async_; }

  void AuthenticateAsync(const http::Request& request, AuthenticateCallback done) const override {
    if (!async_) {
      done(Authenticate(request));
      return;
    }
    Continue(request, 0, {}, std::move(done));
  }

 private:
  // Continue tries authenticators_[next...] in order: synchronous ones inline, an asynchronous one with a callback
  // that resumes after it. The callback holds the union (shared_from_this) and borrows `request` (alive until
  // `done`, by AuthenticateAsync's contract).
  void Continue(const http::Request& request, size_t next, std::vector<std::string> errors,
                AuthenticateCallback done) const {
    for (size_t i = next; i < authenticators_.size(); ++i) {
      const Authenticator& authenticator = *authenticators_[i];
      if (authenticator.IsAsync()) {
        authenticator.AuthenticateAsync(request, [self = shared_from_this(), &request, i, errors = std::move(errors),
                                                  done = std::move(done)](absl::StatusOr<UserPtr> user) mutable {
          if (user.ok()) {
            done(std::move(user));
            return;
          }
          if (!absl::IsNotFound(user.status())) errors.emplace_back(user.status().message());
          self->Continue(request, i + 1, std::move(errors), std::move(done));
        });
        return;
      }
      absl::StatusOr<UserPtr> user = authenticator.Authenticate(request);
      if (user.ok()) {
        done(std::move(user));
        return;
      }
      if (!absl::IsNotFound(user.status())) errors.emplace_back(user.status().message());
    }
    done(NoneFound(errors));
  }

  const std::vector<std::shared_ptr<const Authenticator>> authenticators_;
  const bool async_;
};

// AddAuthenticatedGroup is kube's AuthenticatedGroupAdder on one result.
absl::StatusOr<UserPtr> AddAuthenticatedGroup(absl::StatusOr<UserPtr> user) {
  if (!user.ok()) return user;
  const UserInfo& found = **user;
  if (found.name != kAnonymousUser && !InGroup(found, kAuthenticatedGroup) && !InGroup(found, kUnauthenticatedGroup)) {
    auto with_group = std::make_shared<UserInfo>(found);  // users are shared: add to a copy
    with_group->groups.emplace_back(kAuthenticatedGroup);
    return with_group;
  }
  return user;
}

class AuthenticatedGroupAdder : public Authenticator {
 public:
  explicit AuthenticatedGroupAdder(std::shared_ptr<const Authenticator> authenticator)
      : authenticator_(std::move(authenticator)) {}

  absl::StatusOr<UserPtr> Authenticate(const http::Request& request) const override {
    return AddAuthenticatedGroup(authenticator_->Authenticate(request));
  }

  bool IsAsync() const override { return authenticator_->IsAsync(); }

  void AuthenticateAsync(const http::Request& request, AuthenticateCallback done) const override {
    authenticator_->AuthenticateAsync(request, [done = std::move(done)](absl::StatusOr<UserPtr> user) mutable {
      done(AddAuthenticatedGroup(std::move(user)));
    });
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
