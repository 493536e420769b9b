// The SubjectAccessReview authorizer against a fake cluster: the review it sends (resource and non-resource
// attributes, exact JSON), allow / deny / no opinion with the reason, both caches' TTLs, errors not cached, and the
// delegating union in front of it (always-allow paths and groups never ask the cluster).
#include "auth/subject_access_review.h"

#include <memory>
#include <optional>
#include <string>

#include "auth/authorizers.h"
#include "base/fake_executor.h"
#include "base/status_matchers.h"
#include "client/fake_http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::auth {
namespace {

using client::FakeHttpClient;

using ::apiserve::base::StatusIs;

constexpr char kAllowed[] = R"({"kind":"SubjectAccessReview","status":{"allowed":true,"reason":"RBAC: allowed"}})";
constexpr char kDenied[] =
    R"({"kind":"SubjectAccessReview","status":{"allowed":false,"denied":true,"reason":"no way"}})";
constexpr char kNoOpinion[] = R"({"kind":"SubjectAccessReview","status":{"allowed":false,"reason":"no RBAC rule"}})";

class SubjectAccessReviewTest : public ::testing::Test {
 protected:
  SubjectAccessReviewTest() : client_(std::make_shared<FakeHttpClient>(FakeHttpClient::JsonAnswer(201, kAllowed))) {
    alice_.name = "alice";
    alice_.uid = "1001";
    alice_.groups = {"developers", "system:authenticated"};
    alice_.extra = {{"scopes", {"b", "a"}}, {"acme.com/project", {"x"}}};
  }

  std::shared_ptr<const Authorizer> New(SubjectAccessReviewOptions options = {}) {
    options.clock = &loop_;
    return NewSubjectAccessReviewAuthorizer(client_, options);
  }

  Attributes GetPod() const {
    Attributes a;
    a.user = &alice_;
    a.verb = "get";
    a.namespace_name = "default";
    a.api_group = "";
    a.api_version = "v1";
    a.resource = "pods";
    a.subresource = "log";
    a.name = "web-0";
    a.path = "/api/v1/namespaces/default/pods/web-0/log";
    a.resource_request = true;
    return a;
  }

  Attributes GetPath(absl::string_view path) const {
    Attributes a;
    a.user = &alice_;
    a.verb = "get";
    a.path = path;
    return a;
  }

  AuthorizationResult Authorize(const Authorizer& authorizer, const Attributes& attributes) {
    std::optional<AuthorizationResult> got;
    authorizer.AuthorizeAsync(attributes, &loop_, [&](AuthorizationResult r) { got = std::move(r); });
    loop_.RunUntilIdle();
    if (!got.has_value()) {
      AuthorizationResult none;
      none.error = absl::InternalError("no answer");
      return none;
    }
    return *got;
  }

