#include "tls/file_watcher.h"

#include <atomic>

#include "absl/time/clock.h"
#include "base/poll_until.h"
#include "base/status_matchers.h"
#include "gtest/gtest.h"
#include "tls/test_certs.h"

namespace apiserve::tls {
namespace {

constexpr absl::Duration kPoll = absl::Milliseconds(2);

using ::apiserve::base::IsOk;

TEST(FileWatcherTest, EventsInTheDirectoryTriggerOneDebouncedCall) {
  testing::TempDir dir;
  const std::string file = dir.Write("a.pem", "1");
  std::atomic<int> calls{0};
  auto watcher = FileWatcher::Start({{file}, absl::Hours(1), absl::Milliseconds(20)}, [&] { calls++; });
  ASSERT_THAT(watcher, IsOk());
  dir.Write("a.pem", "2");
  dir.Write("b.pem", "x");
  EXPECT_TRUE(base::PollUntil([&] { return calls.load() >= 1; }, absl::Seconds(10), kPoll));
  absl::SleepFor(absl::Milliseconds(60));
  EXPECT_EQ(calls.load(), 1);
}

TEST(FileWatcherTest, PeriodicCheckWithoutEventsAndStopsCleanly) {
  testing::TempDir dir;
  std::atomic<int> calls{0};
  auto watcher = FileWatcher::Start({{dir.Join("missing/dir/x.pem")}, absl::Milliseconds(5), absl::Milliseconds(1)},
                                    [&] { calls++; });
  ASSERT_THAT(watcher, IsOk());
  EXPECT_TRUE(base::PollUntil([&] { return calls.load() >= 3; }, absl::Seconds(10), kPoll));
  watcher->reset();  // joins promptly
  const int after = calls.load();
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(calls.load(), after);
}

}  // namespace
}  // namespace apiserve::tls
