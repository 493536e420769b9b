#ifndef APISERVE_CHAIN_FILTERS_AUTH_H_
#define APISERVE_CHAIN_FILTERS_AUTH_H_

// The authentication and authorization slots of the filter chain (kube's WithAuthentication / WithAuthorization).
//
// An Authenticator says who sent a request: a user, "no credentials presented", or an error (a credential was
// presented but is bad: 401, never anonymous). An Authorizer allows, denies or has no opinion. The slots default to
// kube's defaults: anonymous allowed (system:anonymous in system:unauthenticated) and AlwaysAllow.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "chain/request_info.h"
#include "http/handler.h"

namespace apiserve::chain {

struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Authenticate returns the user, NotFound when the request carries no credentials of this kind, or
  // Unauthenticated when it carries bad ones. Called on the connection's loop: must not block.
  virtual absl::StatusOr<UserInfo> Authenticate(const http::Request& request) const = 0;
};

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
// or when no authenticator accepted the request.
http::HandlerPtr WithAuthentication(http::HandlerPtr next, std::shared_ptr<const Authenticator> authenticator);
// WithAuthorization answers 403 (kube's Forbidden Status naming user, verb and path) unless allowed.
http::HandlerPtr WithAuthorization(http::HandlerPtr next, std::shared_ptr<const Authorizer> authorizer);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_FILTERS_AUTH_H_
