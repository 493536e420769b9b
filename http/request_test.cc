#include "http/request.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::http {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

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

TEST(ProtocolNameTest, GoSpelling) {
  EXPECT_EQ(ProtocolName(Protocol::kHttp2), "HTTP/2.0");
  EXPECT_EQ(ProtocolName(Protocol::kHttp11), "HTTP/1.1");
  EXPECT_EQ(ProtocolName(Protocol::kHttp10), "HTTP/1.0");
}

}  // namespace
}  // namespace apiserve::http
