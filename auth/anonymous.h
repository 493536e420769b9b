#ifndef APISERVE_AUTH_ANONYMOUS_H_
#define APISERVE_AUTH_ANONYMOUS_H_

// Anonymous fallback (kube's --anonymous-auth): `union.NewFailOnError(authenticator, anonymous)`.
//
// The anonymous user is system:anonymous in system:unauthenticated. It is used only when `authenticator` found no
// credentials at all (NotFound); a presented-but-bad credential (any other error) stays an error, so it ends in 401.

#include <memory>

#include "chain/filters/auth.h"

namespace apiserve::auth {

// WithAnonymous returns an authenticator that answers chain::AnonymousUserInfo() (system:anonymous in
// system:unauthenticated) where `authenticator` (may be null: no other
// authenticator configured) returns NotFound. Thread-safe if `authenticator` is.
std::shared_ptr<const chain::Authenticator> WithAnonymous(std::shared_ptr<const chain::Authenticator> authenticator);

}  // namespace apiserve::auth

#endif  // APISERVE_AUTH_ANONYMOUS_H_
