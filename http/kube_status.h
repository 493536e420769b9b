#ifndef APISERVE_HTTP_KUBE_STATUS_H_
#define APISERVE_HTTP_KUBE_STATUS_H_

// Kubernetes `Status` error bodies and the other fixed error responses kube-apiserver sends, in one place, byte for
// byte (reference §2.8, §1.3, §4.7 and its corrections). JSON is compact, in Go's field order (kind, apiVersion,
// metadata, status, message, reason, details, code), followed by "\n" as Go's encoder writes it.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "http/response.h"

namespace apiserve::http {

struct KubeStatus {
  std::string message;
  std::string reason;
  int code = 500;
  // With kind/apiVersion ("Status", "v1"): what kube's negotiated error writer sends. Without: a bare
  // metav1.Status, as the timeout filter writes it.
  bool with_type_meta = true;
  // details: absent (nullopt), `{}` (0), or `{"retryAfterSeconds":N}` (N > 0).
  std::optional<int> details_retry_after_seconds;
};

// StatusDetails names the object a Status is about (metav1.StatusDetails: name, group, kind; empty ones omitted).
struct StatusDetails {
  std::string name;
  std::string group;
  std::string kind;
};

// EncodeKubeStatus returns the JSON body (with the trailing newline). With `details`, its fields (then
// retryAfterSeconds, if positive) form the details object.
std::string EncodeKubeStatus(const KubeStatus& status, const StatusDetails* details = nullptr);

// 401 Unauthorized, from the authentication filter.
Response UnauthorizedResponse();
// ForbiddenRequest describes what was refused, for kube's 403 (responsewriters.Forbidden + errors.NewForbidden).
struct ForbiddenRequest {
  absl::string_view user;
  absl::string_view verb;
  absl::string_view path;  // for a non-resource request
  bool resource_request = false;
  absl::string_view api_group;
  absl::string_view resource;
  absl::string_view subresource;
  absl::string_view namespace_name;
  absl::string_view name;
  absl::string_view reason;  // the authorizer's reason, appended after ": " when not empty
};
// 403 Forbidden with kube's message and details, and `X-Content-Type-Options: nosniff`:
//   forbidden: User "alice" cannot get path "/version": Everything is forbidden.
//   pods "foo" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "default"
Response ForbiddenResponse(const ForbiddenRequest& request);
// 404 NotFound Status (resource-style; unknown non-resource paths get NotFoundTextResponse()).
Response NotFoundStatusResponse();
// 404 `404 page not found\n`, text/plain: Go's http.NotFound.
Response NotFoundTextResponse();
// 503 before MuxAndDiscoveryComplete, from the terminal not-found handler; Retry-After: 5.
Response MuxIncompleteResponse();
// 503 from the in-flight wait group once draining began; Retry-After: 1.
Response ShuttingDownResponse();
// 504 from the request-timeout filter.
Response TimeoutResponse();
// 429 from the retry-after filter in shutdown mode; Retry-After: 5, Connection: close.
Response RetryAfterShutdownResponse();
// 429 from max-in-flight; Retry-After: 1.
Response TooManyRequestsResponse();
// 413 for a request body over the server's limit (kube's limitedReadBody): `Request entity too large: limit is
// <limit>`, reason RequestEntityTooLarge.
Response RequestEntityTooLargeResponse(uint64_t limit);
// 500 after a handler panicked (threw).
Response PanicResponse();

}  // namespace apiserve::http

#endif  // APISERVE_HTTP_KUBE_STATUS_H_
