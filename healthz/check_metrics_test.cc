#include "healthz/check_metrics.h"

#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::healthz {
namespace {

using ::testing::ElementsAre;

TEST(CheckMetricsTest, CountsPerNameTypeAndStatusWithLastResultGauge) {
  CheckMetrics metrics;
  metrics.Record("ping", "healthz", true);
  metrics.Record("ping", "healthz", true);
  metrics.Record("etcd", "readyz", true);
  metrics.Record("etcd", "readyz", false);
  metrics.Record("ping", "livez", false);
  EXPECT_THAT(metrics.Snapshot(),
              ElementsAre(CheckSample{"etcd", "readyz", 0, 1, 1}, CheckSample{"ping", "healthz", 1, 2, 0},
                          CheckSample{"ping", "livez", 0, 0, 1}));
  metrics.Record("etcd", "readyz", true);
  EXPECT_EQ(metrics.Snapshot()[0], (CheckSample{"etcd", "readyz", 1, 2, 1}));
}

TEST(CheckMetricsTest, ConcurrentRecords) {
  CheckMetrics metrics;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&metrics] {
      for (int i = 0; i < 1000; ++i) metrics.Record("ping", "readyz", i % 2 == 0);
    });
  }
  for (auto& thread : threads) thread.join();
  const auto snapshot = metrics.Snapshot();
  ASSERT_EQ(snapshot.size(), 1u);
  EXPECT_EQ(snapshot[0].success_total, 2000u);
  EXPECT_EQ(snapshot[0].error_total, 2000u);
}

}  // namespace
}  // namespace apiserve::healthz
