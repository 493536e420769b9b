#ifndef APISERVE_BASE_LOGGER_H_
#define APISERVE_BASE_LOGGER_H_

// base::Logger: klog-format logging that never blocks the caller on stderr.
//
//   LOG(INFO) << "Serving securely on " << address;
//   VLOG(1) << "[graceful-termination] shutdown event name=\"ShutdownInitiated\"";
//
// Lines look like klog's: `I1129 04:30:00.123456   12345 file.cc:42] message` (severity letter, month-day, local
// time with microseconds, process id padded to 7, source file and line). Callers format and enqueue a line; one
// drainer thread writes the queue to the sink (stderr by default). When the queue is full (a stuck stderr), lines are
// dropped and counted, and the drainer reports `Dropped N log lines (log buffer full)` as soon as it can write again.
//
// LOG(FATAL) flushes and exits the process with status 255, as klog.Fatal does.
// Thread-safe. The global logger lives until process exit; an atexit handler flushes it.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/mutex.h"

namespace apiserve::base {

enum class LogSeverity { kInfo, kWarning, kError, kFatal };

class Logger {
 public:
  struct Options {
    // Bytes of formatted lines held while the sink is slow; beyond this, lines are dropped and counted.
    size_t max_buffered_bytes = size_t{8} << 20;
    // How often the drainer proves it is alive by updating LastFlush() when idle.
    absl::Duration idle_flush_interval = absl::Seconds(1);
    // Receives whole formatted lines (with the trailing newline). Default: write(2) to stderr. Called only on the
    // drainer thread.
    std::function<void(absl::string_view)> sink;
    // Clock for timestamps and LastFlush(). Default: absl::Now.
    std::function<absl::Time()> clock;
  };

  explicit Logger(Options options);
  // Flushes what is queued and stops the drainer.
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // Global is the process-wide logger used by LOG and VLOG. It writes to stderr.
  static Logger& Global();

  // Verbosity (`-v`): VLOG(n) lines are kept when n <= verbosity. Changeable at run time; thread-safe.
  void SetVerbosity(int verbosity) { verbosity_.store(verbosity, std::memory_order_relaxed); }
  int verbosity() const { return verbosity_.load(std::memory_order_relaxed); }
  bool VEnabled(int level) const { return level <= verbosity(); }

  // Log formats and enqueues one line. For kFatal it flushes and exits the process with status 255.
  void Log(LogSeverity severity, absl::string_view file, int line, absl::string_view message);

  // Flush blocks until every line enqueued before the call has reached the sink.
  void Flush();

  // LastFlush is the last time the drainer had written everything queued (updated at least every
  // idle_flush_interval while the sink is not stuck). The `log` health check fails when it is too old.
  absl::Time LastFlush() const;

  // DroppedLines counts lines dropped because the buffer was full, since the logger started.
  uint64_t DroppedLines() const;

  // FormatPrefix returns klog's line prefix for `severity` at `time` from `file`:`line` (file reduced to its base
  // name), e.g. "I1129 04:30:00.123456   12345 file.cc:42] ".
  static std::string FormatPrefix(LogSeverity severity, absl::Time time, absl::string_view file, int line);

 private:
  void DrainLoop();

  const Options options_;
  std::atomic<int> verbosity_{0};

  mutable Mutex mu_;
  CondVar wake_drainer_;
  CondVar written_;
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t enqueued_seq_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t written_seq_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t dropped_total_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t dropped_unreported_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_flush_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread drainer_;
};

// LogMessage collects one LOG statement's text and hands it to the global logger when destroyed.
class LogMessage {
 public:
  LogMessage(LogSeverity severity, const char* file, int line) : severity_(severity), file_(file), line_(line) {}
  ~LogMessage() { Logger::Global().Log(severity_, file_, line_, stream_.str()); }
  LogMessage(const LogMessage&) = delete;
  LogMessage& operator=(const LogMessage&) = delete;
  std::ostream& stream() { return stream_; }

 private:
  const LogSeverity severity_;
  const char* const file_;
  const int line_;
  std::ostringstream stream_;
};

// LogMessageVoidify lets a conditional LOG statement be an expression of type void.
struct LogMessageVoidify {
  void operator&(std::ostream&) {}
};

constexpr LogSeverity kLogSeverity_INFO = LogSeverity::kInfo;
constexpr LogSeverity kLogSeverity_WARNING = LogSeverity::kWarning;
constexpr LogSeverity kLogSeverity_ERROR = LogSeverity::kError;
constexpr LogSeverity kLogSeverity_FATAL = LogSeverity::kFatal;

}  // namespace apiserve::base

#define APISERVE_LOG(severity) \
  ::apiserve::base::LogMessage(::apiserve::base::kLogSeverity_##severity, __FILE__, __LINE__).stream()

#define APISERVE_VLOG(level)                          \
  !::apiserve::base::Logger::Global().VEnabled(level) \
      ? (void)0                                       \
      : ::apiserve::base::LogMessageVoidify() &       \
            ::apiserve::base::LogMessage(::apiserve::base::LogSeverity::kInfo, __FILE__, __LINE__).stream()

#ifndef LOG
#define LOG(severity) APISERVE_LOG(severity)
#endif
#ifndef VLOG
#define VLOG(level) APISERVE_VLOG(level)
#endif

#endif  // APISERVE_BASE_LOGGER_H_
