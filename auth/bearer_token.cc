#include "auth/bearer_token.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace apiserve::auth {

absl::StatusOr<absl::string_view> BearerToken(const http::Request& request) {
  // kube's bearertoken.Authenticator: TrimSpace, SplitN(" ", 3), case-insensitive "bearer", non-empty token.
  const absl::string_view header = absl::StripAsciiWhitespace(request.headers.Get("Authorization").value_or(""));
  if (header.empty()) return absl::NotFoundError("no Authorization header");
  absl::InlinedVector<absl::string_view, 3> parts = absl::StrSplit(header, absl::MaxSplits(' ', 2));
  if (parts.size() < 2 || !absl::EqualsIgnoreCase(parts[0], "bearer")) {
    return absl::NotFoundError("Authorization header is not a bearer token");
  }
  if (parts[1].empty()) return absl::NotFoundError("empty bearer token");
  return parts[1];
}

}  // namespace apiserve::auth
