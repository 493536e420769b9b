// Each filter's status, headers and body, driven through http::ServeForTest.
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/fake_executor.h"
#include "base/logger.h"
#include "chain/filters/access_log.h"
#include "chain/filters/auth.h"
#include "chain/filters/body_limit.h"
#include "chain/filters/context_filters.h"
#include "chain/filters/goaway.h"
#include "chain/filters/max_in_flight.h"
#include "chain/filters/not_found.h"
#include "chain/filters/panic_recovery.h"
#include "chain/filters/response_headers.h"
#include "chain/filters/shutdown_filters.h"
#include "chain/filters/timeout.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/response.h"
#include "http/testing.h"

namespace apiserve::chain {
namespace {

using ::testing::MatchesRegex;

http::HandlerPtr Ok() { return http::StaticHandler(http::Shared(http::TextResponse(200, "ok"))); }

// Holds its writers: answers only when the test says so.
struct Holding {
  std::vector<http::ResponseWriter> writers;
  http::HandlerPtr handler() {
    return http::HandlerFunc([this](http::RequestPtr, http::ResponseWriter w) { writers.push_back(std::move(w)); });
  }
};

// Echoes the body it reads (kube's handlers read it whole, through limitedReadBody).
http::HandlerPtr ReadingHandler() {
  return http::HandlerFunc([](http::RequestPtr request, http::ResponseWriter writer) {
    http::ReadBody(request, [request, writer = std::move(writer)](absl::Status status) mutable {
      if (!status.ok()) return;
      writer.Send(http::TextResponse(200, request->body)).IgnoreError();
    });
  });
}

constexpr char kTooLarge[] =
    R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Request entity too large: limit )"
    R"(is 10","reason":"RequestEntityTooLarge","code":413})"
    "\n";

TEST(BodyLimitTest, ContentLengthOverTheLimitIs413BeforeTheHandler) {
  bool handler_ran = false;
  auto handler =
      WithRequestBodyLimit(http::HandlerFunc([&](http::RequestPtr, http::ResponseWriter) { handler_ran = true; }), 10);
  http::RequestPtr request = http::NewRequest("POST", "/apis/x");
  request->body_stream = std::make_shared<http::RequestBody>(nullptr, 11);
  http::RecordedResponse r = http::ServeForTest(*handler, request);
  EXPECT_FALSE(handler_ran);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.headers.Get("Content-Type"), "application/json");
  EXPECT_EQ(r.body, kTooLarge);
}

TEST(BodyLimitTest, BodyGoingOverTheLimitAsItArrivesIs413) {
  base::FakeExecutor loop;
  auto handler = WithRequestBodyLimit(ReadingHandler(), 10);
  http::RequestPtr request = http::NewRequest("POST", "/apis/x", &loop);
  auto body = std::make_shared<http::RequestBody>(nullptr, std::nullopt);  // chunked
  request->body_stream = body;
  auto sink = std::make_shared<http::RecordingSink>();
  auto exchange = http::NewExchange(&loop, sink.get());
  sink->Attach(exchange);
  handler->Serve(request, http::ResponseWriter(exchange));
  body->Deliver("123456");
  body->Pump();
  EXPECT_EQ(sink->recorded.status, 0);  // under the limit: still reading
  body->Deliver("789012");
  body->Pump();
  loop.RunUntilIdle();
  EXPECT_EQ(sink->recorded.status, 413);
  EXPECT_EQ(sink->recorded.body, kTooLarge);
}

TEST(BodyLimitTest, AtTheLimitAndWithoutABodyPassThrough) {
  base::FakeExecutor loop;
  auto handler = WithRequestBodyLimit(ReadingHandler(), 10);
  http::RequestPtr request = http::NewRequest("POST", "/apis/x", &loop);
  auto body = std::make_shared<http::RequestBody>(nullptr, 10);
  request->body_stream = body;
  body->Deliver("0123456789");
  body->Finish(absl::OkStatus());
  http::RecordedResponse r = http::ServeForTest(*handler, request, &loop);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "0123456789");
  EXPECT_EQ(http::ServeForTest(*handler, http::NewRequest("GET", "/healthz"), &loop).status, 200);
}

