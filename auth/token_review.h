#ifndef APISERVE_AUTH_TOKEN_REVIEW_H_
#define APISERVE_AUTH_TOKEN_REVIEW_H_

// The TokenReview webhook authenticator (kube's delegating token authentication: webhooktoken behind
// cache.New(..., cacheErrs=false, ttl, ttl) behind bearertoken.New).
//
// A request's `Authorization: Bearer <token>` is sent to the cluster as an `authentication.k8s.io/v1` TokenReview
// (POST /apis/authentication.k8s.io/v1/tokenreviews), and the answer decides:
//   status.authenticated true   the user {username, uid, groups, extra}; cached for `cache_ttl`;
//   false, no status.error      Unauthenticated "invalid bearer token" (bearertoken's message); cached for
//                               `failure_cache_ttl`;
//   false with status.error     Unauthenticated with that error; not cached (kube's webhook returns it as an error,
//                               and the delegating cache does not keep errors);
//   the review failed           (transport error, timeout, a status other than 200/201, an unreadable answer)
//                               Unauthenticated with the reason, logged as kube's "Failed to make webhook
//                               authenticator request: ..."; not cached. The filter answers 401.
// A failed call is retried as kube's webhooks do (auth::DoWithBackoff: a connection reset, 429, 500, 504 and other
// retriable answers; up to `retry_backoff.steps` attempts, 500 ms apart and growing); `timeout` bounds the whole
// review, waits included (kube's TokenAccessReviewTimeout context): past it the answer is Unauthenticated "webhook
// call failed: context deadline exceeded". The retries belong to the one review its waiters share.
// No bearer token: NotFound (the anonymous fallback may apply); the cluster is not asked.
//
// Results are cached under an HMAC-SHA256 of the token with a random per-process key (kube's keyed hash: no raw
// token is kept), at most `max_cache_entries`. Concurrent requests with the same token share one review.
//
// Asynchronous (IsAsync): the review runs through `client` while the loop serves others; its completion resumes
// every request waiting for it, each on its own loop. Thread-safe; the authenticator may be destroyed while reviews
// are in flight (they finish on their own).

#include <cstddef>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "auth/authenticator.h"
#include "auth/webhook.h"
#include "base/clock.h"
#include "client/http_client.h"

namespace apiserve::auth {

inline constexpr char kTokenReviewPath[] = "/apis/authentication.k8s.io/v1/tokenreviews";

struct TokenReviewOptions {
  // --authentication-token-webhook-cache-ttl: how long an "authenticated" answer is kept.
  absl::Duration cache_ttl = absl::Seconds(10);
  // How long a plain "not authenticated" answer is kept; kube's delegating authenticator uses the same TTL.
  absl::Duration failure_cache_ttl = absl::Seconds(10);
  // kube's TokenAccessReviewTimeout: the whole review (connect, TLS, request, answer; every attempt and the waits
  // between them). Zero or less: each attempt is bounded only by the client's default timeout.
  absl::Duration timeout = absl::Seconds(10);
  // How failed calls are retried (kube's DefaultAuthWebhookRetryBackoff; no flag).
  RetryBackoff retry_backoff;
  size_t max_cache_entries = 4096;
  // The clock of the cache; null: the wall clock. Borrowed.
  const base::Clock* clock = nullptr;
};

// NewTokenReviewAuthenticator reviews bearer tokens through `client` (not null). See above.
std::shared_ptr<const Authenticator> NewTokenReviewAuthenticator(std::shared_ptr<client::HttpClient> client,
                                                                 TokenReviewOptions options = {});

// TokenReviewBody returns the TokenReview that reviews `token`, as client-go sends it (spec.audiences omitted):
// {"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},
//  "spec":{"token":"..."},"status":{"user":{}}}
std::string TokenReviewBody(absl::string_view token);

}  // namespace apiserve::auth

#endif  // APISERVE_AUTH_TOKEN_REVIEW_H_
