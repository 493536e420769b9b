#include "tests/harness/socket_activation.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

extern char** environ;

namespace apiserve::harness {
namespace {

std::vector<char*> NullTerminated(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (const std::string& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

absl::StatusOr<int> ListenOnLoopback(bool reuse_port, int* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  int one = 1;
  if (reuse_port && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    const int error = errno;
    ::close(fd);
    return absl::InternalError(absl::StrCat("setsockopt(SO_REUSEPORT): ", std::strerror(error)));
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 || ::listen(fd, 1024) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const int error = errno;
    ::close(fd);
    return absl::InternalError(absl::StrCat("listen on 127.0.0.1:0: ", std::strerror(error)));
  }
  *port = ntohs(address.sin_port);
  return fd;
}

absl::StatusOr<pid_t> SpawnWithListener(const std::vector<std::string>& argv, const std::string& log_path,
                                        int listener) {
  // Everything the child needs is built before fork: the child makes only async-signal-safe calls, and writes its
  // pid into the space kept for it in LISTEN_PID.
  std::vector<char*> args = NullTerminated(argv);
  std::vector<std::string> environment;
  for (char** variable = environ; *variable != nullptr; ++variable) {
    if (!absl::StartsWith(*variable, "LISTEN_")) environment.emplace_back(*variable);
  }
  constexpr absl::string_view kListenPid = "LISTEN_PID=";
  if (listener >= 0) {
    environment.emplace_back("LISTEN_FDS=1");
    environment.push_back(std::string(kListenPid) + std::string(20, '\0'));
  }
  std::vector<char*> envp = NullTerminated(environment);
  char* pid_digits = listener >= 0 ? envp[environment.size() - 1] + kListenPid.size() : nullptr;
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    if (listener >= 0) {
      // fd 3 is the listener (dup2 clears FD_CLOEXEC; when it already is fd 3, clear it by hand).
      if (listener == 3) {
        ::fcntl(3, F_SETFD, 0);
      } else if (::dup2(listener, 3) != 3) {
        ::_exit(126);
      }
      int length = 0;
      for (pid_t p = ::getpid(); p > 0; p /= 10) pid_digits[length++] = static_cast<char>('0' + p % 10);
      std::reverse(pid_digits, pid_digits + length);
    }
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  const int fork_error = errno;
  if (listener >= 0) ::close(listener);  // the child has its copy
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(fork_error)));
  return pid;
}

}  // namespace apiserve::harness
