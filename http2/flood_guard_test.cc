// The flood guard judged frame by frame, without a session: each limit is reached and named.
#include "http2/flood_guard.h"

#include <optional>

#include "absl/time/time.h"
#include "base/fake_executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::http2 {
namespace {

using ::testing::HasSubstr;

nghttp2_frame FrameOf(uint8_t type, uint8_t flags = NGHTTP2_FLAG_NONE, size_t length = 0) {
  nghttp2_frame frame{};
  frame.hd.type = type;
  frame.hd.flags = flags;
  frame.hd.length = length;
  frame.hd.stream_id = 1;
  return frame;
}

class FloodGuardTest : public ::testing::Test {
 protected:
  Options options_;
  base::FakeExecutor clock_;
  Counters counters_;
};

TEST_F(FloodGuardTest, EmptyDataFramesInARow) {
  options_.flood.max_consecutive_empty_data_frames = 3;
  FloodGuard guard(options_, &clock_, &counters_);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(guard.OnFrame(FrameOf(NGHTTP2_DATA)).has_value());
  EXPECT_FALSE(guard.OnFrame(FrameOf(NGHTTP2_DATA, NGHTTP2_FLAG_NONE, 10)).has_value());  // a payload resets
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(guard.OnFrame(FrameOf(NGHTTP2_DATA)).has_value());
  std::optional<FloodVerdict> flood = guard.OnFrame(FrameOf(NGHTTP2_DATA));
  ASSERT_TRUE(flood.has_value());
  EXPECT_EQ(flood->kind, http::FloodKind::kEmptyData);
  EXPECT_EQ(flood->what, "more than 3 consecutive empty DATA frames");
}

TEST_F(FloodGuardTest, PriorityFramesPerStreamOpened) {
  options_.flood.max_priority_frames_per_stream = 2;
  FloodGuard guard(options_, &clock_, &counters_);
  counters_.streams_opened = 1;  // allowance: 2 × (1 + 1)
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(guard.OnFrame(FrameOf(NGHTTP2_PRIORITY)).has_value());
  std::optional<FloodVerdict> flood = guard.OnFrame(FrameOf(NGHTTP2_PRIORITY));
  ASSERT_TRUE(flood.has_value());
  EXPECT_EQ(flood->kind, http::FloodKind::kPriority);
  EXPECT_EQ(counters_.priority_frames_received, 5u);
}

TEST_F(FloodGuardTest, RapidResetBucketRefillsWithTheClock) {
  options_.flood.reset_burst = 3;
  options_.flood.reset_rate_per_second = 1;
  FloodGuard guard(options_, &clock_, &counters_);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(guard.OnFrame(FrameOf(NGHTTP2_RST_STREAM)).has_value());
  std::optional<FloodVerdict> flood = guard.OnFrame(FrameOf(NGHTTP2_RST_STREAM));
  ASSERT_TRUE(flood.has_value());
  EXPECT_EQ(flood->kind, http::FloodKind::kRapidReset);
  EXPECT_THAT(flood->what, HasSubstr("rapid reset"));
  clock_.AdvanceTime(absl::Seconds(1));
  EXPECT_FALSE(guard.OnFrame(FrameOf(NGHTTP2_RST_STREAM)).has_value());  // one token back
  EXPECT_EQ(counters_.resets_received, 5u);
}

TEST_F(FloodGuardTest, HpackBombHandlerWorkAndLibraryLimits) {
  options_.max_header_list_size = 100;
  options_.flood.hpack_bomb_factor = 4;
  options_.max_concurrent_streams = 10;
  FloodGuard guard(options_, &clock_, &counters_);
  EXPECT_FALSE(guard.OnHeaderList(1, 400).has_value());
  std::optional<FloodVerdict> bomb = guard.OnHeaderList(1, 401);
  ASSERT_TRUE(bomb.has_value());
  EXPECT_EQ(bomb->kind, http::FloodKind::kHpackBomb);
  EXPECT_FALSE(guard.OnDispatch(9).has_value());
  ASSERT_TRUE(guard.OnDispatch(10).has_value());
  EXPECT_EQ(guard.OnDispatch(10)->kind, http::FloodKind::kHandlerWork);
  EXPECT_EQ(guard.OnLibraryError(NGHTTP2_ERR_FLOODED)->kind, http::FloodKind::kAck);
  EXPECT_EQ(guard.OnLibraryError(NGHTTP2_ERR_TOO_MANY_CONTINUATIONS)->kind, http::FloodKind::kContinuation);
  EXPECT_EQ(guard.OnLibraryError(NGHTTP2_ERR_TOO_MANY_SETTINGS)->kind, http::FloodKind::kSettings);
  EXPECT_FALSE(guard.OnLibraryError(NGHTTP2_ERR_PROTO).has_value());
}

TEST_F(FloodGuardTest, LibraryCalmIsNamedByTheLastFrame) {
  FloodGuard guard(options_, &clock_, &counters_);
  EXPECT_EQ(guard.ClassifyLibraryCalm(), http::FloodKind::kLibrary);
  guard.OnBeginFrame(NGHTTP2_SETTINGS);
  EXPECT_EQ(guard.ClassifyLibraryCalm(), http::FloodKind::kSettings);
  guard.OnBeginFrame(NGHTTP2_RST_STREAM);
  EXPECT_EQ(guard.ClassifyLibraryCalm(), http::FloodKind::kRapidReset);
}

}  // namespace
}  // namespace apiserve::http2
