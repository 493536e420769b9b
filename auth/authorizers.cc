#include "auth/authorizers.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "base/go_quote.h"

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

// kube's authorizerfactory.NewPrivilegedGroups: members of any of `groups` may do everything.
class PrivilegedGroups : public Authorizer {
 public:
  explicit PrivilegedGroups(std::vector<std::string> groups) : groups_(std::move(groups)) {}

  Decision Authorize(const Attributes& attributes, std::string*) const override {
    for (const std::string& group : groups_) {
      if (InGroup(*attributes.user, group.c_str())) return Decision::kAllow;
    }
    return Decision::kNoOpinion;
  }

 private:
  const std::vector<std::string> groups_;
};

// kube's path.NewAuthorizer: non-resource requests whose path (without its leading '/') is one of `paths_` or starts
// with one of `prefixes_` are allowed.
class AlwaysAllowPaths : public Authorizer {
 public:
  AlwaysAllowPaths(std::vector<std::string> paths, std::vector<std::string> prefixes)
      : paths_(std::move(paths)), prefixes_(std::move(prefixes)) {}

  Decision Authorize(const Attributes& attributes, std::string*) const override {
    if (attributes.resource_request) return Decision::kNoOpinion;
    absl::string_view path = attributes.path;
    absl::ConsumePrefix(&path, "/");
    for (const std::string& p : paths_) {
      if (path == p) return Decision::kAllow;
    }
    for (const std::string& prefix : prefixes_) {
      if (absl::StartsWith(path, prefix)) return Decision::kAllow;
    }
    return Decision::kNoOpinion;
  }

 private:
  const std::vector<std::string> paths_;
  const std::vector<std::string> prefixes_;
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

// AppendReason adds `one` to `*reasons`, newline-separated (kube's strings.Join(reasonlist, "\n")).
void AppendReason(std::string* reasons, const std::string& one) {
  if (one.empty()) return;
  if (!reasons->empty()) reasons->push_back('\n');
  reasons->append(one);
}

class Union : public Authorizer, public std::enable_shared_from_this<Union> {
 public:
  explicit Union(std::vector<std::shared_ptr<const Authorizer>> authorizers)
      : authorizers_(std::move(authorizers)),
        async_(std::any_of(authorizers_.begin(), authorizers_.end(), [](const auto& a) { return a->IsAsync(); })) {}

  bool IsAsync() const override { return async_; }

  // As Authorize, continuing after an asynchronous member in its callback; errors are kept (kube's errlist) and
  // returned with a final kNoOpinion (one alone as it is, several joined as kube's aggregate "[a, b]").
  void AuthorizeAsync(const Attributes& attributes, base::Executor* executor, AuthorizeCallback done) const override {
    Continue(attributes, executor, 0, AuthorizationResult(), {}, std::move(done));
  }

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
  // Continue asks authorizers_[next...] in order; `so_far` holds the reasons of those with no opinion.
  void Continue(const Attributes& attributes, base::Executor* executor, size_t next, AuthorizationResult so_far,
                std::vector<std::string> errors, AuthorizeCallback done) const {
    for (size_t i = next; i < authorizers_.size(); ++i) {
      const Authorizer& authorizer = *authorizers_[i];
      if (authorizer.IsAsync()) {
        authorizer.AuthorizeAsync(
            attributes, executor,
            [self = shared_from_this(), &attributes, executor, i, so_far = std::move(so_far),
             errors = std::move(errors), done = std::move(done)](AuthorizationResult one) mutable {
              if (!one.error.ok()) errors.emplace_back(one.error.message());
              if (one.decision != Decision::kNoOpinion) {
                done(std::move(one));
                return;
              }
              AppendReason(&so_far.reason, one.reason);
              self->Continue(attributes, executor, i + 1, std::move(so_far), std::move(errors), std::move(done));
            });
        return;
      }
      std::string one;
      const Decision decision = authorizer.Authorize(attributes, &one);
      if (decision != Decision::kNoOpinion) {
        AuthorizationResult result;
        result.decision = decision;
        result.reason = std::move(one);
        done(std::move(result));
        return;
      }
      AppendReason(&so_far.reason, one);
    }
    so_far.decision = Decision::kNoOpinion;
    if (errors.size() == 1) {
      so_far.error = absl::InternalError(errors[0]);
    } else if (!errors.empty()) {
      so_far.error = absl::InternalError(absl::StrCat("[", absl::StrJoin(errors, ", "), "]"));
    }
    done(std::move(so_far));
  }

  const std::vector<std::shared_ptr<const Authorizer>> authorizers_;
  const bool async_;
};

}  // namespace

std::shared_ptr<const Authorizer> AlwaysAllowAuthorizer() { return std::make_shared<AlwaysAllow>(); }
std::shared_ptr<const Authorizer> AlwaysDenyAuthorizer() { return std::make_shared<AlwaysDeny>(); }
std::shared_ptr<const Authorizer> BootstrapAuthorizer() { return std::make_shared<Bootstrap>(); }

std::shared_ptr<const Authorizer> PrivilegedGroupsAuthorizer(std::vector<std::string> groups) {
  return std::make_shared<PrivilegedGroups>(std::move(groups));
}

absl::StatusOr<std::shared_ptr<const Authorizer>> AlwaysAllowPathsAuthorizer(const std::vector<std::string>& paths) {
  std::vector<std::string> exact;
  std::vector<std::string> prefixes;
  for (absl::string_view p : paths) {
    absl::ConsumePrefix(&p, "/");
    if (p.empty()) {
      exact.emplace_back();  // "/" itself
      continue;
    }
    if (p.substr(0, p.size() - 1).find('*') != absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("only trailing * allowed in ", base::GoQuote(p)));
    }
    if (absl::ConsumeSuffix(&p, "*")) {
      prefixes.emplace_back(p);
    } else {
      exact.emplace_back(p);
    }
  }
  return std::make_shared<AlwaysAllowPaths>(std::move(exact), std::move(prefixes));
}

std::shared_ptr<const Authorizer> UnionAuthorizer(std::vector<std::shared_ptr<const Authorizer>> authorizers) {
  return std::make_shared<Union>(std::move(authorizers));
}

absl::StatusOr<std::shared_ptr<const Authorizer>> NewAuthorizer(const std::vector<std::string>& modes) {
  if (modes.empty()) return absl::InvalidArgumentError("at least one authorization-mode must be passed");
  // kube-apiserver puts the privileged-groups authorizer (system:masters) in front of the configured modes.
  std::vector<std::shared_ptr<const Authorizer>> authorizers = {PrivilegedGroupsAuthorizer({kMastersGroup})};
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
