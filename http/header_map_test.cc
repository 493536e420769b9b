#include "http/header_map.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::http {
namespace {

using ::testing::ElementsAre;

TEST(HeaderMapTest, LookupIsCaseInsensitiveAndOrdered) {
  HeaderMap headers{{"Content-Type", "text/plain"}, {"X-A", "1"}, {"x-a", "2"}};
  EXPECT_EQ(headers.Get("content-type"), "text/plain");
  EXPECT_EQ(headers.Get("X-A"), "1");
  EXPECT_THAT(headers.GetAll("X-a"), ElementsAre("1", "2"));
  EXPECT_EQ(headers.Count("x-A"), 2u);
  EXPECT_FALSE(headers.Get("missing").has_value());
  EXPECT_EQ(headers.size(), 3u);
}

TEST(HeaderMapTest, SetReplacesAllInPlace) {
  HeaderMap headers{{"A", "1"}, {"B", "2"}, {"a", "3"}};
  headers.Set("a", "9");
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers.begin()->name, "A");
  EXPECT_EQ(headers.begin()->value, "9");
  headers.Set("C", "4");
  EXPECT_EQ(headers.Get("c"), "4");
  EXPECT_FALSE(headers.SetIfAbsent("c", "5"));
  EXPECT_TRUE(headers.SetIfAbsent("D", "5"));
  EXPECT_EQ(headers.Remove("b"), 1u);
  EXPECT_EQ(headers.size(), 3u);
}

TEST(HeaderMapTest, ByteSizeCountsRfcOverhead) {
  HeaderMap headers{{"ab", "cde"}};
  EXPECT_EQ(headers.ByteSize(), 2u + 3u + 32u);
}

TEST(HeaderValueHasTokenTest, MatchesCommaSeparatedTokens) {
  EXPECT_TRUE(HeaderValueHasToken("keep-alive, Close", "close"));
  EXPECT_TRUE(HeaderValueHasToken("close", "close"));
  EXPECT_FALSE(HeaderValueHasToken("closed", "close"));
  EXPECT_FALSE(HeaderValueHasToken("", "close"));
}

}  // namespace
}  // namespace apiserve::http
