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

TEST(ClosedStreamsTest, EveryRememberedClientResetIsAnsweredOnceThroughEvictionsAndOverrides) {
  ClosedStreams closed;
  constexpr int32_t kCapacity = static_cast<int32_t>(ClosedStreams::kCapacity);
  EXPECT_FALSE(closed.TakeStreamClosedAnswer(1));  // nothing reset yet
  // Three rounds over the ring: ours and the client's interleaved, some of the client's overridden by ours.
  for (int32_t id = 1; id < 1 + 6 * kCapacity; id += 2) {
    if (id % 3 == 0) {
      closed.OnOurReset(id);
    } else {
      closed.OnPeerReset(id);
      if (id % 5 == 0) closed.OnOurReset(id);
    }
  }
  // The last kCapacity streams are remembered: exactly the client's among them get an answer, once.
  int answered = 0;
  int expected = 0;
  for (int32_t id = 1 + 6 * kCapacity - 2; id > 1 + 6 * kCapacity - 2 - 2 * kCapacity; id -= 2) {
    if (id % 3 != 0 && id % 5 != 0) ++expected;
    if (closed.TakeStreamClosedAnswer(id)) ++answered;
    EXPECT_FALSE(closed.TakeStreamClosedAnswer(id)) << id;
  }
  EXPECT_EQ(answered, expected);
  EXPECT_GT(expected, 0);
  // Older ones were forgotten, and a new client reset is answered again.
  EXPECT_FALSE(closed.TakeStreamClosedAnswer(1));
  closed.OnPeerReset(1001);
  EXPECT_TRUE(closed.TakeStreamClosedAnswer(1001));
}

}  // namespace
}  // namespace apiserve::http2
