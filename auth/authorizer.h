#ifndef APISERVE_AUTH_AUTHORIZER_H_
#define APISERVE_AUTH_AUTHORIZER_H_

// auth::Authorizer: allows, denies or has no opinion on what a user asks to do (kube's authorizer.Authorizer), given
// the request's attributes (kube's authorizer.Attributes).
//
// The chain fills Attributes from its request info (chain/filters/auth.h); auth/ does not depend on chain/.
//
// Synchronous and asynchronous authorizers, as auth::Authenticator: most answer at once through Authorize; one that
// asks the cluster (the SubjectAccessReview webhook) says so with IsAsync() and answers through AuthorizeAsync,
// later, on the request's loop. The authorization filter calls Authorize directly for synchronous authorizers (no
// callback, no allocation).
//
// An asynchronous answer may carry an error (kube's `err` beside the decision): the authorizer could not decide
// (the webhook failed). The filter answers an error without kAllow with 500, as kube's WithAuthorization does.
//
// Threading: authorizers are shared by every event loop as `std::shared_ptr<const Authorizer>`; Authorize and
// AuthorizeAsync are called concurrently from any loop and must neither block nor do file I/O.

#include <string>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "auth/user_info.h"
#include "base/executor.h"

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

// AuthorizationResult is kube's (decision, reason, err) triple.
struct AuthorizationResult {
  Decision decision = Decision::kNoOpinion;
  std::string reason;
  absl::Status error;  // OK, or why the authorizer could not decide (the decision is then kNoOpinion)
};

using AuthorizeCallback = absl::AnyInvocable<void(AuthorizationResult)>;

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  // Authorize decides on `attributes`, and may say why in `*reason` (never null; kube's reason string, shown in the
  // 403 body: "Everything is forbidden."). Called on the connection's loop: must not block. An asynchronous
  // authorizer answers here only what it knows without waiting (a cached decision), else kNoOpinion.
  virtual Decision Authorize(const Attributes& attributes, std::string* reason) const = 0;

  // IsAsync reports whether AuthorizeAsync may answer after it returns. False by default; a union is asynchronous
  // if a member is.
  virtual bool IsAsync() const { return false; }

  // AuthorizeAsync runs `done` exactly once, either before it returns or later on `executor`'s thread (the
  // connection's loop; not null when IsAsync()). `attributes` and everything it points to are borrowed and must
  // stay valid until `done` has run (the filter keeps the request, its user and request info alive). The default
  // calls Authorize.
  virtual void AuthorizeAsync(const Attributes& attributes, base::Executor* executor, AuthorizeCallback done) const {
    (void)executor;
    AuthorizationResult result;
    result.decision = Authorize(attributes, &result.reason);
    done(std::move(result));
  }
};

}  // namespace apiserve::auth

#endif  // APISERVE_AUTH_AUTHORIZER_H_
