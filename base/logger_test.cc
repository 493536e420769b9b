#include "base/logger.h"

#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::base {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// Collects what the logger writes. The sink runs on the drainer thread, so access is locked.
class CapturedOutput {
 public:
  std::function<void(absl::string_view)> Sink() {
    return [this](absl::string_view data) {
      MutexLock lock(&mu_);
      absl::StrAppend(&text_, data);
    };
  }
  std::vector<std::string> Lines() {
    MutexLock lock(&mu_);
    return absl::StrSplit(text_, '\n', absl::SkipEmpty());
  }

 private:
  Mutex mu_;
  std::string text_ ABSL_GUARDED_BY(mu_);
};

TEST(LoggerTest, PrefixHasKlogFormat) {
  const absl::Time time =
      absl::FromCivil(absl::CivilSecond(2026, 11, 29, 4, 30, 0), absl::LocalTimeZone()) + absl::Microseconds(123456);
  const std::string pid = absl::StrCat(::getpid());
  const std::string expected =
      absl::StrCat("I1129 04:30:00.123456 ", std::string(7 - pid.size(), ' '), pid, " file.cc:42] ");
  EXPECT_EQ(Logger::FormatPrefix(LogSeverity::kInfo, time, "some/dir/file.cc", 42), expected);
  EXPECT_EQ(Logger::FormatPrefix(LogSeverity::kWarning, time, "file.cc", 1)[0], 'W');
  EXPECT_EQ(Logger::FormatPrefix(LogSeverity::kError, time, "file.cc", 1)[0], 'E');
  EXPECT_EQ(Logger::FormatPrefix(LogSeverity::kFatal, time, "file.cc", 1)[0], 'F');
}

TEST(LoggerTest, WritesWholeLinesInOrder) {
  CapturedOutput output;
  Logger::Options options;
  options.sink = output.Sink();
  Logger logger(options);
  logger.Log(LogSeverity::kInfo, "a.cc", 1, "first");
  logger.Log(LogSeverity::kError, "b.cc", 2, "second\n");
  logger.Flush();
  const std::vector<std::string> lines = output.Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], MatchesRegex("I[0-9]{4} [0-9:.]{15} +[0-9]+ a\\.cc:1\\] first"));
  EXPECT_THAT(lines[1], MatchesRegex("E[0-9]{4} [0-9:.]{15} +[0-9]+ b\\.cc:2\\] second"));
}

TEST(LoggerTest, VerbosityGatesVlog) {
  Logger& global = Logger::Global();
  const int saved = global.verbosity();
  global.SetVerbosity(1);
  EXPECT_TRUE(global.VEnabled(0));
  EXPECT_TRUE(global.VEnabled(1));
  EXPECT_FALSE(global.VEnabled(2));
  int evaluated = 0;
  VLOG(2) << "not built: " << ++evaluated;
  EXPECT_EQ(evaluated, 0);
  VLOG(1) << "built: " << ++evaluated;
  EXPECT_EQ(evaluated, 1);
  global.SetVerbosity(saved);
}

TEST(LoggerTest, FullBufferDropsCountsAndReports) {
  Mutex gate_mu;
  bool gate_open = false;
  CondVar gate;
  CapturedOutput output;
  auto capture = output.Sink();
  Logger::Options options;
  options.max_buffered_bytes = 200;
  // The first write blocks until the test opens the gate: a stuck stderr.
  options.sink = [&](absl::string_view data) {
    {
      MutexLock lock(&gate_mu);
      while (!gate_open) gate.Wait(&gate_mu);
    }
    capture(data);
  };
  Logger logger(options);
  const std::string message(60, 'x');
  // The drainer takes the first line and blocks in the sink; wait until the queue is empty again.
  logger.Log(LogSeverity::kInfo, "f.cc", 1, message);
  for (int i = 0; i < 1000 && logger.DroppedLines() == 0; ++i) {
    logger.Log(LogSeverity::kInfo, "f.cc", 2, message);
  }
  EXPECT_GT(logger.DroppedLines(), 0u);
  const uint64_t dropped = logger.DroppedLines();
  {
    MutexLock lock(&gate_mu);
    gate_open = true;
    gate.SignalAll();
  }
  logger.Flush();
  // Flush only waits for enqueued lines; the drop report follows them in the same or the next write.
  for (int i = 0; i < 200; ++i) {
    bool reported = false;
    for (const std::string& line : output.Lines()) {
      if (line.find("Dropped") != std::string::npos) reported = true;
    }
    if (reported) break;
    ::usleep(5000);
  }
  std::string report;
  for (const std::string& line : output.Lines()) {
    if (line.find("Dropped") != std::string::npos) report = line;
  }
  EXPECT_THAT(report, HasSubstr(absl::StrCat("Dropped ", dropped, " log lines (log buffer full)")));
  EXPECT_EQ(report[0], 'W');
}

TEST(LoggerTest, LastFlushAdvancesWhenIdle) {
  Logger::Options options;
  options.sink = [](absl::string_view) {};
  options.idle_flush_interval = absl::Milliseconds(5);
  Logger logger(options);
  const absl::Time first = logger.LastFlush();
  for (int i = 0; i < 400 && logger.LastFlush() == first; ++i) ::usleep(5000);
  EXPECT_GT(logger.LastFlush(), first);
}

TEST(LoggerDeathTest, FatalExitsWith255) {
  EXPECT_EXIT(LOG(FATAL) << "cannot continue", ::testing::ExitedWithCode(255), "cannot continue");
}

}  // namespace
}  // namespace apiserve::base
