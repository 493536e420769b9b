#include "auth/authorizers.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace apiserve::auth {
namespace {

class AlwaysAllow : public Authorizer {
 public:
  Decision Authorize(const Attributes&, std::string*) const override { return Decision::kAllow; }
};

// kube's alwaysDenyAuthorizer: no opinion (a later mode may still allow), with its reason.
class AlwaysDeny : public Authorizer {
 public:
  Decision Authorize(const Attributes&, std::string* reason) const override {
    *reason = "Everything is forbidden.";
    return Decision::kNoOpinion;
  }
};

// kube-apiserver's privileged-groups authorizer, always first: system:masters may do everything.
class PrivilegedGroups : public Authorizer {
 public:
  Decision Authorize(const Attributes& attributes, std::string*) const override {
    return InGroup(*attributes.user, kMastersGroup) ? Decision::kAllow : Decision::kNoOpinion;
  }
};

// IsPublicInfo: kube's system:public-info-viewer ClusterRole, nonResourceURLs with verb get.
bool IsPublicInfo(const Attributes& attributes) {
  if (attributes.resource_request || attributes.verb != "get") return false;
  const absl::string_view path = attributes.path;
  return path == "/healthz" || path == "/livez" || path == "/readyz" || path == "/version" || path == "/version/";
}

class Bootstrap : public Authorizer {
 public:
  Decision Authorize(const Attributes& attributes, std::string*) const override {
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

  // kube's unionAuthzHandler: the first allow or deny wins with its reason; with no opinion anywhere, the
  // reasons given are joined by newlines.
  Decision Authorize(const Attributes& attributes, std::string* reason) const override {
    std::string one;
    for (const auto& authorizer : authorizers_) {
      one.clear();
      const Decision decision = authorizer->Authorize(attributes, &one);
      if (decision != Decision::kNoOpinion) {
        *reason = std::move(one);
        return decision;
      }
      if (!one.empty()) {
        if (!reason->empty()) reason->push_back('\n');
        reason->append(one);
      }
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
  // kube-apiserver puts the privileged-groups authorizer (system:masters) in front of the configured modes.
  std::vector<std::shared_ptr<const Authorizer>> authorizers = {std::make_shared<PrivilegedGroups>()};
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
  // AlwaysAllow first decides everything: the union (and the group check in front) would only cost time.
  if (modes.front() == "AlwaysAllow") return authorizers[1];
  return UnionAuthorizer(std::move(authorizers));
}

}  // namespace apiserve::auth
