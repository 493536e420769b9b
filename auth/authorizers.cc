#include "auth/authorizers.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace apiserve::auth {
namespace {

class AlwaysDeny : public chain::Authorizer {
 public:
  chain::Decision Authorize(const chain::UserInfo&, const chain::RequestInfo&) const override {
    return chain::Decision::kDeny;
  }
};

bool InGroup(const chain::UserInfo& user, const char* group) {
  return std::find(user.groups.begin(), user.groups.end(), group) != user.groups.end();
}

// IsPublicInfo: kube's system:public-info-viewer ClusterRole, nonResourceURLs with verb get.
bool IsPublicInfo(const chain::RequestInfo& info) {
  if (info.is_resource_request || info.verb != "get") return false;
  return info.path == "/healthz" || info.path == "/livez" || info.path == "/readyz" || info.path == "/version" ||
         info.path == "/version/";
}

class Bootstrap : public chain::Authorizer {
 public:
  chain::Decision Authorize(const chain::UserInfo& user, const chain::RequestInfo& info) const override {
    if (InGroup(user, chain::kMastersGroup)) return chain::Decision::kAllow;
    if (IsPublicInfo(info)) return chain::Decision::kAllow;
    if (InGroup(user, chain::kAuthenticatedGroup)) return chain::Decision::kAllow;
    return chain::Decision::kNoOpinion;
  }
};

class Union : public chain::Authorizer {
 public:
  explicit Union(std::vector<std::shared_ptr<const chain::Authorizer>> authorizers)
      : authorizers_(std::move(authorizers)) {}

  chain::Decision Authorize(const chain::UserInfo& user, const chain::RequestInfo& info) const override {
    for (const auto& authorizer : authorizers_) {
      const chain::Decision decision = authorizer->Authorize(user, info);
      if (decision != chain::Decision::kNoOpinion) return decision;
    }
    return chain::Decision::kNoOpinion;
  }

 private:
  const std::vector<std::shared_ptr<const chain::Authorizer>> authorizers_;
};

}  // namespace

std::shared_ptr<const chain::Authorizer> AlwaysDenyAuthorizer() { return std::make_shared<AlwaysDeny>(); }
std::shared_ptr<const chain::Authorizer> BootstrapAuthorizer() { return std::make_shared<Bootstrap>(); }

std::shared_ptr<const chain::Authorizer> UnionAuthorizer(
    std::vector<std::shared_ptr<const chain::Authorizer>> authorizers) {
  return std::make_shared<Union>(std::move(authorizers));
}

absl::StatusOr<std::shared_ptr<const chain::Authorizer>> NewAuthorizer(const std::vector<std::string>& modes) {
  if (modes.empty()) return absl::InvalidArgumentError("at least one authorization-mode must be passed");
  std::vector<std::shared_ptr<const chain::Authorizer>> authorizers;
  for (const std::string& mode : modes) {
    if (mode == "AlwaysAllow") {
      authorizers.push_back(chain::AlwaysAllowAuthorizer());
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
