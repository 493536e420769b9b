// The TokenReview authenticator against a fake cluster: the review it sends, what each answer means, the cache
// (per TTL, keyed by hash, bounded), one review for concurrent requests, failures not cached.
#include "auth/token_review.h"

#include <algorithm>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "auth/anonymous.h"
#include "auth/union.h"
#include "base/fake_executor.h"
#include "base/status_matchers.h"
#include "client/fake_http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/testing.h"

namespace apiserve::auth {
namespace {

using client::FakeHttpClient;

using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;
using ::testing::Pair;

constexpr char kAlice[] =
    R"({"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},)"
    R"("spec":{"token":"alice-token"},"status":{"authenticated":true,"user":{"username":"alice","uid":"1001",)"
    R"("groups":["developers","ops"],"extra":{"scopes":["a","b"]}}}})";
constexpr char kNotAuthenticated[] =
    R"({"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","status":{"user":{}}})";
constexpr char kNotAuthenticatedWithError[] =
    R"({"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","status":{"user":{},"error":"token expired"}})";

class TokenReviewTest : public ::testing::Test {
 protected:
  TokenReviewTest() : client_(std::make_shared<FakeHttpClient>(FakeHttpClient::JsonAnswer(201, kAlice))) {}

  std::shared_ptr<const Authenticator> New(TokenReviewOptions options = {}) {
    options.clock = &loop_;
    return NewTokenReviewAuthenticator(client_, options);
  }

  http::RequestPtr Bearer(absl::string_view token) {
    http::RequestPtr request = http::NewRequest("GET", "/apis/x", &loop_);
    request->headers.Add("Authorization", absl::StrCat("Bearer ", token));
    return request;
  }

  // Authenticate runs one request to its end and returns what it got; retries' waits pass on the fake clock (in
  // 100 ms steps, up to a minute).
  absl::StatusOr<UserPtr> Authenticate(const Authenticator& authenticator, const http::RequestPtr& request) {
    std::optional<absl::StatusOr<UserPtr>> got;
    authenticator.AuthenticateAsync(*request, [&](absl::StatusOr<UserPtr> user) { got = std::move(user); });
    loop_.RunUntilIdle();
    for (int i = 0; i < 600 && !got.has_value() && loop_.PendingTimers() > 0; ++i) {
      loop_.AdvanceTime(absl::Milliseconds(100));
    }
    if (!got.has_value()) return absl::InternalError("no answer");
    return *got;
  }

  // Answers returns a responder giving `answers` in turn, then the last one forever.
  static FakeHttpClient::Responder Answers(std::vector<FakeHttpClient::Responder> answers) {
    auto next = std::make_shared<size_t>(0);
    return [answers = std::move(answers), next](const client::Request& request) {
      const size_t i = std::min(*next, answers.size() - 1);
      ++*next;
      return answers[i](request);
    };
  }

  base::FakeExecutor loop_;
  std::shared_ptr<FakeHttpClient> client_;
};

TEST_F(TokenReviewTest, SendsKubesTokenReviewAndReadsTheUser) {
  auto authenticator = New();
  EXPECT_TRUE(authenticator->IsAsync());
  absl::StatusOr<UserPtr> user = Authenticate(*authenticator, Bearer("alice-token"));
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ((*user)->name, "alice");
  EXPECT_EQ((*user)->uid, "1001");
  EXPECT_THAT((*user)->groups, ElementsAre("developers", "ops"));
  EXPECT_THAT((*user)->extra, ElementsAre(Pair("scopes", ElementsAre("a", "b"))));

  ASSERT_EQ(client_->calls(), 1);
  const client::Request sent = client_->requests()[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.path, "/apis/authentication.k8s.io/v1/tokenreviews");
  EXPECT_EQ(sent.body,
            R"({"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},)"
            R"("spec":{"token":"alice-token"},"status":{"user":{}}})");
  EXPECT_THAT(sent.headers, ::testing::Contains(Pair("Content-Type", "application/json")));
  EXPECT_EQ(sent.timeout, absl::Seconds(10));
}

