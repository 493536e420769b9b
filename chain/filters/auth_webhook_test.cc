// The authentication and authorization filters with the webhooks behind them (a fake cluster): 401 when the
// TokenReview fails, kube's 403 with the SubjectAccessReview's reason, 500 when the review fails, always-allow paths
// and groups that never ask, and the asynchronous path: a slow webhook holds only its own request, and a request
// whose client went away while it waited is dropped; identity headers named by request-header settings that changed
// after start never reach the handler.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "auth/anonymous.h"
#include "auth/authorizers.h"
#include "auth/request_header.h"
#include "auth/subject_access_review.h"
#include "auth/token_review.h"
#include "auth/union.h"
#include "base/fake_executor.h"
#include "chain/filters/auth.h"
#include "chain/filters/context_filters.h"
#include "client/fake_http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/response.h"
#include "http/testing.h"

namespace apiserve::chain {
namespace {

using client::FakeHttpClient;
using ::testing::HasSubstr;

constexpr char kAliceReview[] =
    R"({"kind":"TokenReview","status":{"authenticated":true,"user":{"username":"alice","groups":["dev"]}}})";
constexpr char kAllowed[] = R"({"kind":"SubjectAccessReview","status":{"allowed":true}})";

// A cluster answering TokenReviews and SubjectAccessReviews by path.
class FakeCluster {
 public:
  FakeCluster()
      : client(std::make_shared<FakeHttpClient>([this](const client::Request& request) {
          client::Response response;
          response.status = 201;
          response.body = request.path == auth::kTokenReviewPath ? token_review : access_review;
          return absl::StatusOr<client::Response>(response);
        })) {}
  std::string token_review = kAliceReview;
  std::string access_review = kAllowed;
  std::shared_ptr<FakeHttpClient> client;
};

class AuthWebhookTest : public ::testing::Test {
 protected:
  // The chain's order: request info → authentication → authorization → the handler, with kube's delegating
  // authenticator and authorizer.
  http::HandlerPtr Chain(http::HandlerPtr handler,
                         std::shared_ptr<const auth::RequestHeaderConfigProvider> request_header = nullptr) {
    auth::TokenReviewOptions token_options;
    token_options.clock = &loop_;
    auto authenticator = auth::WithAnonymous(
        auth::WithAuthenticatedGroup(auth::Union({auth::NewTokenReviewAuthenticator(cluster_.client, token_options)})));
    auth::SubjectAccessReviewOptions sar_options;
    sar_options.clock = &loop_;
    auto authorizer = auth::UnionAuthorizer({auth::PrivilegedGroupsAuthorizer({"system:masters"}),
                                             *auth::AlwaysAllowPathsAuthorizer({"/healthz", "/readyz", "/livez"}),
                                             auth::NewSubjectAccessReviewAuthorizer(cluster_.client, sar_options)});
    return WithRequestInfo(
        WithAuthentication(WithAuthorization(std::move(handler), authorizer), authenticator, true, request_header));
  }

  http::RequestPtr Get(absl::string_view target, absl::string_view token = "") {
    http::RequestPtr request = http::NewRequest("GET", target, &loop_);
    if (!token.empty()) request->headers.Add("Authorization", absl::StrCat("Bearer ", token));
    return request;
  }

  // Who the handler saw.
  http::HandlerPtr WhoAmI() {
    return http::HandlerFunc([](http::RequestPtr request, http::ResponseWriter writer) {
      const auth::UserInfo* user = request->Context<const auth::UserInfo>();
      writer.Send(http::TextResponse(200, user != nullptr ? user->name : "?")).IgnoreError();
    });
  }

  base::FakeExecutor loop_;
  FakeCluster cluster_;
};

TEST_F(AuthWebhookTest, ReviewedTokenAndAllowedAccessReachTheHandler) {
  auto chain = Chain(WhoAmI());
  http::RecordedResponse r = http::ServeForTest(*chain, Get("/apis/x/v1/things", "t"), &loop_);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "alice");
  EXPECT_EQ(cluster_.client->calls(), 2);  // one TokenReview, one SubjectAccessReview
  // Cached: 100 more requests ask nothing.
  for (int i = 0; i < 100; ++i)
    ASSERT_EQ(http::ServeForTest(*chain, Get("/apis/x/v1/things", "t"), &loop_).status, 200);
  EXPECT_EQ(cluster_.client->calls(), 2);
}

TEST_F(AuthWebhookTest, FailedTokenReviewIs401) {
  cluster_.client->SetResponder([](const client::Request&) -> absl::StatusOr<client::Response> {
    return absl::DeadlineExceededError("context deadline exceeded");
  });
  auto chain = Chain(WhoAmI());
  http::RecordedResponse r = http::ServeForTest(*chain, Get("/apis/x/v1/things", "t"), &loop_);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized",)"
                    R"("reason":"Unauthorized","code":401})"
                    "\n");
}

