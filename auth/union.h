#ifndef APISERVE_AUTH_UNION_H_
#define APISERVE_AUTH_UNION_H_

// Union of authenticators (kube's union.New, FailOnError=false) and the authenticated-group adder.
//
// Union tries each authenticator in order and returns the first user. If none found a user, it returns
// Unauthenticated joining every error ("a; b") if any authenticator saw bad credentials, else NotFound ("no
// credentials"). So, as in kube, a bad client certificate plus a valid bearer token authenticates by the token; a bad
// certificate alone is Unauthenticated (401), never anonymous.
//
// WithAuthenticatedGroup adds system:authenticated to every user it returns, unless the user is anonymous or
// already in system:authenticated or system:unauthenticated (kube's AuthenticatedGroupAdder).

#include <memory>
#include <vector>

#include "auth/authenticator.h"

namespace apiserve::auth {

// Union returns the union of `authenticators` (none may be null). Thread-safe if they are.
std::shared_ptr<const Authenticator> Union(std::vector<std::shared_ptr<const Authenticator>> authenticators);

// WithAuthenticatedGroup wraps `authenticator` (not null). Thread-safe if it is.
std::shared_ptr<const Authenticator> WithAuthenticatedGroup(std::shared_ptr<const Authenticator> authenticator);

}  // namespace apiserve::auth

#endif  // APISERVE_AUTH_UNION_H_