TEST(BodyLimitTest, ZeroMeansNoLimit) {
  base::FakeExecutor loop;
  auto handler = WithRequestBodyLimit(ReadingHandler(), 0);
  http::RequestPtr request = http::NewRequest("POST", "/apis/x", &loop);
  const std::string big(http::kDefaultMaxBodyBytes + 1, 'b');
  auto body = std::make_shared<http::RequestBody>(nullptr, big.size());
  request->body_stream = body;
  body->Deliver(big);
  body->Finish(absl::OkStatus());
  http::RecordedResponse r = http::ServeForTest(*handler, request, &loop);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), big.size());
}

TEST(PanicRecoveryTest, ThrowingHandlerGetsKubes500) {
  auto handler = WithPanicRecovery(
      http::HandlerFunc([](http::RequestPtr, http::ResponseWriter) { throw std::runtime_error("nil map"); }));
  http::RecordedResponse r = http::ServeForTest(*handler, http::NewRequest("GET", "/boom"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "This request caused apiserver to panic. Look in the logs for details.\n");
  EXPECT_EQ(r.headers.Get("Content-Type"), "text/plain; charset=utf-8");
}

// The log line names the request even though the handler took the request away (and dropped it) before it threw.
TEST(PanicRecoveryTest, LogsTheMethodAndTargetOfTheRequestThatPanicked) {
  auto handler = WithPanicRecovery(http::HandlerFunc([](http::RequestPtr request, http::ResponseWriter) {
    request.reset();
    throw std::runtime_error("nil map");
  }));
  ::testing::internal::CaptureStderr();
  http::RecordedResponse r =
      http::ServeForTest(*handler, http::NewRequest("DELETE", "/apis/demo.apiserve.io/v1/namespaces/a/widgets/b"));
  base::Logger::Global().Flush();
  const std::string logged = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(logged, ::testing::HasSubstr(
                          "apiserver panic'd on DELETE /apis/demo.apiserve.io/v1/namespaces/a/widgets/b: nil map"));
}

TEST(NotFoundTest, Returns503BeforeMuxCompleteAnd404After) {
  lifecycle::Signal complete("MuxAndDiscoveryComplete");
  auto handler = WithMuxAndDiscoveryComplete(TerminalNotFoundHandler(), &complete);
  http::RecordedResponse early = http::ServeForTest(*handler, http::NewRequest("GET", "/apis/x"));
  EXPECT_EQ(early.status, 503);
  EXPECT_EQ(early.headers.Get("Retry-After"), "5");
  complete.Fire();
  http::RecordedResponse late = http::ServeForTest(*handler, http::NewRequest("GET", "/apis/x"));
  EXPECT_EQ(late.status, 404);
  EXPECT_EQ(late.body, "404 page not found\n");
}

TEST(RetryAfterTest, RejectsNonExemptOnceNotAccepting) {
  lifecycle::Signal not_accepting("NotAcceptingNewRequest");
  auto handler = WithRetryAfter(Ok(), &not_accepting);
  EXPECT_EQ(http::ServeForTest(*handler, http::NewRequest("GET", "/api/v1/namespaces")).status, 200);
  not_accepting.Fire();
  http::RecordedResponse r = http::ServeForTest(*handler, http::NewRequest("GET", "/api/v1/namespaces"));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers.Get("Retry-After"), "5");
  EXPECT_EQ(r.headers.Get("Connection"), "close");
  EXPECT_EQ(r.body, "The apiserver is shutting down, please try again later.\n");
  for (const char* exempt : {"/metrics?foo=bar", "/livez?verbose", "/readyz?verbose", "/healthz?verbose",
                             "/healthz/etcd", "/metrics/slis"}) {
    EXPECT_EQ(http::ServeForTest(*handler, http::NewRequest("GET", exempt)).status, 200) << exempt;
  }
  http::RequestPtr loopback = http::NewRequest("GET", "/api/v1/pods");
  loopback->headers.Add("User-Agent", "kube-apiserver/v1.31.0 (linux/amd64)");
  EXPECT_EQ(http::ServeForTest(*handler, loopback).status, 200);
}

