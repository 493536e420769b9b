#include "base/file_watcher.h"

#include <stdlib.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/time/clock.h"
#include "base/poll_until.h"
#include "base/status_matchers.h"
#include "gtest/gtest.h"

namespace apiserve::base {
namespace {

constexpr absl::Duration kPoll = absl::Milliseconds(2);

using ::apiserve::base::IsOk;

// TempDir is a fresh directory under $TEST_TMPDIR (or /tmp), removed on destruction.
class TempDir {
 public:
  TempDir() {
    const char* root = std::getenv("TEST_TMPDIR");
    std::string pattern = std::string(root != nullptr ? root : "/tmp") + "/file_watcher_test.XXXXXX";
    path_ = mkdtemp(pattern.data()) != nullptr ? pattern : "";
    EXPECT_NE(path_, "") << "mkdtemp failed";
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }
  // Write replaces <dir>/<name> with `content` (write to a temporary name, then rename, as kubelet's secret
  // updates do).
  std::string Write(const std::string& name, const std::string& content) const {
    const std::string path = Join(name);
    const std::string temp = path + ".tmp";
    std::ofstream(temp, std::ios::binary | std::ios::trunc) << content;
    EXPECT_EQ(std::rename(temp.c_str(), path.c_str()), 0) << path;
    return path;
  }

 private:
  std::string path_;
};

TEST(FileWatcherTest, EventsInTheDirectoryTriggerOneDebouncedCall) {
  TempDir dir;
  const std::string file = dir.Write("a.pem", "1");
  std::atomic<int> calls{0};
  auto watcher = FileWatcher::Start({{file}, absl::Hours(1), absl::Milliseconds(20)}, [&] { calls++; });
  ASSERT_THAT(watcher, IsOk());
  dir.Write("a.pem", "2");
  dir.Write("b.pem", "x");
  EXPECT_TRUE(PollUntil([&] { return calls.load() >= 1; }, absl::Seconds(10), kPoll));
  absl::SleepFor(absl::Milliseconds(60));
  EXPECT_EQ(calls.load(), 1);
}

TEST(FileWatcherTest, PeriodicCheckWithoutEventsAndStopsCleanly) {
  TempDir dir;
  std::atomic<int> calls{0};
  auto watcher = FileWatcher::Start({{dir.Join("missing/dir/x.pem")}, absl::Milliseconds(5), absl::Milliseconds(1)},
                                    [&] { calls++; });
  ASSERT_THAT(watcher, IsOk());
  EXPECT_TRUE(PollUntil([&] { return calls.load() >= 3; }, absl::Seconds(10), kPoll));
  watcher->reset();  // joins promptly
  const int after = calls.load();
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(calls.load(), after);
}

}  // namespace
}  // namespace apiserve::base
