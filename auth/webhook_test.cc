// kube's retry rules for the webhooks: which outcomes DefaultShouldRetry retries, and the backoff's waits.
#include "auth/webhook.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace apiserve::auth {
namespace {

absl::StatusOr<client::Response> Answer(int status, std::string body,
                                        std::vector<std::pair<std::string, std::string>> headers = {}) {
  client::Response response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return response;
}

TEST(ShouldRetryReviewTest, UnstructuredAnswersByCode) {
  for (int status : {429, 500, 501, 502, 504, 599}) EXPECT_TRUE(ShouldRetryReview(Answer(status, "x"))) << status;
  for (int status : {200, 201, 204, 301, 400, 401, 403, 404, 409, 422, 503}) {
    EXPECT_FALSE(ShouldRetryReview(Answer(status, "x"))) << status;
  }
}

TEST(ShouldRetryReviewTest, RetryAfterAsksForARetry) {
  EXPECT_TRUE(ShouldRetryReview(Answer(503, "x", {{"retry-after", "1"}})));
  EXPECT_FALSE(ShouldRetryReview(Answer(503, "x", {{"retry-after", "0"}})));
  EXPECT_FALSE(ShouldRetryReview(Answer(503, "x", {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}})));
}

TEST(ShouldRetryReviewTest, StatusBodiesDecideByReason) {
  auto status = [](int code, absl::string_view rest) {
    return Answer(code,
                  absl::StrCat(R"({"kind":"Status","apiVersion":"v1","status":"Failure","code":)", code, rest, "}"));
  };
  EXPECT_TRUE(ShouldRetryReview(status(500, "")));  // no reason: the code decides
  EXPECT_TRUE(ShouldRetryReview(status(500, R"(,"reason":"InternalError")")));
  EXPECT_FALSE(ShouldRetryReview(status(500, R"(,"reason":"Forbidden")")));
  EXPECT_TRUE(ShouldRetryReview(status(504, R"(,"reason":"Timeout")")));
  EXPECT_TRUE(ShouldRetryReview(status(500, R"(,"reason":"ServerTimeout","details":{})")));
  EXPECT_FALSE(ShouldRetryReview(status(503, R"(,"reason":"ServiceUnavailable")")));
  EXPECT_TRUE(ShouldRetryReview(status(503, R"(,"reason":"ServiceUnavailable","details":{"retryAfterSeconds":2})")));
  EXPECT_TRUE(ShouldRetryReview(status(429, R"(,"reason":"Unknown")")));
  EXPECT_FALSE(ShouldRetryReview(status(403, R"(,"reason":"Forbidden")")));
}

TEST(ShouldRetryReviewTest, TransportFailuresOnlyWhenReset) {
  EXPECT_TRUE(ShouldRetryReview(client::MarkConnectionReset(absl::UnavailableError("read: connection reset"))));
  EXPECT_FALSE(ShouldRetryReview(absl::UnavailableError("dial tcp 1.2.3.4:443: connect: connection refused")));
  EXPECT_FALSE(ShouldRetryReview(absl::DeadlineExceededError("timed out after 10s")));
  EXPECT_FALSE(ShouldRetryReview(absl::UnavailableError("TLS handshake with 1.2.3.4:443 failed: x")));
}

TEST(BackoffDelayTest, KubesDefaultAuthWebhookRetryBackoff) {
  const RetryBackoff backoff;
  EXPECT_EQ(backoff.steps, 5);
  EXPECT_EQ(BackoffDelay(backoff, 0, 0), absl::Milliseconds(500));
  EXPECT_EQ(BackoffDelay(backoff, 1, 0), absl::Milliseconds(750));
  EXPECT_EQ(BackoffDelay(backoff, 2, 0), absl::Milliseconds(1125));
  EXPECT_EQ(BackoffDelay(backoff, 3, 0), absl::Microseconds(1687500));
  EXPECT_EQ(BackoffDelay(backoff, 0, 0.5), absl::Milliseconds(550));  // jitter 0.2 of the step
  EXPECT_LT(BackoffDelay(backoff, 0, 0.999999), absl::Milliseconds(600));
}

}  // namespace
}  // namespace apiserve::auth