TEST(WaitGroupFilterTest, CountsWhileRunningAndRejectsAfterDrain) {
  SafeWaitGroup group;
  base::FakeExecutor loop;
  http::RecordingSink sink;
  Holding inner;  // after the sinks: held writers answer into them when destroyed
  auto handler = WithRequestInfo(WithWaitGroup(inner.handler(), &group));
  auto exchange = http::NewExchange(&loop, &sink);
  handler->Serve(http::NewRequest("GET", "/api/v1/pods", &loop), http::ResponseWriter(exchange));
  EXPECT_EQ(group.InFlight(), 1);
  bool drained = false;
  group.StartDrain([&] { drained = true; });
  // New non-exempt request: 503 JSON, Retry-After: 1.
  http::RecordedResponse rejected = http::ServeForTest(*handler, http::NewRequest("GET", "/api/v1/pods"));
  EXPECT_EQ(rejected.status, 503);
  EXPECT_EQ(rejected.headers.Get("Retry-After"), "1");
  EXPECT_EQ(rejected.headers.Get("Content-Type"), "application/json");
  // Exempt: served, untracked (the holding handler keeps it).
  http::ServeForTest(*handler, http::NewRequest("GET", "/readyz"));
  EXPECT_EQ(inner.writers.size(), 2u);
  EXPECT_EQ(group.InFlight(), 1);
  // Long-running requests bypass the group.
  handler->Serve(http::NewRequest("GET", "/api/v1/pods?watch=true"),
                 http::ResponseWriter(http::NewExchange(nullptr, &sink)));
  EXPECT_EQ(group.InFlight(), 1);
  EXPECT_FALSE(drained);
  ASSERT_TRUE(inner.writers[0].Send(http::TextResponse(200, "done")).ok());
  EXPECT_TRUE(drained);
}

