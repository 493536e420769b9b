#include "lifecycle/os_signals.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"
#include "base/logger.h"

namespace apiserve::lifecycle {
namespace {

std::atomic<int> g_write_fd{-1};
std::atomic<bool> g_installed{false};

void OnOsSignal(int /*signo*/) {
  const int saved_errno = errno;
  const int fd = g_write_fd.load(std::memory_order_relaxed);
  if (fd >= 0) {
    const char byte = 1;
    // A full pipe means a signal is already pending: losing this byte changes nothing.
    [[maybe_unused]] ssize_t ignored = ::write(fd, &byte, 1);
  }
  errno = saved_errno;
}

void WatchSignals(int read_fd, Signal* stop) {
  int received = 0;
  for (;;) {
    char byte;
    const ssize_t n = ::read(read_fd, &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    if (++received == 1) {
      stop->Fire();
    } else {
      LOG(WARNING) << "Received a second termination signal: exiting with status 1";
      base::Logger::Global().Flush();
      ::_exit(1);
    }
  }
}

absl::Status ErrnoStatus(const char* call) {
  return absl::InternalError(absl::StrCat("StopOnOsSignals: ", call, ": ", std::strerror(errno)));
}

}  // namespace

absl::Status StopOnOsSignals(Signal* stop) {
  if (g_installed.exchange(true)) {
    return absl::FailedPreconditionError("StopOnOsSignals: already called once in this process");
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe2");
  // Non-blocking write end: the handler must never block.
  if (::fcntl(fds[1], F_SETFL, O_NONBLOCK) != 0) return ErrnoStatus("fcntl");
  g_write_fd.store(fds[1], std::memory_order_relaxed);

  std::thread(WatchSignals, fds[0], stop).detach();

  struct sigaction action;
  std::memset(&action, 0, sizeof(action));
  action.sa_handler = OnOsSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  if (::sigaction(SIGTERM, &action, nullptr) != 0) return ErrnoStatus("sigaction(SIGTERM)");
  if (::sigaction(SIGINT, &action, nullptr) != 0) return ErrnoStatus("sigaction(SIGINT)");
  return absl::OkStatus();
}

absl::Status RequestShutdown() {
  if (g_write_fd.load(std::memory_order_relaxed) < 0) {
    return absl::FailedPreconditionError("RequestShutdown: StopOnOsSignals has not been called");
  }
  OnOsSignal(SIGTERM);
  return absl::OkStatus();
}

}  // namespace apiserve::lifecycle
