#include "http/chunk_queue.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace apiserve::http {
namespace {

TEST(ChunkQueueTest, FifoOrder) {
  ChunkQueue<std::string> q;
  EXPECT_TRUE(q.empty());
  q.push_back("a");
  q.push_back("b");
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.front(), "a");
  q.pop_front();
  EXPECT_EQ(q.front(), "b");
  q.pop_front();
  EXPECT_TRUE(q.empty());
}

// A queue that never empties keeps its order through compactions and stays small.
TEST(ChunkQueueTest, NeverEmptyQueueIsCompactedInOrder) {
  ChunkQueue<std::string> q;
  q.push_back("0");
  q.push_back("1");
  for (int i = 2; i < 1000; ++i) {
    EXPECT_EQ(q.front(), absl::StrCat(i - 2));
    q.pop_front();
    q.push_back(absl::StrCat(i));
    EXPECT_EQ(q.size(), 2u);
  }
  EXPECT_EQ(q.front(), "998");
}

TEST(ChunkQueueTest, ClearAndRelease) {
  ChunkQueue<std::string> q;
  q.push_back("x");
  q.clear();
  EXPECT_TRUE(q.empty());
  q.push_back("y");
  q.Release();
  EXPECT_TRUE(q.empty());
  q.push_back("z");
  EXPECT_EQ(q.front(), "z");
}

}  // namespace
}  // namespace apiserve::http