// Audit-Ids are version 4 UUIDs; none repeats, and every random hex digit takes its 16 values about equally often
// (122 random bits per id: all nibbles but the version one, and the variant nibble's two low bits).
TEST(ResponseHeadersTest, NewUuidsAreVersion4DistinctAndUniform) {
  constexpr int kIds = 20000;
  std::set<std::string> seen;
  std::map<char, int> digits;
  int random_digits = 0;
  for (int i = 0; i < kIds; ++i) {
    const std::string id = NewUuid();
    ASSERT_THAT(id, MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
    EXPECT_TRUE(seen.insert(id).second) << id;
    for (size_t at = 0; at < id.size(); ++at) {
      if (at == 8 || at == 13 || at == 14 || at == 18 || at == 19 || at == 23) continue;  // dashes, version, variant
      ++digits[id[at]];
      ++random_digits;
    }
  }
  ASSERT_EQ(digits.size(), 16u);
  const double expected = random_digits / 16.0;
  for (const auto& [digit, count] : digits) {
    EXPECT_NEAR(count, expected, expected * 0.03) << digit;  // about six standard deviations at this size
  }
}

TEST(ResponseHeadersTest, AuditIdCacheControlAndHsts) {
  auto handler = WithAuditId(WithResponseHeaders(Ok(), {"max-age=31536000", "includeSubDomains", "preload"}));
  http::RecordedResponse r = http::ServeForTest(*handler, http::NewRequest("GET", "/version"));
  EXPECT_EQ(r.headers.Get("Cache-Control"), "no-cache, private");
  EXPECT_EQ(r.headers.Get("Strict-Transport-Security"), "max-age=31536000; includeSubDomains; preload");
  EXPECT_THAT(std::string(*r.headers.Get("Audit-Id")),
              MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
  http::RequestPtr with_id = http::NewRequest("GET", "/version");
  with_id->headers.Add("Audit-ID", "given-id");
  EXPECT_EQ(http::ServeForTest(*handler, with_id).headers.Get("Audit-Id"), "given-id");
  auto no_hsts = WithResponseHeaders(Ok(), {});
  EXPECT_FALSE(http::ServeForTest(*no_hsts, http::NewRequest("GET", "/")).headers.Has("Strict-Transport-Security"));
}

TEST(GoawayTest, OnlyHttp2RequestsGetConnectionClose) {
  auto handler = WithProbabilisticGoaway(Ok(), 1.0, [] { return true; });
  http::RequestPtr h2 = http::NewRequest("GET", "/");
  h2->protocol = http::Protocol::kHttp2;
  EXPECT_EQ(http::ServeForTest(*handler, h2).headers.Get("Connection"), "close");
  EXPECT_FALSE(http::ServeForTest(*handler, http::NewRequest("GET", "/")).headers.Has("Connection"));
  auto never = WithProbabilisticGoaway(Ok(), 0.02, [] { return false; });
  h2 = http::NewRequest("GET", "/");
  h2->protocol = http::Protocol::kHttp2;
  EXPECT_FALSE(http::ServeForTest(*never, h2).headers.Has("Connection"));
}

TEST(TimeoutTest, SlowRequestGets504AndFastOneCancelsTheTimer) {
  base::FakeExecutor loop;
  http::RecordingSink slow_sink;
  http::RecordingSink fast_sink;
  Holding inner;
  auto handler = WithRequestInfo(WithRequestTimeout(inner.handler(), absl::Seconds(60)));
  auto slow = http::NewExchange(&loop, &slow_sink);
  handler->Serve(http::NewRequest("GET", "/api/v1/pods", &loop), http::ResponseWriter(slow));
  loop.AdvanceTime(absl::Seconds(59));
  EXPECT_FALSE(slow_sink.recorded.complete);
  loop.AdvanceTime(absl::Seconds(1));
  EXPECT_EQ(slow_sink.recorded.status, 504);
  EXPECT_EQ(slow_sink.recorded.body,
            "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"Timeout: request did not complete within the "
            "allotted timeout\",\"reason\":\"Timeout\",\"details\":{},\"code\":504}\n");
  EXPECT_FALSE(inner.writers[0].Send(http::TextResponse(200, "late")).ok());

  handler->Serve(http::NewRequest("GET", "/api/v1/pods", &loop),
                 http::ResponseWriter(http::NewExchange(&loop, &fast_sink)));
  ASSERT_TRUE(inner.writers[1].Send(http::TextResponse(200, "fast")).ok());
  loop.RunUntilIdle();
  EXPECT_EQ(loop.PendingTimers(), 1);  // cancelled; dropped when due
  loop.AdvanceTime(absl::Seconds(61));
  EXPECT_EQ(fast_sink.recorded.status, 200);

  // Watches are long-running: no timer.
  handler->Serve(http::NewRequest("GET", "/api/v1/pods?watch=1", &loop),
                 http::ResponseWriter(http::NewExchange(&loop, &fast_sink)));
  EXPECT_EQ(loop.PendingTimers(), 0);
}

// One timer per loop, not per request: requests wait in deadline order (received time + timeout), each answered 504
// at its own deadline; one received earlier but served later (HTTP/1.1 pipelining) is not held behind the others;
// requests answered in time leave the list, and the timer goes once it fires with nothing left to time out.
TEST(TimeoutTest, OneTimerServesEveryRequestInDeadlineOrder) {
  base::FakeExecutor loop;
  Holding inner;
  auto handler = WithRequestInfo(WithRequestTimeout(inner.handler(), absl::Seconds(10)));
  const absl::Time start = loop.Now();
  http::RecordingSink sinks[4];
  auto serve = [&](int i, absl::Duration received_after) {
    http::RequestPtr request = http::NewRequest("GET", "/api/v1/pods", &loop);
    request->received_time = start + received_after;
    handler->Serve(std::move(request), http::ResponseWriter(http::NewExchange(&loop, &sinks[i])));
  };
  serve(0, absl::Seconds(0));
  loop.AdvanceTime(absl::Seconds(2));
  serve(1, absl::Seconds(2));
  serve(2, absl::Seconds(2));
  serve(3, absl::Seconds(1));  // received before 1 and 2, dispatched after them
  EXPECT_EQ(loop.PendingTimers(), 1);
  ASSERT_TRUE(inner.writers[1].Send(http::TextResponse(200, "in time")).ok());
  loop.AdvanceTime(absl::Seconds(8));  // t = 10 s
  EXPECT_EQ(sinks[0].recorded.status, 504);
  EXPECT_FALSE(sinks[3].recorded.complete);
  loop.AdvanceTime(absl::Seconds(1));  // t = 11 s: request 3's deadline, ahead of request 2's
  EXPECT_EQ(sinks[3].recorded.status, 504);
  EXPECT_FALSE(sinks[2].recorded.complete);
  loop.AdvanceTime(absl::Seconds(1));
  EXPECT_EQ(sinks[1].recorded.status, 200);
  EXPECT_EQ(sinks[2].recorded.status, 504);
  EXPECT_EQ(loop.PendingTimers(), 0);  // nothing left: no timer armed
  // Requests answered in time leave the timer armed rather than cancel and re-arm it for each: a hundred of them
  // leave one timer, which fires at the first one's deadline, finds nothing due and is not re-armed.
  http::RecordingSink quick[100];
  for (int i = 0; i < 100; ++i) {
    http::RequestPtr request = http::NewRequest("GET", "/api/v1/pods", &loop);
    request->received_time = loop.Now();
    handler->Serve(std::move(request), http::ResponseWriter(http::NewExchange(&loop, &quick[i])));
    ASSERT_TRUE(inner.writers[4 + i].Send(http::TextResponse(200, "quick")).ok());
    loop.AdvanceTime(absl::Milliseconds(10));
  }
  EXPECT_EQ(loop.PendingTimers(), 1);
  loop.AdvanceTime(absl::Seconds(11));
  for (const http::RecordingSink& sink : quick) EXPECT_EQ(sink.recorded.status, 200);
  EXPECT_EQ(loop.PendingTimers(), 0);
  // A request that arrives while the timer is armed for a later deadline (received earlier, dispatched late)
  // re-arms it for its own: it still gets its 504 on time.
  http::RecordingSink late[2];
  http::RequestPtr first = http::NewRequest("GET", "/api/v1/pods", &loop);
  first->received_time = loop.Now();
  handler->Serve(std::move(first), http::ResponseWriter(http::NewExchange(&loop, &late[0])));
  http::RequestPtr earlier = http::NewRequest("GET", "/api/v1/pods", &loop);
  earlier->received_time = loop.Now() - absl::Seconds(5);
  handler->Serve(std::move(earlier), http::ResponseWriter(http::NewExchange(&loop, &late[1])));
  loop.AdvanceTime(absl::Seconds(5));
  EXPECT_EQ(late[1].recorded.status, 504);
  EXPECT_FALSE(late[0].recorded.complete);
  loop.AdvanceTime(absl::Seconds(5));
  EXPECT_EQ(late[0].recorded.status, 504);
}

// kube's order puts authentication before max in-flight, whose system:masters exemption reads the user: an
// administrator gets in while the pool is full; anyone else gets 429.
TEST(MaxInFlightTest, SystemMastersIsExempt) {
  InFlightCounters counters;
  http::RecordingSink held;
  Holding inner;
  auto handler = WithRequestInfo(WithMaxInFlightLimit(inner.handler(), 1, 1, &counters));
  handler->Serve(http::NewRequest("GET", "/api/v1/pods"), http::ResponseWriter(http::NewExchange(nullptr, &held)));
  EXPECT_EQ(http::ServeForTest(*handler, http::NewRequest("GET", "/api/v1/pods")).status, 429);
  http::RequestPtr admin = http::NewRequest("GET", "/api/v1/pods");
  admin->SetContext(std::make_shared<const auth::UserInfo>(auth::UserInfo{"admin", "", {"system:masters"}}));
  handler->Serve(admin, http::ResponseWriter(http::NewExchange(nullptr, &held)));
  EXPECT_EQ(inner.writers.size(), 2u);  // the administrator reached the handler
  EXPECT_EQ(counters.readonly, 1);      // and took no slot
}

TEST(MaxInFlightTest, SeparatePoolsAnd429) {
  InFlightCounters counters;
  http::RecordingSink a, b;
  Holding inner;
  auto handler = WithRequestInfo(WithMaxInFlightLimit(inner.handler(), 1, 1, &counters));
  handler->Serve(http::NewRequest("GET", "/api/v1/pods"), http::ResponseWriter(http::NewExchange(nullptr, &a)));
  EXPECT_EQ(counters.readonly, 1);
  http::RecordedResponse over = http::ServeForTest(*handler, http::NewRequest("GET", "/api/v1/pods"));
  EXPECT_EQ(over.status, 429);
  EXPECT_EQ(over.headers.Get("Retry-After"), "1");
  EXPECT_EQ(over.body, "Too many requests, please try again later.\n");
  handler->Serve(http::NewRequest("POST", "/api/v1/namespaces/x/pods"),
                 http::ResponseWriter(http::NewExchange(nullptr, &b)));
  EXPECT_EQ(counters.mutating, 1);
  ASSERT_TRUE(inner.writers[0].Send(http::TextResponse(200, "ok")).ok());
  EXPECT_EQ(counters.readonly, 0);
  EXPECT_EQ(inner.writers.size(), 2u);
}

TEST(AuthTest, AnonymousAndAlwaysAllowPassAndDenyIs403) {
  auto handler =
      WithAuthentication(WithAuthorization(Ok(), auth::AlwaysAllowAuthorizer()), auth::AnonymousAuthenticator());
  EXPECT_EQ(http::ServeForTest(*handler, http::NewRequest("GET", "/foo")).status, 200);

  class Deny : public auth::Authorizer {
   public:
    auth::Decision Authorize(const auth::Attributes&, std::string*) const override { return auth::Decision::kDeny; }
  };
  auto denied = WithAuthentication(WithAuthorization(Ok(), std::make_shared<Deny>()), auth::AnonymousAuthenticator());
  http::RecordedResponse r = http::ServeForTest(*denied, http::NewRequest("GET", "/foo"));
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, ::testing::HasSubstr("forbidden: User \\\"system:anonymous\\\" cannot get path \\\"/foo\\\""));

  class Reject : public auth::Authenticator {
   public:
    absl::StatusOr<auth::UserPtr> Authenticate(const http::Request&) const override {
      return absl::UnauthenticatedError("bad token");
    }
  };
  auto rejected = WithAuthentication(Ok(), std::make_shared<Reject>());
  EXPECT_EQ(http::ServeForTest(*rejected, http::NewRequest("GET", "/foo")).status, 401);
}

TEST(AuthTest, SuccessRemovesCredentialAndFrontProxyHeaders) {
  // What the handler saw.
  auto seen = std::make_shared<std::vector<std::string>>();
  http::HandlerPtr record = http::HandlerFunc([seen](http::RequestPtr request, http::ResponseWriter writer) {
    for (const http::HeaderField& field : request->headers) seen->push_back(field.name);
    writer.Send(http::TextResponse(200, "ok")).IgnoreError();
  });
  auto custom = std::make_shared<auth::RequestHeaderConfig>();
  custom->username_headers = {"X-Proxy-User"};
  custom->uid_headers = {"X-Proxy-Uid"};
  custom->group_headers = {"X-Proxy-Group"};
  custom->extra_headers_prefix = {"X-Proxy-Extra-"};
  auto handler = WithAuthentication(record, auth::AnonymousAuthenticator(), true, custom);
  http::RequestPtr request = http::NewRequest("GET", "/foo");
  for (const char* name :
       {"Authorization", "X-Remote-User", "x-remote-uid", "X-Remote-Group", "X-Remote-Extra-A", "X-Proxy-User",
        "X-Proxy-Uid", "X-Proxy-Group", "x-proxy-extra-b", "X-Remote-Uid-1", "Accept"}) {
    request->headers.Add(name, "v");
  }
  EXPECT_EQ(http::ServeForTest(*handler, std::move(request)).status, 200);
  EXPECT_THAT(*seen, ::testing::ElementsAre("X-Remote-Uid-1", "Accept"));

  // Without a configured set, the standard X-Remote-* set still goes; other names stay.
  seen->clear();
  auto standard_only = WithAuthentication(record, auth::AnonymousAuthenticator());
  http::RequestPtr second = http::NewRequest("GET", "/foo");
  second->headers.Add("X-Remote-User", "admin");
  second->headers.Add("X-Proxy-User", "v");
  EXPECT_EQ(http::ServeForTest(*standard_only, std::move(second)).status, 200);
  EXPECT_THAT(*seen, ::testing::ElementsAre("X-Proxy-User"));
}

TEST(AuthTest, AuthorizerGetsTheRequestAttributes) {
  class Record : public auth::Authorizer {
   public:
    auth::Decision Authorize(const auth::Attributes& a, std::string*) const override {
      *out = absl::StrCat(a.user->name, " ", a.verb, " ", a.api_group, "/", a.api_version, " ", a.namespace_name, " ",
                          a.resource, "/", a.subresource, " ", a.name, " ", a.path, " ", a.resource_request);
      return auth::Decision::kAllow;
    }
    std::shared_ptr<std::string> out = std::make_shared<std::string>();
  };
  auto authorizer = std::make_shared<Record>();
  auto handler =
      WithRequestInfo(WithAuthentication(WithAuthorization(Ok(), authorizer), auth::AnonymousAuthenticator()));
  EXPECT_EQ(
      http::ServeForTest(*handler, http::NewRequest("DELETE", "/apis/apps/v1/namespaces/ns/deployments/web/scale"))
          .status,
      200);
  EXPECT_EQ(
      *authorizer->out,
      "system:anonymous delete apps/v1 ns deployments/scale web /apis/apps/v1/namespaces/ns/deployments/web/scale 1");
}

TEST(AccessLogTest, PassesThrough) {
  auto handler = WithAccessLog(Ok());
  EXPECT_EQ(http::ServeForTest(*handler, http::NewRequest("GET", "/")).status, 200);
}

}  // namespace
}  // namespace apiserve::chain