TEST_F(AuthWebhookTest, DenialReasonIsInKubes403) {
  cluster_.access_review = R"({"status":{"allowed":false,"denied":true,"reason":"namespace is locked"}})";
  auto chain = Chain(WhoAmI());
  http::RecordedResponse r = http::ServeForTest(*chain, Get("/api/v1/namespaces/prod/pods/web", "t"), &loop_);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body,
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"web\" is )"
            R"(forbidden: User \"alice\" cannot get resource \"pods\" in API group \"\" in the namespace \"prod\": )"
            R"(namespace is locked","reason":"Forbidden","details":{"name":"web","kind":"pods"},"code":403})"
            "\n");
  // No opinion is a 403 too, with the webhook's reason.
  cluster_.access_review = R"({"status":{"allowed":false,"reason":"no RBAC policy matched"}})";
  r = http::ServeForTest(*chain, Get("/metrics", "t"), &loop_);
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr(R"(User \"alice\" cannot get path \"/metrics\": no RBAC policy matched)"));
}

TEST_F(AuthWebhookTest, FailedAccessReviewIs500) {
  auto chain = Chain(WhoAmI());
  cluster_.client->SetResponder([](const client::Request& request) -> absl::StatusOr<client::Response> {
    if (request.path == auth::kTokenReviewPath) return FakeHttpClient::JsonAnswer(201, kAliceReview)(request);
    return absl::UnavailableError("connection refused");
  });
  http::RecordedResponse r = http::ServeForTest(*chain, Get("/apis/x/v1/things?limit=1", "t"), &loop_);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.headers.Get("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.body, "Internal Server Error: \"/apis/x/v1/things?limit=1\": connection refused\n");
}

TEST_F(AuthWebhookTest, AlwaysAllowPathsAndGroupsNeverAskTheCluster) {
  auto chain = Chain(WhoAmI());
  for (const char* path : {"/healthz", "/readyz", "/livez"}) {
    http::RecordedResponse r = http::ServeForTest(*chain, Get(path), &loop_);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, "system:anonymous");
  }
  EXPECT_EQ(cluster_.client->calls(), 0);
  cluster_.token_review =
      R"({"status":{"authenticated":true,"user":{"username":"admin","groups":["system:masters"]}}})";
  EXPECT_EQ(http::ServeForTest(*chain, Get("/apis/x/v1/things", "admin"), &loop_).status, 200);
  EXPECT_EQ(cluster_.client->calls(), 1);  // the TokenReview only
}

TEST_F(AuthWebhookTest, SlowWebhookHoldsOnlyItsRequest) {
  auto chain = Chain(WhoAmI());
  cluster_.client->Hold(true);
  auto slow_sink = std::make_shared<http::RecordingSink>();
  auto slow = http::NewExchange(&loop_, slow_sink.get());
  slow_sink->Attach(slow);
  chain->Serve(Get("/apis/x/v1/things", "t"), http::ResponseWriter(slow));
  loop_.RunUntilIdle();
  EXPECT_EQ(slow_sink->recorded.status, 0);  // waiting for its TokenReview

  // Another request on the same loop is served meanwhile.
  http::RecordedResponse healthz = http::ServeForTest(*chain, Get("/healthz"), &loop_);
  EXPECT_EQ(healthz.status, 200);
  EXPECT_EQ(slow_sink->recorded.status, 0);

  cluster_.client->Hold(false);
  EXPECT_EQ(cluster_.client->Release(), 1);  // the TokenReview; the SubjectAccessReview is answered at once
  loop_.RunUntilIdle();
  EXPECT_EQ(slow_sink->recorded.status, 200);
  EXPECT_EQ(slow_sink->recorded.body, "alice");
}

