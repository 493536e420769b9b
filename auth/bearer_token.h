#ifndef APISERVE_AUTH_BEARER_TOKEN_H_
#define APISERVE_AUTH_BEARER_TOKEN_H_

// BearerToken: the token of `Authorization: Bearer <token>`, as kube's bearertoken.Authenticator reads it.

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "http/request.h"

namespace apiserve::auth {

// BearerToken returns the token (a view into `request`'s header): the header trimmed of spaces, split on ' ' into
// at most 3 parts, the first "bearer" in any case and the second not empty. NotFound ("no credentials of this
// kind") when there is no Authorization header, another scheme, or an empty token.
absl::StatusOr<absl::string_view> BearerToken(const http::Request& request);

}  // namespace apiserve::auth

#endif  // APISERVE_AUTH_BEARER_TOKEN_H_
