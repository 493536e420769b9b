#include "chain/watch_timeout.h"

#include "gtest/gtest.h"
#include "http/testing.h"

namespace apiserve::chain {
namespace {

TEST(WatchTimeoutTest, TimeoutSecondsWins) {
  EXPECT_EQ(WatchTimeout(*http::NewRequest("GET", "/api/v1/pods?watch=1&timeoutSeconds=42"), absl::Seconds(1800)),
            absl::Seconds(42));
}

TEST(WatchTimeoutTest, OtherwiseBetweenMinAndTwiceMin) {
  for (int i = 0; i < 100; ++i) {
    const absl::Duration d = WatchTimeout(*http::NewRequest("GET", "/api/v1/pods?watch=1"), absl::Seconds(1800));
    EXPECT_GE(d, absl::Seconds(1800));
    EXPECT_LT(d, absl::Seconds(3600));
  }
  EXPECT_EQ(WatchTimeout(*http::NewRequest("GET", "/api/v1/pods?watch=1&timeoutSeconds=0"), absl::Seconds(10)) >=
                absl::Seconds(10),
            true);
}

TEST(WatchTimeoutTest, NoMinimumMeansNoLimit) {
  EXPECT_EQ(WatchTimeout(*http::NewRequest("GET", "/api/v1/pods?watch=1"), absl::ZeroDuration()),
            absl::InfiniteDuration());
}

}  // namespace
}  // namespace apiserve::chain
