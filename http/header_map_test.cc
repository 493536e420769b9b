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

TEST(HeaderMapTest, RemovedFieldsLeaveSpareSlotsThatAddReuses) {
  HeaderMap headers;
  const std::string long_value(100, 'v');
  headers.Add("X-Long", long_value);
  headers.Add("X-Other", "1");
  const HeaderField* storage = headers.begin();
  const char* value_buffer = headers.begin()->value.data();
  headers.clear();
  EXPECT_TRUE(headers.empty());
  EXPECT_EQ(headers.begin(), headers.end());
  EXPECT_FALSE(headers.Has("X-Long"));
  headers.Add("X-New", "short");
  headers.Add("X-Second", long_value);
  EXPECT_EQ(headers.begin(), storage);                     // the same slots
  EXPECT_EQ(headers.begin()->value.data(), value_buffer);  // and the long value's buffer
  EXPECT_EQ(headers.Get("x-new"), "short");
  EXPECT_EQ(headers.size(), 2u);
}

TEST(HeaderMapTest, RemoveKeepsTheOthersInOrder) {
  HeaderMap headers{{"A", "1"}, {"B", "2"}, {"a", "3"}, {"C", "4"}};
  EXPECT_EQ(headers.Remove("a"), 2u);
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers.fields()[0].name, "B");
  EXPECT_EQ(headers.fields()[1].name, "C");
  EXPECT_EQ(headers.RemoveIf([](const HeaderField& field) { return field.value == "4"; }), 1u);
  EXPECT_EQ(headers, (HeaderMap{{"B", "2"}}));
  headers.Add("D", "5");  // reuses a removed slot
  EXPECT_EQ(headers, (HeaderMap{{"B", "2"}, {"D", "5"}}));
}

TEST(HeaderMapTest, CopiesHoldOnlyTheFieldsAndMovesEmptyTheSource) {
  HeaderMap headers{{"A", "1"}, {"B", "2"}};
  headers.Remove("B");
  HeaderMap copy = headers;
  EXPECT_EQ(copy.size(), 1u);
  EXPECT_EQ(copy, headers);
  HeaderMap assigned{{"Z", "9"}, {"Y", "8"}, {"X", "7"}};
  assigned = headers;
  EXPECT_EQ(assigned, (HeaderMap{{"A", "1"}}));
  HeaderMap moved = std::move(copy);
  EXPECT_EQ(moved, headers);
  EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move): a moved-from map is empty and usable
  copy.Add("C", "3");
  EXPECT_EQ(copy.size(), 1u);
}

TEST(HeaderMapTest, ReleaseLargeSlotsDropsUnusualSpareMemory) {
  HeaderMap headers;
  headers.Add("X-Huge", std::string(10000, 'h'));
  headers.clear();
  headers.ReleaseLargeSlots(4096);
  headers.Add("X-Small", "s");
  EXPECT_LT(headers.begin()->value.capacity(), 4096u);
  headers.clear();
  for (size_t i = 0; i < HeaderMap::kMaxKeptSlots + 1; ++i) headers.Add("X", "1");
  headers.clear();
  headers.ReleaseLargeSlots(4096);  // too many slots: all go
  headers.Add("X", "1");
  EXPECT_EQ(headers.size(), 1u);
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
