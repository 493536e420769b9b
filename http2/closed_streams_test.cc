#include "http2/closed_streams.h"

#include "gtest/gtest.h"

namespace apiserve::http2 {
namespace {

TEST(ClosedStreamsTest, PeerResetIsAnsweredOnce) {
  ClosedStreams closed;
  closed.OnPeerReset(1);
  EXPECT_TRUE(closed.TakeStreamClosedAnswer(1));
  EXPECT_FALSE(closed.TakeStreamClosedAnswer(1));  // answered: later frames are ignored
  EXPECT_FALSE(closed.TakeStreamClosedAnswer(3));  // never reset
}

TEST(ClosedStreamsTest, OurResetWins) {
  ClosedStreams closed;
  closed.OnOurReset(1);
  closed.OnPeerReset(1);  // the client's RST_STREAM crossed ours
  EXPECT_FALSE(closed.TakeStreamClosedAnswer(1));
  closed.OnPeerReset(3);
  closed.OnOurReset(3);
  EXPECT_FALSE(closed.TakeStreamClosedAnswer(3));
}

TEST(ClosedStreamsTest, RemembersOnlyTheMostRecent) {
  ClosedStreams closed;
  for (int32_t id = 1; id < 1 + 2 * static_cast<int32_t>(ClosedStreams::kCapacity) + 2; id += 2) closed.OnPeerReset(id);
  EXPECT_FALSE(closed.TakeStreamClosedAnswer(1));  // forgotten: the oldest was overwritten
  const int32_t newest = 1 + 2 * static_cast<int32_t>(ClosedStreams::kCapacity);
  EXPECT_TRUE(closed.TakeStreamClosedAnswer(newest));
  EXPECT_TRUE(closed.TakeStreamClosedAnswer(newest - 2 * static_cast<int32_t>(ClosedStreams::kCapacity) + 2));
}

}  // namespace
}  // namespace apiserve::http2
