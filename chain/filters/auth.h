#ifndef APISERVE_CHAIN_FILTERS_AUTH_H_
#define APISERVE_CHAIN_FILTERS_AUTH_H_

// The authentication and authorization slots of the filter chain (kube's WithAuthentication / WithAuthorization).
//
// An Authenticator says who sent a request: a user, "no credentials presented", or an error (a credential was
// presented but is bad: 401, never anonymous). An Authorizer allows, denies or has no opinion. The slots default to
// kube's defaults: anonymous allowed (system:anonymous in system:unauthenticated) and AlwaysAllow. The concrete
// authenticators and authorizers built from flags (x509, token file, Bootstrap, ...) live in auth/.
//
// Threading: authenticators and authorizers are shared by every event loop as `std::shared_ptr<const T>`; their
// const methods are called concurrently from any loop and must neither block nor do file I/O.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "chain/request_info.h"
#include "http/handler.h"

namespace apiserve::chain {

// The well-known user and group names (kube's k8s.io/apiserver/pkg/authentication/user).
inline constexpr char kAnonymousUser[] = "system:anonymous";
inline constexpr char kUnauthenticatedGroup[] = "system:unauthenticated";
inline constexpr char kAuthenticatedGroup[] = "system:authenticated";
inline constexpr char kMastersGroup[] = "system:masters";

struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;
};

// UserPtr is how users travel: shared and immutable, so a fixed identity (the anonymous user, a token file's entry)
// is handed to each request without a copy.
using UserPtr = std::shared_ptr<const UserInfo>;

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Authenticate returns the user, NotFound when the request carries no credentials of this kind, or
  // Unauthenticated when it carries bad ones. Called on the connection's loop: must not block.
  virtual absl::StatusOr<UserPtr> Authenticate(const http::Request& request) const = 0;
};

// AnonymousUserInfo is the shared system:anonymous user (groups: system:unauthenticated).
UserPtr AnonymousUserInfo();

// IsAnonymous reports whether `user` is the anonymous user: named system:anonymous or in system:unauthenticated
// (kube's isAnonymousUser, used by the HTTP/2 DoS mitigation).
bool IsAnonymous(const UserInfo& user);

enum class Decision { kAllow, kDeny, kNoOpinion };

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  virtual Decision Authorize(const UserInfo& user, const RequestInfo& info) const = 0;
};

// AnonymousAuthenticator authenticates every request as system:anonymous (kube's --anonymous-auth=true fallback).
std::shared_ptr<const Authenticator> AnonymousAuthenticator();
// AlwaysAllowAuthorizer allows everything (kube's default --authorization-mode=AlwaysAllow).
std::shared_ptr<const Authorizer> AlwaysAllowAuthorizer();

// WithAuthentication attaches the UserInfo, or answers 401 (kube's Unauthorized Status) on an authentication error
// or when no authenticator accepted the request (NotFound: no credentials and anonymous disabled). Errors other than
// NotFound are logged ("Unable to authenticate the request", as kube).
//
// With `http2_dos_mitigation` (kube's UnauthenticatedHTTP2DOSMitigation feature gate, on by default since 1.29),
// an HTTP/2 request that is anonymous (IsAnonymous) or answered 401 gets `Connection: close`, which the HTTP/2
// codec turns into a graceful GOAWAY after that stream: an unauthenticated client gets one request per
// connection. HTTP/1.x requests are never touched.
http::HandlerPtr WithAuthentication(http::HandlerPtr next, std::shared_ptr<const Authenticator> authenticator,
                                    bool http2_dos_mitigation = true);
// WithAuthorization answers 403 (kube's Forbidden Status naming user, verb and path) unless allowed.
http::HandlerPtr WithAuthorization(http::HandlerPtr next, std::shared_ptr<const Authorizer> authorizer);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_FILTERS_AUTH_H_
