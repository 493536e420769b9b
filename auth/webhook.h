#ifndef APISERVE_AUTH_WEBHOOK_H_
#define APISERVE_AUTH_WEBHOOK_H_

// What the TokenReview authenticator and the SubjectAccessReview authorizer share: the review cache (bounded,
// expiring, with one review in flight per key however many requests wait for it), kube's retry of a failed call
// (webhook.WithExponentialBackoff with DefaultShouldRetry) and the decoding of a review's answer.
//
// Threading: ReviewCache is thread-safe; its waiters run on their own loops. DoWithBackoff runs on one loop: the
// caller's, where every attempt's answer arrives and every retry is scheduled (Executor::RunAfter; never a sleep).

#include <cstddef>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "base/executor.h"
#include "base/mutex.h"
#include "client/http_client.h"
#include "http/json_value.h"

namespace apiserve::auth {

// ReviewCache<Result> caches review results by key for a TTL and shares one review among concurrent askers (kube's
// cached token authenticator: an expiring cache plus singleflight). At most `max_entries` results are kept: when
// full, expired entries go first, then the least recently used. `Result` must be copyable.
template <typename Result>
class ReviewCache {
 public:
  using Callback = absl::AnyInvocable<void(Result)>;
  enum class Lookup {
    kAnswered,  // a fresh cached result: `done` has run, before Find returned
    kJoined,    // a review for the key is in flight: `done` runs when it completes
    kStart,     // nothing cached or in flight: the caller starts the review and must call Complete(key, ...)
  };

  // `clock` is borrowed and must outlive the cache.
  ReviewCache(size_t max_entries, const base::Clock* clock) : max_entries_(max_entries), clock_(clock) {}

  // Find answers `done` from the cache, or adds it to the waiters of `key`'s review (see Lookup). `executor` is
  // where `done` runs when the review completes on another thread (borrowed; the waiting request's loop).
  Lookup Find(const std::string& key, base::Executor* executor, Callback done) {
    std::optional<Result> cached;
    {
      base::MutexLock lock(&mu_);
      cached = GetLocked(key);
      if (!cached.has_value()) {
        auto [it, inserted] = in_flight_.try_emplace(key);
        it->second.push_back(Waiter{executor, std::move(done)});
        return inserted ? Lookup::kStart : Lookup::kJoined;
      }
    }
    done(*std::move(cached));
    return Lookup::kAnswered;
  }

  // Get returns the fresh cached result for `key`, if any.
  std::optional<Result> Get(const std::string& key) {
    base::MutexLock lock(&mu_);
    return GetLocked(key);
  }

  // Complete ends `key`'s review with `result`: cached for `ttl` unless it is zero or less, and given to every
  // waiter — inline for those whose executor thread this is, posted to the others.
  void Complete(const std::string& key, const Result& result, absl::Duration ttl) {
    std::vector<Waiter> waiters;
    {
      base::MutexLock lock(&mu_);
      if (ttl > absl::ZeroDuration()) SetLocked(key, result, clock_->Now() + ttl);
      auto it = in_flight_.find(key);
      if (it != in_flight_.end()) {
        waiters = std::move(it->second);
        in_flight_.erase(it);
      }
    }
    for (Waiter& waiter : waiters) {
      if (waiter.executor == nullptr || waiter.executor->IsExecutorThread()) {
        waiter.done(result);
      } else {
        waiter.executor->Post([done = std::move(waiter.done), result]() mutable { done(std::move(result)); });
      }
    }
  }

  size_t size() const {
    base::MutexLock lock(&mu_);
    return entries_.size();
  }

 private:
  struct Waiter {
    base::Executor* executor;
    Callback done;
  };
  struct Entry {
    Result result;
    absl::Time expires;
    typename std::list<std::string>::iterator lru;  // position in lru_
  };

  std::optional<Result> GetLocked(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    if (clock_->Now() >= it->second.expires) {
      lru_.erase(it->second.lru);
      entries_.erase(it);
      return std::nullopt;
    }
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second.result;
  }

  void SetLocked(const std::string& key, const Result& result, absl::Time expires) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      it->second.result = result;
      it->second.expires = expires;
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      return;
    }
    if (max_entries_ == 0) return;
    if (entries_.size() >= max_entries_) {
      const absl::Time now = clock_->Now();
      for (auto e = entries_.begin(); e != entries_.end();) {
        if (now >= e->second.expires) {
          lru_.erase(e->second.lru);
          entries_.erase(e++);
        } else {
          ++e;
        }
      }
      while (entries_.size() >= max_entries_) {
        entries_.erase(lru_.back());
        lru_.pop_back();
      }
    }
    lru_.push_front(key);
    entries_.emplace(key, Entry{result, expires, lru_.begin()});
  }

  const size_t max_entries_;
  const base::Clock* const clock_;
  mutable base::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  std::list<std::string> lru_ ABSL_GUARDED_BY(mu_);  // most recently used first
  absl::flat_hash_map<std::string, std::vector<Waiter>> in_flight_ ABSL_GUARDED_BY(mu_);
};

