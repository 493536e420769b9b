#ifndef APISERVE_AUTH_SUBJECT_ACCESS_REVIEW_H_
#define APISERVE_AUTH_SUBJECT_ACCESS_REVIEW_H_

// The SubjectAccessReview webhook authorizer (kube's delegating authorizer: webhook.NewFromInterface with
// decisionOnError NoOpinion).
//
// Each decision is asked of the cluster as an `authorization.k8s.io/v1` SubjectAccessReview (POST
// /apis/authorization.k8s.io/v1/subjectaccessreviews) whose spec carries the user (user, uid, groups, extra) and
// either resourceAttributes {namespace, verb, group, version, resource, subresource, name} or nonResourceAttributes
// {path, verb}. The answer's status decides, with status.reason as the reason (shown in the 403 body):
//   allowed                 kAllow;   cached for `authorized_ttl`
//   denied                  kDeny;    cached for `unauthorized_ttl`
//   neither                 kNoOpinion (the union goes on; at its end the filter answers 403); cached for
//                           `unauthorized_ttl`
//   both                    kDeny with the error "webhook subject access review returned both allow and deny
//                           response" (kube's; the filter answers 500)
//   the review failed       kNoOpinion with the error (transport, timeout, a status other than 200/201, an
//                           unreadable answer), logged as kube's "Failed to make webhook authorizer request: ...";
//                           not cached. kube's WithAuthorization answers an error without an allow with 500
//                           InternalError, and so does ours.
// A failed call is retried as kube's webhook authorizer does (auth::DoWithBackoff: a connection reset, 429, 500, 504
// and other retriable answers; up to `retry_backoff.steps` attempts, 500 ms apart and growing), each attempt bounded
// by `timeout` and the whole sequence by `overall_timeout` (kube's is the request's context: --request-timeout,
// 60 s); past it the error is "webhook call failed: context deadline exceeded" (500). The retries belong to the one
// review its identical requests share.
// The cache key is the spec's JSON (kube's); requests whose attributes are large (over 10000 bytes of namespace,
// name, path, ... — kube's maxControlledAttrCacheSize) are not cached. At most `max_cache_entries` are kept.
// Concurrent identical reviews share one call.
//
// Asynchronous (IsAsync); thread-safe; may be destroyed while reviews are in flight.

#include <cstddef>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "auth/authorizer.h"
#include "auth/webhook.h"
#include "base/clock.h"
#include "client/http_client.h"

namespace apiserve::auth {

inline constexpr char kSubjectAccessReviewPath[] = "/apis/authorization.k8s.io/v1/subjectaccessreviews";

struct SubjectAccessReviewOptions {
  absl::Duration authorized_ttl = absl::Seconds(10);    // --authorization-webhook-cache-authorized-ttl
  absl::Duration unauthorized_ttl = absl::Seconds(10);  // --authorization-webhook-cache-unauthorized-ttl
  absl::Duration timeout = absl::Seconds(10);           // kube's DelegatingAuthorizationOptions.ClientTimeout
  // Bounds the attempts and the waits between them, as the request context bounds kube's authorizer (the default
  // --request-timeout). Zero or less: only the steps bound it.
  absl::Duration overall_timeout = absl::Seconds(60);
  RetryBackoff retry_backoff;          // kube's DefaultAuthWebhookRetryBackoff (no flag)
  size_t max_cache_entries = 8192;     // kube's response cache size
  const base::Clock* clock = nullptr;  // null: the wall clock. Borrowed.
};

// NewSubjectAccessReviewAuthorizer asks `client` (not null). See above. Its synchronous Authorize answers cached
// decisions only (kNoOpinion otherwise).
std::shared_ptr<const Authorizer> NewSubjectAccessReviewAuthorizer(std::shared_ptr<client::HttpClient> client,
                                                                   SubjectAccessReviewOptions options = {});

// SubjectAccessReviewSpec returns the spec for `attributes` as client-go encodes it (empty fields omitted; extra
// keys sorted): {"resourceAttributes":{...}} or {"nonResourceAttributes":{"path":..,"verb":..}}, then "user",
// "groups", "extra", "uid".
std::string SubjectAccessReviewSpec(const Attributes& attributes);

// SubjectAccessReviewBody wraps `spec` into the SubjectAccessReview object that is sent:
// {"kind":"SubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":null},
//  "spec":<spec>,"status":{"allowed":false}}
std::string SubjectAccessReviewBody(const std::string& spec);

}  // namespace apiserve::auth

#endif  // APISERVE_AUTH_SUBJECT_ACCESS_REVIEW_H_
