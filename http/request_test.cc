#include "http/request.h"

#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "base/fake_executor.h"
#include "base/recycling_allocator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::http {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(RequestClockNowTest, ReadsTheExecutorsClock) {
  base::FakeExecutor loop;
  Request request;
  request.executor = &loop;
  EXPECT_EQ(RequestClockNow(request), loop.Now());
  loop.AdvanceTime(absl::Seconds(7));
  EXPECT_EQ(RequestClockNow(request), absl::FromUnixSeconds(1'700'000'007));
}

TEST(RequestClockNowTest, WithoutAnExecutorReadsTheWallClock) {
  Request request;
  const absl::Time before = absl::Now();
  const absl::Time now = RequestClockNow(request);
  EXPECT_GE(now, before);
  EXPECT_LE(now, absl::Now());
}

TEST(StampReceivedTimeTest, StampsOnceOnTheRequestsClock) {
  base::FakeExecutor loop;
  Request request;
  request.executor = &loop;
  const absl::Time arrived = loop.Now();
  EXPECT_EQ(StampReceivedTime(&request), arrived);
  EXPECT_EQ(request.received_time, arrived);
  loop.AdvanceTime(absl::Seconds(3));
  EXPECT_EQ(StampReceivedTime(&request), arrived);  // the first stamp wins
  EXPECT_EQ(request.received_time, arrived);
}

TEST(StampReceivedTimeTest, KeepsTheCodecsStamp) {
  base::FakeExecutor loop;
  Request request;
  request.executor = &loop;
  const absl::Time stamped_by_codec = loop.Now() - absl::Seconds(2);
  request.received_time = stamped_by_codec;
  EXPECT_EQ(StampReceivedTime(&request), stamped_by_codec);
  EXPECT_EQ(request.received_time, stamped_by_codec);
}

TEST(StampReceivedTimeTest, WithoutAnExecutorStampsTheWallClock) {
  Request request;
  const absl::Time before = absl::Now();
  const absl::Time stamped = StampReceivedTime(&request);
  EXPECT_GE(stamped, before);
  EXPECT_LE(stamped, absl::Now());
  EXPECT_EQ(request.received_time, stamped);
}

TEST(SplitTargetTest, OriginForm) {
  std::string path, query;
  SplitTarget("/healthz?verbose&exclude=etcd", &path, &query);
  EXPECT_EQ(path, "/healthz");
  EXPECT_EQ(query, "verbose&exclude=etcd");
  SplitTarget("/api", &path, &query);
  EXPECT_EQ(path, "/api");
  EXPECT_EQ(query, "");
}

TEST(SplitTargetTest, AbsoluteForm) {
  std::string path, query, authority;
  SplitTarget("https://example.com:6443/api/v1?watch=1", &path, &query, &authority);
  EXPECT_EQ(authority, "example.com:6443");
  EXPECT_EQ(path, "/api/v1");
  EXPECT_EQ(query, "watch=1");
  SplitTarget("http://example.com", &path, &query, &authority);
  EXPECT_EQ(path, "/");
  SplitTarget("http://example.com?x", &path, &query, &authority);
  EXPECT_EQ(path, "/");
  EXPECT_EQ(query, "x");
}

TEST(RequestTest, QueryAccessors) {
  Request request;
  request.raw_query = "verbose&exclude=a&exclude=b%2Cc&x=1+2&bad=%zz&&empty=";
  EXPECT_TRUE(request.HasQuery("verbose"));
  EXPECT_EQ(request.Query("verbose"), "");
  EXPECT_THAT(request.QueryAll("exclude"), ElementsAre("a", "b,c"));
  EXPECT_EQ(request.Query("x"), "1 2");
  EXPECT_EQ(request.Query("bad"), "%zz");
  EXPECT_EQ(request.Query("empty"), "");
  EXPECT_FALSE(request.HasQuery("missing"));
  EXPECT_THAT(request.QueryParams()[0], Pair("verbose", ""));
}

TEST(RequestTest, TypedContext) {
  struct Marker {
    int value;
  };
  Request request;
  EXPECT_EQ(request.Context<Marker>(), nullptr);
  request.SetContext(std::make_shared<Marker>(Marker{1}));
  ASSERT_NE(request.Context<Marker>(), nullptr);
  EXPECT_EQ(request.Context<Marker>()->value, 1);
  request.SetContext(std::make_shared<Marker>(Marker{2}));
  EXPECT_EQ(request.Context<Marker>()->value, 2);
  EXPECT_EQ(request.Context<int>(), nullptr);
}

struct Marker {
  int value = 0;
};

TEST(NewRequestTest, ARecycledRequestStartsEmptyAndKeepsItsBuffers) {
  auto executor_stand_in = reinterpret_cast<base::Executor*>(0x1);
  const Request* address = nullptr;
  std::weak_ptr<Marker> context;
  {
    RequestPtr first = NewRequest();
    address = first.get();
    first->method = "POST";
    first->target = "/apis/demo.apiserve.io/v1/echo?pretty=true";
    SplitTarget(first->target, &first->path, &first->raw_query);
    first->authority = "apiserver.example.com:6443";
    first->scheme = "http";
    first->protocol = Protocol::kHttp2;
    first->headers.Add("User-Agent", "kubectl/v1.31.0 (linux/amd64) kubernetes/abcdef0");
    first->body = "{}";
    first->connection = std::make_shared<ConnectionInfo>();
    first->received_time = absl::Now();
    first->executor = executor_stand_in;
    EXPECT_TRUE(first->HasQuery("pretty"));
    auto marker = std::make_shared<Marker>();
    context = marker;
    first->SetContext(std::move(marker));
  }
  EXPECT_TRUE(context.expired());  // the context went when the request was dropped
  RequestPtr second = NewRequest();
  EXPECT_EQ(second.get() == address, base::kRecyclingEnabled);  // under ASan nothing is recycled
  EXPECT_EQ(second->method, "");
  EXPECT_EQ(second->target, "");
  EXPECT_EQ(second->path, "");
  EXPECT_EQ(second->raw_query, "");
  EXPECT_EQ(second->authority, "");
  EXPECT_EQ(second->scheme, "https");
  EXPECT_EQ(second->protocol, Protocol::kHttp11);
  EXPECT_TRUE(second->headers.empty());
  EXPECT_EQ(second->body, "");
  EXPECT_EQ(second->connection, nullptr);
  EXPECT_EQ(second->received_time, absl::InfinitePast());
  EXPECT_EQ(second->executor, nullptr);
  EXPECT_EQ(second->shutting_down, nullptr);
  EXPECT_FALSE(second->HasQuery("pretty"));
  EXPECT_EQ(second->Context<Marker>(), nullptr);
  EXPECT_EQ(second->target.capacity() >= 40u, base::kRecyclingEnabled);  // buffers kept
}

TEST(NewRequestTest, LargeBuffersAreNotKept) {
  const Request* address = nullptr;
  {
    RequestPtr request = NewRequest();
    address = request.get();
    request->body.assign(1 << 20, 'b');
    request->headers.Add("X-Big", std::string(64 * 1024, 'h'));
  }
  RequestPtr again = NewRequest();
  EXPECT_EQ(again.get() == address, base::kRecyclingEnabled);
  EXPECT_LT(again->body.capacity(), 1u << 20);
  again->headers.Add("X-Small", "s");
  EXPECT_LT(again->headers.begin()->value.capacity(), 64u * 1024);
}

TEST(ProtocolNameTest, GoSpelling) {
  EXPECT_EQ(ProtocolName(Protocol::kHttp2), "HTTP/2.0");
  EXPECT_EQ(ProtocolName(Protocol::kHttp11), "HTTP/1.1");
  EXPECT_EQ(ProtocolName(Protocol::kHttp10), "HTTP/1.0");
}

}  // namespace
}  // namespace apiserve::http