// RetryBackoff is kube's wait.Backoff for the webhook calls; the default is DefaultAuthWebhookRetryBackoff (500 ms,
// factor 1.5, jitter 0.2, 5 steps). A review makes at most `steps` attempts (fewer than 1 counts as 1); after attempt
// n (from 1) it waits BackoffDelay(backoff, n - 1, r) before the next. kube has no flag for it.
struct RetryBackoff {
  absl::Duration initial = absl::Milliseconds(500);
  double factor = 1.5;
  double jitter = 0.2;
  int steps = 5;
};

// BackoffDelay returns the wait before retry `retry` (0: the one after the first attempt): initial·factor^retry,
// plus jitter·r of that (r in [0, 1); Go's wait.Jitter), as wait.Backoff.Step computes it.
absl::Duration BackoffDelay(const RetryBackoff& backoff, int retry, double r);

// ShouldRetryReview is kube's webhook.DefaultShouldRetry applied to a call's outcome as client-go would turn it into
// an error: retried are a connection reset (client::IsConnectionReset; not a refused connection, a TLS failure or a
// timeout of the call itself), and an answer other than 200/201 whose error is an InternalError (reason
// InternalError, or status 500 with no known reason; an unstructured 5xx other than 503 and 504 counts), a Timeout
// (reason Timeout, or 504), TooManyRequests (reason, or 429), a ServerTimeout, or carries a retry delay (a Status
// body's details.retryAfterSeconds, else a Retry-After header of whole seconds > 0). The reason is the Status
// body's when the body is a Status, else client-go's for the code (503: ServiceUnavailable, not retried).
bool ShouldRetryReview(const absl::StatusOr<client::Response>& response);

// kWebhookDeadlineMessage is kube's error when the review's context ends first: "webhook call failed: context
// deadline exceeded".
inline constexpr char kWebhookDeadlineMessage[] = "webhook call failed: context deadline exceeded";

// DoWithBackoff sends `request` through `client` and retries it as kube's WithExponentialBackoff does, then runs
// `done` once, on `executor`, with the last attempt's outcome: the first one ShouldRetryReview does not retry, or
// the last of `backoff.steps`. `overall_timeout` (> 0; zero or less: none) bounds the whole sequence like the
// review's context in kube: each attempt's timeout is min(request.timeout, what is left), and when an attempt fails
// at or after the deadline, or the next wait would end at or after it, `done` gets DeadlineExceeded with
// kWebhookDeadlineMessage (kube waits out the context first; the answer is the same, given sooner). `client` and
// `executor` must be set; `executor` is borrowed and must outlive the sequence (a stopped executor drops it, as it
// drops a Do's answer). `r` of the jitter is drawn per process from std::random_device.
void DoWithBackoff(std::shared_ptr<client::HttpClient> client, client::Request request, const RetryBackoff& backoff,
                   absl::Duration overall_timeout, base::Executor* executor, client::ResponseCallback done);

// ReviewRequest is the POST of a review object (`body`, JSON) to `path`, bounded by `timeout`, as client-go sends it.
client::Request ReviewRequest(absl::string_view path, std::string body, absl::Duration timeout);

// DecodeReviewResponse returns the review object the server answered, or an error naming why there is none (kube's
// client-go errors, prefixed by nothing): the transport's error as it is; a status other than 200/201 with kube's
// Status message if the body is a Status, else `an error on the server ("<body>") has prevented the request from
// succeeding (post <resource>)`; a body that is not a JSON object. `resource` is e.g.
// "tokenreviews.authentication.k8s.io".
absl::StatusOr<http::JsonValue> DecodeReviewResponse(const absl::StatusOr<client::Response>& response,
                                                     absl::string_view resource);

// StringField returns the string member `key` of `object`, or "" when absent or not a string.
std::string StringField(const http::JsonValue* object, absl::string_view key);
// BoolField returns the bool member `key` of `object`, or false when absent or not a bool.
bool BoolField(const http::JsonValue* object, absl::string_view key);

}  // namespace apiserve::auth

#endif  // APISERVE_AUTH_WEBHOOK_H_
