#ifndef APISERVE_AUTH_AUTHENTICATOR_H_
#define APISERVE_AUTH_AUTHENTICATOR_H_

// auth::Authenticator: says who sent a request (kube's authenticator.Request).
//
// Three outcomes: a user; NotFound, "no credentials of this kind" (the next authenticator is tried, and the
// anonymous fallback may apply); or another error, a credential was presented but is bad (401, never anonymous).
//
// Threading: authenticators are shared by every event loop as `std::shared_ptr<const Authenticator>`; Authenticate
// is called concurrently from any loop and must neither block nor do file I/O.

#include "absl/status/statusor.h"
#include "auth/user_info.h"
#include "http/request.h"

namespace apiserve::auth {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Authenticate returns the user, NotFound when `request` carries no credentials of this kind, or Unauthenticated
  // (with a message naming the problem) when it carries bad ones. Called on the connection's loop: must not block.
  // It does not change the request: the filter removes credential headers once authentication succeeded.
  virtual absl::StatusOr<UserPtr> Authenticate(const http::Request& request) const = 0;
};

}  // namespace apiserve::auth

#endif  // APISERVE_AUTH_AUTHENTICATOR_H_