TEST_F(AuthWebhookTest, ClientGoneWhileWaitingIsDropped) {
  bool handler_ran = false;
  auto chain = Chain(http::HandlerFunc([&](http::RequestPtr, http::ResponseWriter writer) {
    handler_ran = true;
    writer.Send(http::TextResponse(200, "ok")).IgnoreError();
  }));
  cluster_.client->Hold(true);
  // First waiting on its TokenReview, then (the token is cached by then) on its SubjectAccessReview.
  for (const char* path : {"/apis/x/v1/things", "/apis/x/v1/others"}) {
    auto sink = std::make_shared<http::RecordingSink>();
    auto exchange = http::NewExchange(&loop_, sink.get());
    sink->Attach(exchange);
    chain->Serve(Get(path, "t"), http::ResponseWriter(exchange));
    loop_.RunUntilIdle();
    exchange->OnClientGone();
    EXPECT_EQ(cluster_.client->Release(), 1) << path;
    loop_.RunUntilIdle();
  }
  EXPECT_THAT(cluster_.client->requests(),
              ::testing::ElementsAre(::testing::Field(&client::Request::path, auth::kTokenReviewPath),
                                     ::testing::Field(&client::Request::path, auth::kSubjectAccessReviewPath)));
  EXPECT_FALSE(handler_ran);
}

// Request-header settings that change at run time, as the ConfigMap's (authconfig::DynamicRequestHeaderAuthenticator).
class ChangingRequestHeaderConfig : public auth::RequestHeaderConfigProvider {
 public:
  std::shared_ptr<const auth::RequestHeaderConfig> Current() const override { return current; }
  std::shared_ptr<const auth::RequestHeaderConfig> current;
};

TEST_F(AuthWebhookTest, IdentityHeadersNamedAfterStartNeverReachTheHandler) {
  auto seen = std::make_shared<std::vector<std::string>>();
  http::HandlerPtr record = http::HandlerFunc([seen](http::RequestPtr request, http::ResponseWriter writer) {
    const auth::UserInfo* user = request->Context<const auth::UserInfo>();
    seen->push_back(user != nullptr ? user->name : "?");
    for (const http::HeaderField& field : request->headers) seen->push_back(field.name);
    writer.Send(http::TextResponse(200, "ok")).IgnoreError();
  });
  auto settings = std::make_shared<ChangingRequestHeaderConfig>();  // off at start
  auto chain = Chain(record, settings);
  auto request = [&] {
    http::RequestPtr r = Get("/apis/x/v1/things", "t");
    for (const char* name : {"X-Custom-User", "x-custom-group", "X-Custom-Extra-Scopes", "X-Remote-User", "Accept"}) {
      r->headers.Add(name, "mallory");
    }
    return r;
  };
  // Before the settings name them, the custom headers are ordinary headers (the standard set always goes).
  ASSERT_EQ(http::ServeForTest(*chain, request(), &loop_).status, 200);
  EXPECT_THAT(*seen,
              ::testing::ElementsAre("alice", "X-Custom-User", "x-custom-group", "X-Custom-Extra-Scopes", "Accept"));
  // The ConfigMap names them now: the same filter strips them from the next request authenticated by the token.
  auto custom = std::make_shared<auth::RequestHeaderConfig>();
  custom->client_ca_file = "client-ca::kube-system::extension-apiserver-authentication::requestheader-client-ca-file";
  custom->username_headers = {"X-Custom-User"};
  custom->group_headers = {"X-Custom-Group"};
  custom->extra_headers_prefix = {"X-Custom-Extra-"};
  settings->current = custom;
  seen->clear();
  ASSERT_EQ(http::ServeForTest(*chain, request(), &loop_).status, 200);
  EXPECT_THAT(*seen, ::testing::ElementsAre("alice", "Accept"));
  // The synchronous path (no webhook) reads the same settings.
  seen->clear();
  auto sync = WithAuthentication(record, auth::AnonymousAuthenticator(), false, settings);
  ASSERT_EQ(http::ServeForTest(*sync, request(), &loop_).status, 200);
  EXPECT_THAT(*seen, ::testing::ElementsAre("system:anonymous", "Accept"));
}

}  // namespace
}  // namespace apiserve::chain
