#ifndef APISERVE_AUTH_AUTHENTICATOR_H_
#define APISERVE_AUTH_AUTHENTICATOR_H_

// auth::Authenticator: says who sent a request (kube's authenticator.Request).
//
// Three outcomes: a user; NotFound, "no credentials of this kind" (the next authenticator is tried, and the
// anonymous fallback may apply); or another error, a credential was presented but is bad (401, never anonymous).
//
// Synchronous and asynchronous authenticators. Most authenticators (x509, request-header, token file, anonymous)
// answer at once through Authenticate. One that must ask someone else (the TokenReview webhook) says so with
// IsAsync() and answers through AuthenticateAsync, later, on the request's loop; the authentication filter then
// continues the request in that callback while the loop serves others. The filter calls Authenticate directly for
// synchronous authenticators, so their path stays free of callbacks and allocations.
//
// Threading: authenticators are shared by every event loop as `std::shared_ptr<const Authenticator>`; Authenticate
// and AuthenticateAsync are called concurrently from any loop and must neither block nor do file I/O.

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "auth/user_info.h"
#include "http/request.h"

namespace apiserve::auth {

// AuthenticateCallback receives AuthenticateAsync's result: the user, NotFound or Unauthenticated (as Authenticate).
using AuthenticateCallback = absl::AnyInvocable<void(absl::StatusOr<UserPtr>)>;

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Authenticate returns the user, NotFound when `request` carries no credentials of this kind, or Unauthenticated
  // (with a message naming the problem) when it carries bad ones. Called on the connection's loop: must not block.
  // It does not change the request: the filter removes credential headers once authentication succeeded.
  // An asynchronous authenticator answers here only what it knows without waiting (e.g. NotFound for a request
  // without its kind of credential, or a cached answer) and Unavailable otherwise; callers that can wait use
  // AuthenticateAsync.
  virtual absl::StatusOr<UserPtr> Authenticate(const http::Request& request) const = 0;

  // IsAsync reports whether AuthenticateAsync may answer after it returns. False (the default) for authenticators
  // that only implement Authenticate. A composite (union, anonymous fallback) is asynchronous if a part is.
  virtual bool IsAsync() const { return false; }

  // AuthenticateAsync runs `done` exactly once with what Authenticate would return, either before it returns or
  // later on `request.executor`'s thread (the connection's loop; it must be set when IsAsync()). `request` is
  // borrowed and must stay alive, unchanged, until `done` has run (the filter holds it). The default calls
  // Authenticate. Called on the connection's loop.
  virtual void AuthenticateAsync(const http::Request& request, AuthenticateCallback done) const {
    done(Authenticate(request));
  }
};

}  // namespace apiserve::auth

#endif  // APISERVE_AUTH_AUTHENTICATOR_H_
