#ifndef APISERVE_AUTH_AUTHORIZERS_H_
#define APISERVE_AUTH_AUTHORIZERS_H_

// The authorizers of --authorization-mode and their union.
//
//   AlwaysAllow  allow everything (kube's default).
//   AlwaysDeny   no opinion, with kube's reason "Everything is forbidden." (a later mode may still allow).
//   Bootstrap    a fixed policy shaped like kube's bootstrap RBAC; it allows or has no opinion, never denies:
//                - everyone, authenticated or not (system:public-info-viewer): GET exactly /healthz, /livez,
//                  /readyz, /version and /version/ (not subpaths such as /readyz/etcd, not HEAD);
//                - members of system:authenticated: every verb on every path and resource. This is broader than
//                  kube's system:discovery + system:basic-user (which would forbid every resource to non-admins);
//                  chosen so an authenticated user can use the demo while anonymous clients get public info only;
//                - members of system:masters (cluster-admin): everything.
//
// The union tries each authorizer in order: the first allow or deny wins; when all have no opinion the request is
// denied (by WithAuthorization, which allows only kAllow). All authorizers here are stateless and thread-safe.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "auth/authorizer.h"

namespace apiserve::auth {

// AlwaysAllowAuthorizer allows everything (kube's default --authorization-mode=AlwaysAllow; the authorization
// filter's default).
std::shared_ptr<const Authorizer> AlwaysAllowAuthorizer();
std::shared_ptr<const Authorizer> AlwaysDenyAuthorizer();
std::shared_ptr<const Authorizer> BootstrapAuthorizer();

// PrivilegedGroupsAuthorizer allows members of any of `groups`, and has no opinion on others (kube's
// authorizerfactory.NewPrivilegedGroups; kube-apiserver's is system:masters, an extension server's is
// --authorization-always-allow-groups).
std::shared_ptr<const Authorizer> PrivilegedGroupsAuthorizer(std::vector<std::string> groups);

// AlwaysAllowPathsAuthorizer allows non-resource requests to `paths` and has no opinion on anything else (kube's
// path.NewAuthorizer, behind --authorization-always-allow-paths). A path matches with or without its leading '/';
// one ending in '*' matches every path that starts with what precedes the '*'. InvalidArgument `only trailing *
// allowed in "<path>"` (the path without its leading '/', as kube) for a '*' anywhere else.
absl::StatusOr<std::shared_ptr<const Authorizer>> AlwaysAllowPathsAuthorizer(const std::vector<std::string>& paths);

// UnionAuthorizer returns the first decision other than kNoOpinion among `authorizers` (none may be null), or
// kNoOpinion. Asynchronous if a member is; then AuthorizeAsync carries kube's errors: a member's error does not stop
// the union (the next member is asked), and a final kNoOpinion returns the errors (one as it is, several as
// "[a, b]"), for the filter's 500.
std::shared_ptr<const Authorizer> UnionAuthorizer(std::vector<std::shared_ptr<const Authorizer>> authorizers);

// NewAuthorizer builds the union for `modes` ("AlwaysAllow", "AlwaysDeny", "Bootstrap", in order) behind kube-
// apiserver's privileged-groups authorizer (system:masters is always allowed). InvalidArgument naming the mode for an
// unknown one or an empty list.
absl::StatusOr<std::shared_ptr<const Authorizer>> NewAuthorizer(const std::vector<std::string>& modes);

}  // namespace apiserve::auth

#endif  // APISERVE_AUTH_AUTHORIZERS_H_
