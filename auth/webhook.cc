#include "auth/webhook.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace apiserve::auth {
namespace {

// The StatusReasons apimachinery knows (errors.knownReasons): a code decides only for a reason outside them.
bool KnownReason(absl::string_view reason) {
  static constexpr absl::string_view kKnown[] = {"Unauthorized",
                                                 "Forbidden",
                                                 "NotFound",
                                                 "AlreadyExists",
                                                 "Conflict",
                                                 "Gone",
                                                 "Invalid",
                                                 "ServerTimeout",
                                                 "StoreReadError",
                                                 "Timeout",
                                                 "TooManyRequests",
                                                 "BadRequest",
                                                 "MethodNotAllowed",
                                                 "NotAcceptable",
                                                 "RequestEntityTooLarge",
                                                 "UnsupportedMediaType",
                                                 "InternalError",
                                                 "Expired",
                                                 "ServiceUnavailable"};
  return std::find(std::begin(kKnown), std::end(kKnown), reason) != std::end(kKnown);
}

// GenericReason is the reason client-go gives a non-Status error answer (errors.NewGenericServerResponse), for the
// codes whose reason matters to ShouldRetryReview.
absl::string_view GenericReason(int code) {
  if (code == 429) return "TooManyRequests";
  if (code == 503) return "ServiceUnavailable";
  if (code == 504) return "Timeout";
  if (code >= 500) return "InternalError";
  return "";
}

double UnitRandom() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

// RetryingCall is one DoWithBackoff sequence; it lives in the callbacks of its attempt or its scheduled retry.
struct RetryingCall {
  std::shared_ptr<client::HttpClient> client;
  client::Request request;  // each attempt sends a copy
  RetryBackoff backoff;
  absl::Time deadline;
  base::Executor* executor;
  client::ResponseCallback done;
  int attempts = 0;
};

void Attempt(std::shared_ptr<RetryingCall> call);

void OnAnswer(std::shared_ptr<RetryingCall> call, absl::StatusOr<client::Response> response) {
  const bool succeeded = response.ok() && (response->status == 200 || response->status == 201);
  const absl::Time now = call->executor->Now();
  if (!succeeded && now >= call->deadline) {
    call->done(absl::DeadlineExceededError(kWebhookDeadlineMessage));
    return;
  }
  if (succeeded || call->attempts >= std::max(call->backoff.steps, 1) || !ShouldRetryReview(response)) {
    call->done(std::move(response));
    return;
  }
  const absl::Duration wait = BackoffDelay(call->backoff, call->attempts - 1, UnitRandom());
  if (now + wait >= call->deadline) {
    call->done(absl::DeadlineExceededError(kWebhookDeadlineMessage));
    return;
  }
  base::Executor* executor = call->executor;
  executor->RunAfter(wait, [call = std::move(call)]() mutable { Attempt(std::move(call)); });
}

void Attempt(std::shared_ptr<RetryingCall> call) {
  ++call->attempts;
  client::Request request = call->request;
  request.timeout = std::min(request.timeout, call->deadline - call->executor->Now());
  base::Executor* executor = call->executor;
  std::shared_ptr<client::HttpClient> client = call->client;
  client->Do(std::move(request), executor, [call = std::move(call)](absl::StatusOr<client::Response> response) mutable {
    OnAnswer(std::move(call), std::move(response));
  });
}

}  // namespace

absl::Duration BackoffDelay(const RetryBackoff& backoff, int retry, double r) {
  const absl::Duration base = backoff.initial * std::pow(backoff.factor, retry);
  return backoff.jitter > 0 ? base + base * (backoff.jitter * r) : base;
}

bool ShouldRetryReview(const absl::StatusOr<client::Response>& response) {
  if (!response.ok()) return client::IsConnectionReset(response.status());
  const int code = response->status;
  if (code == 200 || code == 201) return false;
  std::string reason;
  int64_t retry_after_seconds = 0;
  bool has_details = true;  // client-go's generic errors always carry details
  absl::StatusOr<http::JsonValue> doc = http::ParseJson(response->body);
  if (doc.ok() && doc->is_object() && StringField(&*doc, "kind") == "Status" && !StringField(&*doc, "status").empty()) {
    reason = StringField(&*doc, "reason");
    const http::JsonValue* details = doc->Find("details");
    has_details = details != nullptr && details->is_object();
    if (has_details) {
      if (const http::JsonValue* after = details->Find("retryAfterSeconds"); after != nullptr) {
        retry_after_seconds = after->AsInt64().value_or(0);
      }
    }
  } else {
    reason = std::string(GenericReason(code));
    for (const auto& [name, value] : response->headers) {
      if (absl::AsciiStrToLower(name) != "retry-after") continue;
      int64_t seconds = 0;
      if (absl::SimpleAtoi(value, &seconds)) retry_after_seconds = seconds;
      break;
    }
  }
  const bool known = KnownReason(reason);
  if (reason == "InternalError" || (!known && code == 500)) return true;  // errors.IsInternalError
  if (reason == "Timeout" || (!known && code == 504)) return true;        // errors.IsTimeout
  if (reason == "TooManyRequests" || code == 429) return true;            // errors.IsTooManyRequests
  // errors.SuggestsClientDelay
  return has_details && (reason == "ServerTimeout" || retry_after_seconds > 0);
}

void DoWithBackoff(std::shared_ptr<client::HttpClient> client, client::Request request, const RetryBackoff& backoff,
                   absl::Duration overall_timeout, base::Executor* executor, client::ResponseCallback done) {
  auto call = std::make_shared<RetryingCall>();
  call->client = std::move(client);
  call->request = std::move(request);
  call->backoff = backoff;
  call->deadline = overall_timeout > absl::ZeroDuration() ? executor->Now() + overall_timeout : absl::InfiniteFuture();
  call->executor = executor;
  call->done = std::move(done);
  Attempt(std::move(call));
}

client::Request ReviewRequest(absl::string_view path, std::string body, absl::Duration timeout) {
  client::Request request;
  request.method = "POST";
  request.path = std::string(path);
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json, */*"}};
  request.body = std::move(body);
  request.timeout = timeout;
  return request;
}

absl::StatusOr<http::JsonValue> DecodeReviewResponse(const absl::StatusOr<client::Response>& response,
                                                     absl::string_view resource) {
  if (!response.ok()) return response.status();
  absl::StatusOr<http::JsonValue> doc = http::ParseJson(response->body);
  if (response->status != 200 && response->status != 201) {
    if (doc.ok() && StringField(&*doc, "kind") == "Status") {
      const std::string message = StringField(&*doc, "message");
      if (!message.empty()) return absl::UnavailableError(message);
    }
    return absl::UnavailableError(absl::StrCat("an error on the server (\"", response->body,
                                               "\") has prevented the request from succeeding (post ", resource, ")"));
  }
  if (!doc.ok())
    return absl::InternalError(absl::StrCat("decoding the ", resource, " answer: ", doc.status().message()));
  if (!doc->is_object()) return absl::InternalError(absl::StrCat("decoding the ", resource, " answer: not an object"));
  return doc;
}

std::string StringField(const http::JsonValue* object, absl::string_view key) {
  if (object == nullptr) return "";
  const http::JsonValue* value = object->Find(key);
  return value != nullptr && value->is_string() ? value->string_value() : "";
}

bool BoolField(const http::JsonValue* object, absl::string_view key) {
  if (object == nullptr) return false;
  const http::JsonValue* value = object->Find(key);
  return value != nullptr && value->is_bool() && value->bool_value();
}

}  // namespace apiserve::auth
