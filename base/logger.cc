#include "base/logger.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace apiserve::base {
namespace {

void WriteToStderr(absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // Nowhere left to report a logging failure.
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

char SeverityLetter(LogSeverity severity) {
  switch (severity) {
    case LogSeverity::kInfo:
      return 'I';
    case LogSeverity::kWarning:
      return 'W';
    case LogSeverity::kError:
      return 'E';
    case LogSeverity::kFatal:
      return 'F';
  }
  return '?';
}

Logger::Options WithDefaults(Logger::Options options) {
  if (!options.sink) options.sink = WriteToStderr;
  if (!options.clock) options.clock = [] { return absl::Now(); };
  return options;
}

}  // namespace

Logger::Logger(Options options) : options_(WithDefaults(std::move(options))) {
  {
    MutexLock lock(&mu_);
    last_flush_ = options_.clock();
  }
  drainer_ = std::thread([this] { DrainLoop(); });
}

Logger::~Logger() {
  Flush();
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  wake_drainer_.SignalAll();
  drainer_.join();
}

Logger& Logger::Global() {
  static Logger* const global = [] {
    auto* logger = new Logger(Options{});
    std::atexit([] { Logger::Global().Flush(); });
    return logger;
  }();
  return *global;
}

std::string Logger::FormatPrefix(LogSeverity severity, absl::Time time, absl::string_view file, int line) {
  static const int pid = static_cast<int>(::getpid());
  const size_t slash = file.rfind('/');
  if (slash != absl::string_view::npos) file.remove_prefix(slash + 1);
  return absl::StrFormat("%c%s %7d %s:%d] ", SeverityLetter(severity),
                         absl::FormatTime("%m%d %H:%M:%E6S", time, absl::LocalTimeZone()), pid, file, line);
}

void Logger::Log(LogSeverity severity, absl::string_view file, int line, absl::string_view message) {
  std::string formatted = FormatPrefix(severity, options_.clock(), file, line);
  absl::StrAppend(&formatted, message);
  if (formatted.back() != '\n') formatted.push_back('\n');
  bool enqueued = false;
  {
    MutexLock lock(&mu_);
    if (queued_bytes_ + formatted.size() <= options_.max_buffered_bytes || severity == LogSeverity::kFatal) {
      queued_bytes_ += formatted.size();
      queue_.push_back(std::move(formatted));
      ++enqueued_seq_;
      enqueued = true;
    } else {
      ++dropped_total_;
      ++dropped_unreported_;
    }
  }
  if (enqueued) wake_drainer_.Signal();
  if (severity == LogSeverity::kFatal) {
    Flush();
    ::_exit(255);
  }
}

void Logger::Flush() {
  MutexLock lock(&mu_);
  const uint64_t target = enqueued_seq_;
  while (written_seq_ < target) written_.Wait(&mu_);
}

absl::Time Logger::LastFlush() const {
  MutexLock lock(&mu_);
  return last_flush_;
}

uint64_t Logger::DroppedLines() const {
  MutexLock lock(&mu_);
  return dropped_total_;
}

void Logger::DrainLoop() {
  std::deque<std::string> batch;
  for (;;) {
    uint64_t dropped = 0;
    {
      MutexLock lock(&mu_);
      while (queue_.empty() && dropped_unreported_ == 0 && !stopping_) {
        if (wake_drainer_.WaitWithTimeout(&mu_, options_.idle_flush_interval)) {
          last_flush_ = options_.clock();  // Idle and able to take the lock: not blocked.
        }
      }
      if (queue_.empty() && dropped_unreported_ == 0 && stopping_) return;
      batch.swap(queue_);
      queued_bytes_ = 0;
      dropped = dropped_unreported_;
      dropped_unreported_ = 0;
    }
    std::string chunk;
    for (std::string& line : batch) absl::StrAppend(&chunk, line);
    if (dropped > 0) {
      absl::StrAppend(&chunk, FormatPrefix(LogSeverity::kWarning, options_.clock(), __FILE__, __LINE__), "Dropped ",
                      dropped, " log lines (log buffer full)\n");
    }
    options_.sink(chunk);
    {
      MutexLock lock(&mu_);
      written_seq_ += batch.size();
      last_flush_ = options_.clock();
    }
    batch.clear();
    written_.SignalAll();
  }
}

}  // namespace apiserve::base