TEST_F(TokenReviewTest, NoBearerTokenIsNotFoundWithoutAskingTheCluster) {
  auto authenticator = New();
  EXPECT_THAT(Authenticate(*authenticator, http::NewRequest("GET", "/", &loop_)),
              StatusIs(absl::StatusCode::kNotFound));
  http::RequestPtr basic = http::NewRequest("GET", "/", &loop_);
  basic->headers.Add("Authorization", "Basic YWxpY2U6cHc=");
  EXPECT_THAT(Authenticate(*authenticator, basic), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(client_->calls(), 0);
}

TEST_F(TokenReviewTest, ReviewedOncePerTtlHoweverManyRequests) {
  auto authenticator = New();
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(Authenticate(*authenticator, Bearer("alice-token")).ok());
  EXPECT_EQ(client_->calls(), 1);
  // The synchronous path answers from the cache too.
  EXPECT_TRUE(authenticator->Authenticate(*Bearer("alice-token")).ok());
  loop_.AdvanceTime(absl::Seconds(9));
  ASSERT_TRUE(Authenticate(*authenticator, Bearer("alice-token")).ok());
  EXPECT_EQ(client_->calls(), 1);
  loop_.AdvanceTime(absl::Seconds(1));  // 10 s: expired
  EXPECT_THAT(authenticator->Authenticate(*Bearer("alice-token")), StatusIs(absl::StatusCode::kUnavailable));
  ASSERT_TRUE(Authenticate(*authenticator, Bearer("alice-token")).ok());
  EXPECT_EQ(client_->calls(), 2);
  // Another token is another review.
  ASSERT_TRUE(Authenticate(*authenticator, Bearer("bob-token")).ok());
  EXPECT_EQ(client_->calls(), 3);
}

TEST_F(TokenReviewTest, ConcurrentRequestsShareOneReview) {
  auto authenticator = New();
  client_->Hold(true);
  std::vector<http::RequestPtr> requests;
  std::vector<std::string> users;
  for (int i = 0; i < 5; ++i) {
    requests.push_back(Bearer("alice-token"));
    authenticator->AuthenticateAsync(*requests.back(), [&](absl::StatusOr<UserPtr> user) {
      users.push_back(user.ok() ? (*user)->name : std::string(user.status().message()));
    });
  }
  loop_.RunUntilIdle();
  EXPECT_EQ(client_->calls(), 1);
  EXPECT_TRUE(users.empty());
  EXPECT_EQ(client_->Release(), 1);
  loop_.RunUntilIdle();
  EXPECT_THAT(users, ElementsAre("alice", "alice", "alice", "alice", "alice"));
}

TEST_F(TokenReviewTest, AWaiterOnAnotherLoopIsAnsweredOnItsOwnLoop) {
  auto authenticator = New();
  client_->Hold(true);
  http::RequestPtr first = Bearer("alice-token");
  std::string first_user;
  authenticator->AuthenticateAsync(*first, [&](absl::StatusOr<UserPtr> user) { first_user = (*user)->name; });
  loop_.RunUntilIdle();
  ASSERT_EQ(client_->calls(), 1);

  std::promise<void> joined;
  std::promise<void> reviewed;
  std::string second_user;
  std::thread::id answered_on;
  std::thread::id other_loop_thread;
  std::thread other([&] {
    base::FakeExecutor other_loop;  // this thread's loop
    other_loop_thread = std::this_thread::get_id();
    http::RequestPtr second = http::NewRequest("GET", "/apis/x", &other_loop);
    second->headers.Add("Authorization", "Bearer alice-token");
    authenticator->AuthenticateAsync(*second, [&](absl::StatusOr<UserPtr> user) {
      second_user = (*user)->name;
      answered_on = std::this_thread::get_id();
    });
    joined.set_value();
    reviewed.get_future().wait();
    other_loop.RunUntilIdle();
  });
  joined.get_future().wait();
  EXPECT_EQ(client_->calls(), 1);  // joined the review in flight
  client_->Release();
  loop_.RunUntilIdle();  // the review completes on the first loop; the other waiter is posted to its own
  EXPECT_EQ(first_user, "alice");
  reviewed.set_value();
  other.join();
  EXPECT_EQ(second_user, "alice");
  EXPECT_EQ(answered_on, other_loop_thread);
}

TEST_F(TokenReviewTest, NotAuthenticatedIsInvalidBearerTokenCachedForTheFailureTtl) {
  client_->SetResponder(FakeHttpClient::JsonAnswer(201, kNotAuthenticated));
  TokenReviewOptions options;
  options.failure_cache_ttl = absl::Seconds(3);
  auto authenticator = New(options);
  EXPECT_THAT(Authenticate(*authenticator, Bearer("nobody")), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(Authenticate(*authenticator, Bearer("nobody")).status().message(), "invalid bearer token");
  EXPECT_EQ(client_->calls(), 1);
  loop_.AdvanceTime(absl::Seconds(3));
  EXPECT_FALSE(Authenticate(*authenticator, Bearer("nobody")).ok());
  EXPECT_EQ(client_->calls(), 2);
}

TEST_F(TokenReviewTest, StatusErrorIsTheMessageAndNotCached) {
  client_->SetResponder(FakeHttpClient::JsonAnswer(201, kNotAuthenticatedWithError));
  auto authenticator = New();
  absl::StatusOr<UserPtr> user = Authenticate(*authenticator, Bearer("old"));
  EXPECT_THAT(user, StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(user.status().message(), "token expired");
  Authenticate(*authenticator, Bearer("old")).IgnoreError();
  EXPECT_EQ(client_->calls(), 2);
}

TEST_F(TokenReviewTest, FailedReviewsAreUnauthenticatedAndNotCached) {
  client_->SetResponder([](const client::Request&) -> absl::StatusOr<client::Response> {
    return absl::DeadlineExceededError("context deadline exceeded");
  });
  auto authenticator = New();
  absl::StatusOr<UserPtr> user = Authenticate(*authenticator, Bearer("alice-token"));
  EXPECT_THAT(user, StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(user.status().message(), "context deadline exceeded");

  EXPECT_EQ(client_->calls(), 1);  // the call's own timeout is not retried (kube's DefaultShouldRetry)

  // A 500 is retried: five attempts, then the last error.
  client_->SetResponder(FakeHttpClient::JsonAnswer(
      500, R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"etcd is down","code":500})"));
  EXPECT_EQ(Authenticate(*authenticator, Bearer("alice-token")).status().message(), "etcd is down");
  EXPECT_EQ(client_->calls(), 6);
  client_->SetResponder(FakeHttpClient::JsonAnswer(503, "upstream connect error"));  // no Retry-After: not retried
  EXPECT_EQ(Authenticate(*authenticator, Bearer("alice-token")).status().message(),
            "an error on the server (\"upstream connect error\") has prevented the request from succeeding (post "
            "tokenreviews.authentication.k8s.io)");
  client_->SetResponder(FakeHttpClient::JsonAnswer(201, "{not json"));
  EXPECT_THAT(Authenticate(*authenticator, Bearer("alice-token")), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(client_->calls(), 8);

  // The cluster is back: the next request is reviewed (nothing of the failures was kept).
  client_->SetResponder(FakeHttpClient::JsonAnswer(201, kAlice));
  EXPECT_TRUE(Authenticate(*authenticator, Bearer("alice-token")).ok());
  EXPECT_EQ(client_->calls(), 9);
}

TokenReviewOptions FastRetries() {
  TokenReviewOptions options;
  options.retry_backoff.initial = absl::Milliseconds(10);
  options.retry_backoff.jitter = 0;  // waits of 10, 15, 22.5 and 33.75 ms
  return options;
}

TEST_F(TokenReviewTest, A500ThenASuccessIsOneRetry) {
  client_->SetResponder(
      Answers({FakeHttpClient::JsonAnswer(500, "etcd leader changed"), FakeHttpClient::JsonAnswer(201, kAlice)}));
  auto authenticator = New(FastRetries());
  std::optional<absl::StatusOr<UserPtr>> got;
  http::RequestPtr request = Bearer("alice-token");
  authenticator->AuthenticateAsync(*request, [&](absl::StatusOr<UserPtr> user) { got = std::move(user); });
  loop_.RunUntilIdle();
  EXPECT_EQ(client_->calls(), 1);
  EXPECT_FALSE(got.has_value());  // waiting 10 ms on the loop's timer, not blocking it
  loop_.AdvanceTime(absl::Milliseconds(9));
  EXPECT_EQ(client_->calls(), 1);
  loop_.AdvanceTime(absl::Milliseconds(1));
  EXPECT_EQ(client_->calls(), 2);
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->ok()) << got->status();
  EXPECT_EQ((**got)->name, "alice");
  // The success is cached as usual.
  ASSERT_TRUE(Authenticate(*authenticator, Bearer("alice-token")).ok());
  EXPECT_EQ(client_->calls(), 2);
}

TEST_F(TokenReviewTest, FiveRetriableFailuresGiveTheLastErrorAfterKubesWaits) {
  client_->SetResponder(FakeHttpClient::JsonAnswer(429, "slow down"));
  auto authenticator = New(FastRetries());
  std::optional<absl::StatusOr<UserPtr>> got;
  http::RequestPtr request = Bearer("alice-token");
  authenticator->AuthenticateAsync(*request, [&](absl::StatusOr<UserPtr> user) { got = std::move(user); });
  loop_.RunUntilIdle();
  const absl::Time start = loop_.Now();
  std::vector<absl::Duration> attempts_at = {absl::ZeroDuration()};
  while (!got.has_value() && loop_.PendingTimers() > 0) {
    const int before = client_->calls();
    loop_.AdvanceTime(absl::Microseconds(250));
    if (client_->calls() > before) attempts_at.push_back(loop_.Now() - start);
  }
  EXPECT_EQ(client_->calls(), 5);
  EXPECT_THAT(attempts_at, ElementsAre(absl::ZeroDuration(), absl::Milliseconds(10), absl::Milliseconds(25),
                                       absl::Microseconds(47500), absl::Microseconds(81250)));
  ASSERT_TRUE(got.has_value());
  EXPECT_THAT(*got, StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(got->status().message(),
            "an error on the server (\"slow down\") has prevented the request from succeeding (post "
            "tokenreviews.authentication.k8s.io)");
  EXPECT_EQ(loop_.PendingTimers(), 0);
}

TEST_F(TokenReviewTest, ClientErrorsAreNotRetried) {
  auto authenticator = New(FastRetries());
  int calls = 0;
  for (int status : {400, 401, 403, 404, 422, 503}) {
    client_->SetResponder(FakeHttpClient::JsonAnswer(status, "no"));
    EXPECT_THAT(Authenticate(*authenticator, Bearer("alice-token")), StatusIs(absl::StatusCode::kUnauthenticated))
        << status;
    EXPECT_EQ(client_->calls(), ++calls) << status;
  }
  // kube's Status body decides by its reason: Forbidden is not retried even with a 500.
  client_->SetResponder(FakeHttpClient::JsonAnswer(
      500, R"({"kind":"Status","status":"Failure","message":"no","reason":"Forbidden","code":500})"));
  EXPECT_EQ(Authenticate(*authenticator, Bearer("alice-token")).status().message(), "no");
  EXPECT_EQ(client_->calls(), ++calls);
  // A refused connection is not retried; a reset one is.
  client_->SetResponder([](const client::Request&) -> absl::StatusOr<client::Response> {
    return absl::UnavailableError("dial tcp 10.0.0.1:443: connect: connection refused");
  });
  EXPECT_EQ(Authenticate(*authenticator, Bearer("alice-token")).status().message(),
            "dial tcp 10.0.0.1:443: connect: connection refused");
  EXPECT_EQ(client_->calls(), ++calls);
  client_->SetResponder(Answers({[](const client::Request&) -> absl::StatusOr<client::Response> {
                                   return client::MarkConnectionReset(
                                       absl::UnavailableError("read tcp 10.0.0.1:443: connection reset by peer"));
                                 },
                                 FakeHttpClient::JsonAnswer(201, kAlice)}));
  EXPECT_TRUE(Authenticate(*authenticator, Bearer("alice-token")).ok());
  EXPECT_EQ(client_->calls(), calls + 2);
}

TEST_F(TokenReviewTest, WaitersJoinTheOneReviewWhileItRetries) {
  client_->SetResponder(Answers({FakeHttpClient::JsonAnswer(500, "a"), FakeHttpClient::JsonAnswer(504, "b"),
                                 FakeHttpClient::JsonAnswer(201, kAlice)}));
  auto authenticator = New(FastRetries());
  std::vector<http::RequestPtr> requests;
  std::vector<std::string> users;
  auto ask = [&] {
    requests.push_back(Bearer("alice-token"));
    authenticator->AuthenticateAsync(*requests.back(), [&](absl::StatusOr<UserPtr> user) {
      users.push_back(user.ok() ? (*user)->name : std::string(user.status().message()));
    });
    loop_.RunUntilIdle();
  };
  ask();
  EXPECT_EQ(client_->calls(), 1);
  ask();  // joins during the first wait
  loop_.AdvanceTime(absl::Milliseconds(10));
  EXPECT_EQ(client_->calls(), 2);
  ask();  // joins during the second wait
  EXPECT_TRUE(users.empty());
  loop_.AdvanceTime(absl::Milliseconds(15));
  EXPECT_EQ(client_->calls(), 3);
  EXPECT_THAT(users, ElementsAre("alice", "alice", "alice"));
}

TEST_F(TokenReviewTest, TheTimeoutBoundsTheWholeReview) {
  client_->SetResponder(FakeHttpClient::JsonAnswer(500, "etcd is down"));
  TokenReviewOptions options = FastRetries();
  options.timeout = absl::Milliseconds(30);  // attempts at 0, 10 and 25 ms; the next would start at 47.5
  auto authenticator = New(options);
  std::optional<absl::StatusOr<UserPtr>> got;
  http::RequestPtr request = Bearer("alice-token");
  authenticator->AuthenticateAsync(*request, [&](absl::StatusOr<UserPtr> user) { got = std::move(user); });
  loop_.RunUntilIdle();
  loop_.AdvanceTime(absl::Milliseconds(25));
  ASSERT_TRUE(got.has_value());
  EXPECT_THAT(*got, StatusIs(absl::StatusCode::kUnauthenticated, "webhook call failed: context deadline exceeded"));
  ASSERT_EQ(client_->calls(), 3);
  // Each attempt gets what is left of the review's time.
  const std::vector<client::Request> sent = client_->requests();
  EXPECT_EQ(sent[0].timeout, absl::Milliseconds(30));
  EXPECT_EQ(sent[1].timeout, absl::Milliseconds(20));
  EXPECT_EQ(sent[2].timeout, absl::Milliseconds(5));
}

TEST_F(TokenReviewTest, CacheIsBounded) {
  TokenReviewOptions options;
  options.max_cache_entries = 2;
  auto authenticator = New(options);
  for (const char* token : {"a", "b", "c"}) ASSERT_TRUE(Authenticate(*authenticator, Bearer(token)).ok());
  EXPECT_EQ(client_->calls(), 3);
  ASSERT_TRUE(Authenticate(*authenticator, Bearer("c")).ok());  // kept
  ASSERT_TRUE(Authenticate(*authenticator, Bearer("b")).ok());  // kept
  EXPECT_EQ(client_->calls(), 3);
  ASSERT_TRUE(Authenticate(*authenticator, Bearer("a")).ok());  // the least recently used went
  EXPECT_EQ(client_->calls(), 4);
}

TEST_F(TokenReviewTest, AfterOtherAuthenticatorsAndBeforeAnonymous) {
  // kube's delegating order: union(..., token webhook), authenticated group added, anonymous only without
  // credentials.
  auto authenticator = WithAnonymous(WithAuthenticatedGroup(Union({New()})));
  EXPECT_TRUE(authenticator->IsAsync());
  absl::StatusOr<UserPtr> user = Authenticate(*authenticator, Bearer("alice-token"));
  ASSERT_TRUE(user.ok());
  EXPECT_THAT((*user)->groups, ElementsAre("developers", "ops", "system:authenticated"));
  absl::StatusOr<UserPtr> anonymous = Authenticate(*authenticator, http::NewRequest("GET", "/", &loop_));
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ((*anonymous)->name, "system:anonymous");
  client_->SetResponder(FakeHttpClient::JsonAnswer(201, kNotAuthenticated));
  EXPECT_THAT(Authenticate(*authenticator, Bearer("bad")), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(client_->calls(), 2);
}

TEST_F(TokenReviewTest, OutlivesTheAuthenticatorWhileAReviewIsInFlight) {
  client_->Hold(true);
  std::optional<absl::StatusOr<UserPtr>> got;
  http::RequestPtr request = Bearer("alice-token");
  {
    auto authenticator = New();
    authenticator->AuthenticateAsync(*request, [&](absl::StatusOr<UserPtr> user) { got = std::move(user); });
  }
  client_->Release();
  loop_.RunUntilIdle();
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->ok());
}

}  // namespace
}  // namespace apiserve::auth
