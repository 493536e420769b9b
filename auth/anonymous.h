#ifndef APISERVE_AUTH_ANONYMOUS_H_
#define APISERVE_AUTH_ANONYMOUS_H_

// Anonymous fallback (kube's --anonymous-auth): `union.NewFailOnError(authenticator, anonymous)`.
//
// The anonymous user is system:anonymous in system:unauthenticated. It is used only when `authenticator` found no
// credentials at all (NotFound); a presented-but-bad credential (any other error) stays an error, so it ends in 401.

#include <memory>

#include "auth/authenticator.h"

namespace apiserve::auth {

// WithAnonymous returns an authenticator that answers AnonymousUserInfo() (system:anonymous in
// system:unauthenticated) where `authenticator` (may be null: no other authenticator configured) returns NotFound.
// Thread-safe if `authenticator` is.
std::shared_ptr<const Authenticator> WithAnonymous(std::shared_ptr<const Authenticator> authenticator);

// AnonymousAuthenticator authenticates every request as system:anonymous (kube's anonymous.NewAuthenticator; the
// authentication filter's default). Stateless and thread-safe.
std::shared_ptr<const Authenticator> AnonymousAuthenticator();

}  // namespace apiserve::auth

#endif  // APISERVE_AUTH_ANONYMOUS_H_