  base::FakeExecutor loop_;
  std::shared_ptr<FakeHttpClient> client_;
  UserInfo alice_;
};

TEST_F(SubjectAccessReviewTest, ResourceAttributesExactJson) {
  auto authorizer = New();
  EXPECT_TRUE(authorizer->IsAsync());
  EXPECT_EQ(Authorize(*authorizer, GetPod()).decision, Decision::kAllow);
  ASSERT_EQ(client_->calls(), 1);
  const client::Request sent = client_->requests()[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.path, "/apis/authorization.k8s.io/v1/subjectaccessreviews");
  EXPECT_EQ(sent.timeout, absl::Seconds(10));
  EXPECT_EQ(sent.body,
            R"({"kind":"SubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":)"
            R"(null},"spec":{"resourceAttributes":{"namespace":"default","verb":"get","version":"v1","resource":)"
            R"("pods","subresource":"log","name":"web-0"},"user":"alice","groups":["developers",)"
            R"("system:authenticated"],"extra":{"acme.com/project":["x"],"scopes":["b","a"]},"uid":"1001"},)"
            R"("status":{"allowed":false}})");
}

TEST_F(SubjectAccessReviewTest, NonResourceAttributesExactJson) {
  auto authorizer = New();
  UserInfo anonymous{"system:anonymous", "", {"system:unauthenticated"}};
  Attributes a = GetPath("/metrics");
  a.user = &anonymous;
  Authorize(*authorizer, a);
  ASSERT_EQ(client_->calls(), 1);
  EXPECT_EQ(client_->requests()[0].body,
            R"({"kind":"SubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":)"
            R"(null},"spec":{"nonResourceAttributes":{"path":"/metrics","verb":"get"},"user":"system:anonymous",)"
            R"("groups":["system:unauthenticated"]},"status":{"allowed":false}})");
}

TEST_F(SubjectAccessReviewTest, AllowIsCachedForTheAuthorizedTtl) {
  SubjectAccessReviewOptions options;
  options.authorized_ttl = absl::Seconds(10);
  options.unauthorized_ttl = absl::Seconds(2);
  auto authorizer = New(options);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(Authorize(*authorizer, GetPod()).decision, Decision::kAllow);
  EXPECT_EQ(client_->calls(), 1);
  std::string reason;
  EXPECT_EQ(authorizer->Authorize(GetPod(), &reason), Decision::kAllow);  // the synchronous path: cached
  loop_.AdvanceTime(absl::Seconds(9));
  Authorize(*authorizer, GetPod());
  EXPECT_EQ(client_->calls(), 1);
  loop_.AdvanceTime(absl::Seconds(1));
  EXPECT_EQ(authorizer->Authorize(GetPod(), &reason), Decision::kNoOpinion);  // expired; not asked synchronously
  Authorize(*authorizer, GetPod());
  EXPECT_EQ(client_->calls(), 2);
  // Other attributes, another review.
  Authorize(*authorizer, GetPath("/metrics"));
  EXPECT_EQ(client_->calls(), 3);
}

TEST_F(SubjectAccessReviewTest, DenyWithReasonIsCachedForTheUnauthorizedTtl) {
  client_->SetResponder(FakeHttpClient::JsonAnswer(201, kDenied));
  SubjectAccessReviewOptions options;
  options.authorized_ttl = absl::Seconds(10);
  options.unauthorized_ttl = absl::Seconds(2);
  auto authorizer = New(options);
  AuthorizationResult r = Authorize(*authorizer, GetPod());
  EXPECT_EQ(r.decision, Decision::kDeny);
  EXPECT_EQ(r.reason, "no way");
  EXPECT_TRUE(r.error.ok());
  Authorize(*authorizer, GetPod());
  EXPECT_EQ(client_->calls(), 1);
  loop_.AdvanceTime(absl::Seconds(2));
  Authorize(*authorizer, GetPod());
  EXPECT_EQ(client_->calls(), 2);
}

TEST_F(SubjectAccessReviewTest, NeitherIsNoOpinionWithTheReasonCachedAsUnauthorized) {
  client_->SetResponder(FakeHttpClient::JsonAnswer(201, kNoOpinion));
  auto authorizer = New();
  AuthorizationResult r = Authorize(*authorizer, GetPod());
  EXPECT_EQ(r.decision, Decision::kNoOpinion);
  EXPECT_EQ(r.reason, "no RBAC rule");
  EXPECT_TRUE(r.error.ok());
  Authorize(*authorizer, GetPod());
  EXPECT_EQ(client_->calls(), 1);
}

TEST_F(SubjectAccessReviewTest, BothAllowedAndDeniedIsDenyWithAnError) {
  client_->SetResponder(
      FakeHttpClient::JsonAnswer(201, R"({"status":{"allowed":true,"denied":true,"reason":"confused"}})"));
  AuthorizationResult r = Authorize(*New(), GetPod());
  EXPECT_EQ(r.decision, Decision::kDeny);
  EXPECT_EQ(r.reason, "confused");
  EXPECT_EQ(r.error.message(), "webhook subject access review returned both allow and deny response");
}

TEST_F(SubjectAccessReviewTest, FailedReviewIsNoOpinionWithTheErrorNotCached) {
  client_->SetResponder([](const client::Request&) -> absl::StatusOr<client::Response> {
    return absl::UnavailableError("dial tcp 10.0.0.1:443: connect: connection refused");
  });
  auto authorizer = New();
  AuthorizationResult r = Authorize(*authorizer, GetPod());
  EXPECT_EQ(r.decision, Decision::kNoOpinion);
  EXPECT_THAT(r.error, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(r.error.message(), "dial tcp 10.0.0.1:443: connect: connection refused");
  client_->SetResponder(FakeHttpClient::JsonAnswer(201, kAllowed));
  EXPECT_EQ(Authorize(*authorizer, GetPod()).decision, Decision::kAllow);
  EXPECT_EQ(client_->calls(), 2);
}

SubjectAccessReviewOptions FastRetries() {
  SubjectAccessReviewOptions options;
  options.retry_backoff.initial = absl::Milliseconds(10);
  options.retry_backoff.jitter = 0;
  return options;
}

TEST_F(SubjectAccessReviewTest, A500ThenAnAnswerIsOneRetry) {
  auto calls = std::make_shared<int>(0);
  client_->SetResponder([calls](const client::Request& request) {
    const bool first = ++*calls == 1;
    return FakeHttpClient::JsonAnswer(first ? 500 : 201, first ? "oops" : kAllowed)(request);
  });
  auto authorizer = New(FastRetries());
  std::optional<AuthorizationResult> got;
  authorizer->AuthorizeAsync(GetPod(), &loop_, [&](AuthorizationResult r) { got = std::move(r); });
  loop_.RunUntilIdle();
  EXPECT_FALSE(got.has_value());
  EXPECT_EQ(client_->calls(), 1);
  loop_.AdvanceTime(absl::Milliseconds(10));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->decision, Decision::kAllow);
  EXPECT_TRUE(got->error.ok());
  EXPECT_EQ(client_->calls(), 2);
  EXPECT_EQ(client_->requests()[1].body, client_->requests()[0].body);
  EXPECT_EQ(client_->requests()[1].timeout, absl::Seconds(10));  // ClientTimeout per attempt
}

TEST_F(SubjectAccessReviewTest, FiveFailuresAreNoOpinionWithTheLastError) {
  client_->SetResponder(FakeHttpClient::JsonAnswer(
      500, R"({"kind":"Status","status":"Failure","message":"etcd is down","reason":"InternalError","code":500})"));
  auto authorizer = New(FastRetries());
  std::optional<AuthorizationResult> got;
  authorizer->AuthorizeAsync(GetPod(), &loop_, [&](AuthorizationResult r) { got = std::move(r); });
  loop_.RunUntilIdle();
  loop_.AdvanceTime(absl::Milliseconds(81));
  EXPECT_FALSE(got.has_value());
  EXPECT_EQ(client_->calls(), 4);
  loop_.AdvanceTime(absl::Milliseconds(1));  // 81.25 ms: the fifth and last attempt
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(client_->calls(), 5);
  EXPECT_EQ(got->decision, Decision::kNoOpinion);  // the filter answers 500
  EXPECT_THAT(got->error, StatusIs(absl::StatusCode::kUnavailable, "etcd is down"));
}

TEST_F(SubjectAccessReviewTest, ForbiddenAndBadRequestAreNotRetried) {
  auto authorizer = New(FastRetries());
  client_->SetResponder(FakeHttpClient::JsonAnswer(
      403, R"({"kind":"Status","status":"Failure","message":"cannot create subjectaccessreviews",)"
           R"("reason":"Forbidden","code":403})"));
  AuthorizationResult r = Authorize(*authorizer, GetPod());
  EXPECT_THAT(r.error, StatusIs(absl::StatusCode::kUnavailable, "cannot create subjectaccessreviews"));
  EXPECT_EQ(client_->calls(), 1);
  client_->SetResponder(FakeHttpClient::JsonAnswer(400, "bad"));
  r = Authorize(*authorizer, GetPod());
  EXPECT_EQ(r.decision, Decision::kNoOpinion);
  EXPECT_FALSE(r.error.ok());
  EXPECT_EQ(client_->calls(), 2);
  EXPECT_EQ(loop_.PendingTimers(), 0);
}

TEST_F(SubjectAccessReviewTest, OverallTimeoutBoundsTheRetries) {
  client_->SetResponder(FakeHttpClient::JsonAnswer(504, "gateway timeout"));
  SubjectAccessReviewOptions options = FastRetries();
  options.overall_timeout = absl::Milliseconds(20);  // attempts at 0 and 10 ms; the next wait ends at 25
  auto authorizer = New(options);
  std::optional<AuthorizationResult> got;
  authorizer->AuthorizeAsync(GetPod(), &loop_, [&](AuthorizationResult r) { got = std::move(r); });
  loop_.RunUntilIdle();
  loop_.AdvanceTime(absl::Milliseconds(10));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(client_->calls(), 2);
  EXPECT_EQ(client_->requests()[1].timeout, absl::Milliseconds(10));
  EXPECT_THAT(got->error,
              StatusIs(absl::StatusCode::kDeadlineExceeded, "webhook call failed: context deadline exceeded"));
}

TEST_F(SubjectAccessReviewTest, ConcurrentIdenticalReviewsShareOneCallWhileRetrying) {
  auto calls = std::make_shared<int>(0);
  client_->SetResponder([calls](const client::Request& request) {
    const bool first = ++*calls == 1;
    return FakeHttpClient::JsonAnswer(first ? 429 : 201, first ? "busy" : kAllowed)(request);
  });
  auto authorizer = New(FastRetries());
  int allowed = 0;
  const Attributes attributes = GetPod();
  for (int i = 0; i < 3; ++i) {
    authorizer->AuthorizeAsync(attributes, &loop_, [&](AuthorizationResult r) {
      if (r.decision == Decision::kAllow) ++allowed;
    });
    loop_.RunUntilIdle();
  }
  EXPECT_EQ(client_->calls(), 1);
  loop_.AdvanceTime(absl::Milliseconds(10));
  EXPECT_EQ(client_->calls(), 2);
  EXPECT_EQ(allowed, 3);
}

TEST_F(SubjectAccessReviewTest, ConcurrentIdenticalReviewsShareOneCall) {
  auto authorizer = New();
  client_->Hold(true);
  int allowed = 0;
  const Attributes attributes = GetPod();
  for (int i = 0; i < 3; ++i) {
    authorizer->AuthorizeAsync(attributes, &loop_, [&](AuthorizationResult r) {
      if (r.decision == Decision::kAllow) ++allowed;
    });
  }
  loop_.RunUntilIdle();
  EXPECT_EQ(client_->calls(), 1);
  client_->Release();
  loop_.RunUntilIdle();
  EXPECT_EQ(allowed, 3);
}

TEST_F(SubjectAccessReviewTest, UnionAsksTheWebhookLastAndCarriesItsError) {
  absl::StatusOr<std::shared_ptr<const Authorizer>> paths =
      AlwaysAllowPathsAuthorizer({"/healthz", "/readyz", "/livez"});
  ASSERT_TRUE(paths.ok());
  auto authorizer = UnionAuthorizer({PrivilegedGroupsAuthorizer({"system:masters"}), *paths, New()});
  EXPECT_TRUE(authorizer->IsAsync());
  EXPECT_EQ(Authorize(*authorizer, GetPath("/healthz")).decision, Decision::kAllow);
  UserInfo admin{"admin", "", {"system:masters"}};
  Attributes as_admin = GetPod();
  as_admin.user = &admin;
  EXPECT_EQ(Authorize(*authorizer, as_admin).decision, Decision::kAllow);
  EXPECT_EQ(client_->calls(), 0);

  client_->SetResponder([](const client::Request&) -> absl::StatusOr<client::Response> {
    return absl::DeadlineExceededError("context deadline exceeded");
  });
  AuthorizationResult r = Authorize(*authorizer, GetPod());
  EXPECT_EQ(r.decision, Decision::kNoOpinion);
  EXPECT_EQ(r.error.message(), "context deadline exceeded");
  EXPECT_EQ(client_->calls(), 1);
}

TEST(AlwaysAllowPathsTest, KubesMatching) {
  absl::StatusOr<std::shared_ptr<const Authorizer>> a =
      AlwaysAllowPathsAuthorizer({"/healthz", "livez", "/debug/*", "/"});
  ASSERT_TRUE(a.ok()) << a.status();
  UserInfo user{"u", "", {}};
  auto decide = [&](absl::string_view path, bool resource = false) {
    Attributes attributes;
    attributes.user = &user;
    attributes.verb = "get";
    attributes.path = path;
    attributes.resource_request = resource;
    std::string reason;
    return (*a)->Authorize(attributes, &reason);
  };
  EXPECT_EQ(decide("/healthz"), Decision::kAllow);
  EXPECT_EQ(decide("/livez"), Decision::kAllow);
  EXPECT_EQ(decide("/"), Decision::kAllow);
  EXPECT_EQ(decide("/debug/pprof/heap"), Decision::kAllow);
  EXPECT_EQ(decide("/debug/"), Decision::kAllow);
  EXPECT_EQ(decide("/healthz/etcd"), Decision::kNoOpinion);
  EXPECT_EQ(decide("/readyz"), Decision::kNoOpinion);
  EXPECT_EQ(decide("/healthz", /*resource=*/true), Decision::kNoOpinion);

  EXPECT_THAT(AlwaysAllowPathsAuthorizer({"/a*b"}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(AlwaysAllowPathsAuthorizer({"/a*/b*"}).status().message(), "only trailing * allowed in \"a*/b*\"");
}

TEST(PrivilegedGroupsTest, AnyOfTheGroups) {
  auto a = PrivilegedGroupsAuthorizer({"system:masters", "ops"});
  UserInfo ops{"o", "", {"ops"}};
  UserInfo dev{"d", "", {"dev"}};
  Attributes attributes;
  std::string reason;
  attributes.user = &ops;
  EXPECT_EQ(a->Authorize(attributes, &reason), Decision::kAllow);
  attributes.user = &dev;
  EXPECT_EQ(a->Authorize(attributes, &reason), Decision::kNoOpinion);
}

}  // namespace
}  // namespace apiserve::auth
