#ifndef APISERVE_AUTH_AUTHORIZER_H_
#define APISERVE_AUTH_AUTHORIZER_H_

// auth::Authorizer: allows, denies or has no opinion on what a user asks to do (kube's authorizer.Authorizer), given
// the request's attributes (kube's authorizer.Attributes).
//
// The chain fills Attributes from its request info (chain/filters/auth.h); auth/ does not depend on chain/.
//
// Threading: authorizers are shared by every event loop as `std::shared_ptr<const Authorizer>`; Authorize is called
// concurrently from any loop and must neither block nor do file I/O.

#include <string>

#include "absl/strings/string_view.h"
#include "auth/user_info.h"

namespace apiserve::auth {

enum class Decision { kAllow, kDeny, kNoOpinion };

// Attributes is kube's authorizer.AttributesRecord. The views borrow the request's data: valid for the duration of
// the Authorize call only.
struct Attributes {
  const UserInfo* user = nullptr;  // borrowed; never null when passed to Authorize
  absl::string_view verb;          // get, list, watch, create, update, patch, delete, deletecollection; or the
                                   // lower-cased method for non-resource requests
  absl::string_view namespace_name;
  absl::string_view resource;
  absl::string_view subresource;
  absl::string_view name;
  absl::string_view api_group;  // "" for the legacy core group
  absl::string_view api_version;
  absl::string_view path;  // the request path (non-resource requests are authorized on it)
  bool resource_request = false;
};

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  // Authorize decides on `attributes`, and may say why in `*reason` (never null; kube's reason string, shown in the
  // 403 body: "Everything is forbidden."). Called on the connection's loop: must not block.
  virtual Decision Authorize(const Attributes& attributes, std::string* reason) const = 0;
};

}  // namespace apiserve::auth

#endif  // APISERVE_AUTH_AUTHORIZER_H_
