#include "auth/authorizers.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace apiserve::auth {
namespace {

class AlwaysAllow : public Authorizer {
 public:
  Decision Authorize(const Attributes&) const override { return Decision::kAllow; }
};

class AlwaysDeny : public Authorizer {
 public:
  Decision Authorize(const Attributes&) const override { return Decision::kDeny; }
};

// IsPublicInfo: kube's system:public-info-viewer ClusterRole, nonResourceURLs with verb get.
bool IsPublicInfo(const Attributes& attributes) {
  if (attributes.resource_request || attributes.verb != "get") return false;
  const absl::string_view path = attributes.path;
  return path == "/healthz" || path == "/livez" || path == "/readyz" || path == "/version" || path == "/version/";
}

class Bootstrap : public Authorizer {
 public:
  Decision Authorize(const Attributes& attributes) const override {
    const UserInfo& user = *attributes.user;
    if (InGroup(user, kMastersGroup)) return Decision::kAllow;
    if (IsPublicInfo(attributes)) return Decision::kAllow;
    if (InGroup(user, kAuthenticatedGroup)) return Decision::kAllow;
    return Decision::kNoOpinion;
  }
};

class Union : public Authorizer {
 public:
  explicit Union(std::vector<std::shared_ptr<const Authorizer>> authorizers) : authorizers_(std::move(authorizers)) {}

  Decision Authorize(const Attributes& attributes) const override {
    for (const auto& authorizer : authorizers_) {
      const Decision decision = authorizer->Authorize(attributes);
      if (decision != Decision::kNoOpinion) return decision;
    }
    return Decision::kNoOpinion;
  }

 private:
  const std::vector<std::shared_ptr<const Authorizer>> authorizers_;
};

}  // namespace

std::shared_ptr<const Authorizer> AlwaysAllowAuthorizer() { return std::make_shared<AlwaysAllow>(); }
std::shared_ptr<const Authorizer> AlwaysDenyAuthorizer() { return std::make_shared<AlwaysDeny>(); }
std::shared_ptr<const Authorizer> BootstrapAuthorizer() { return std::make_shared<Bootstrap>(); }

std::shared_ptr<const Authorizer> UnionAuthorizer(std::vector<std::shared_ptr<const Authorizer>> authorizers) {
  return std::make_shared<Union>(std::move(authorizers));
}

absl::StatusOr<std::shared_ptr<const Authorizer>> NewAuthorizer(const std::vector<std::string>& modes) {
  if (modes.empty()) return absl::InvalidArgumentError("at least one authorization-mode must be passed");
  std::vector<std::shared_ptr<const Authorizer>> authorizers;
  for (const std::string& mode : modes) {
    if (mode == "AlwaysAllow") {
      authorizers.push_back(AlwaysAllowAuthorizer());
    } else if (mode == "AlwaysDeny") {
      authorizers.push_back(AlwaysDenyAuthorizer());
    } else if (mode == "Bootstrap") {
      authorizers.push_back(BootstrapAuthorizer());
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown authorization mode \"", mode, "\""));
    }
  }
  if (authorizers.size() == 1) return authorizers.front();
  return UnionAuthorizer(std::move(authorizers));
}

}  // namespace apiserve::auth
