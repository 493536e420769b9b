#include "tests/e2e/apiserver_process.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "tests/harness/socket_activation.h"

namespace apiserve::e2e {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<char*> Argv(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

std::string ApiserverBinary() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir != nullptr ? srcdir : ".", "/", workspace != nullptr ? workspace : "apiserve",
                      "/cmd/apiserver/apiserver");
}

std::string TempDir(const std::string& prefix) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string templ = absl::StrCat(base != nullptr ? base : "/tmp", "/", prefix, "XXXXXX");
  return ::mkdtemp(templ.data()) != nullptr ? templ : std::string("/tmp");
}

ApiserverProcess::ApiserverProcess(std::vector<std::string> flags) : flags_(std::move(flags)) {
  dir_ = TempDir("apiserver");
  log_path_ = dir_ + "/apiserver.log";
}

ApiserverProcess::~ApiserverProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

std::string ApiserverProcess::Url(const std::string& path) const {
  return absl::StrCat("https://127.0.0.1:", port_, path);
}

absl::Status ApiserverProcess::Start(absl::Duration timeout) {
  // The harness listens on 127.0.0.1:0 and hands the socket to the child (systemd's socket activation: fd 3,
  // LISTEN_FDS, LISTEN_PID), so the port is the child's before it starts and no other process can take it in
  // between. Its socket has SO_REUSEPORT when the flags permit port sharing (as systemd's ReusePort=). When the
  // test's flags name a --secure-port, the child binds that port itself (tests of binding).
  int listener = -1;
  bool port_given = false;
  bool reuse_port = false;
  for (const std::string& flag : flags_) {
    if (absl::StartsWith(flag, "--secure-port=")) port_given = absl::SimpleAtoi(flag.substr(14), &port_);
    if (flag == "--permit-port-sharing" || flag == "--permit-port-sharing=true") reuse_port = true;
  }
  std::vector<std::string> args = {ApiserverBinary(), "--bind-address=127.0.0.1",
                                   absl::StrCat("--cert-dir=", dir_, "/certs")};
  if (!port_given) {
    absl::StatusOr<int> listening = harness::ListenOnLoopback(reuse_port, &port_);
    if (!listening.ok()) return listening.status();
    listener = *listening;
    args.push_back(absl::StrCat("--secure-port=", port_));
  }
  args.insert(args.end(), flags_.begin(), flags_.end());
  absl::StatusOr<pid_t> spawned = harness::SpawnWithListener(args, log_path_, listener);
  if (!spawned.ok()) return spawned.status();
  pid_ = *spawned;
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (Log().find("Serving securely on") != std::string::npos) {
      // Post-start hooks run once the listener is bound, and their checks fail until they return: wait until
      // /readyz is no longer red (200, or 401/403 when the flags keep anonymous clients out), so a test starts
      // against a ready server. Bounded: a server that never gets ready is the test's to find.
      const absl::Time ready_by = std::min(deadline, absl::Now() + absl::Seconds(5));
      while (absl::Now() < ready_by) {
        const CurlResult readyz = Curl(*this, "/readyz", {"--http1.1", "--max-time", "2", "-o", "/dev/null"});
        if (readyz.status != 0 && readyz.status != 500) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      return absl::OkStatus();
    }
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError(absl::StrCat("apiserver exited during start:\n", Log()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError(absl::StrCat("apiserver did not start:\n", Log()));
}

void ApiserverProcess::Signal(int signo) {
  if (pid_ > 0) ::kill(pid_, signo);
}

int ApiserverProcess::Wait(absl::Duration timeout) {
  if (pid_ <= 0) return -1;
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

bool ApiserverProcess::WaitForLog(const std::string& text, absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (Log().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::string ApiserverProcess::Log() const { return ReadFile(log_path_); }

CommandResult RunCommand(const std::vector<std::string>& argv_strings, const std::string& input,
                         absl::Duration timeout) {
  CommandResult result;
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe(in_pipe) != 0 || ::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0) return result;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in_pipe[0], STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    std::vector<char*> argv = Argv(argv_strings);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (!input.empty()) {
    [[maybe_unused]] ssize_t n = ::write(in_pipe[1], input.data(), input.size());
  }
  ::close(in_pipe[1]);
  const absl::Time deadline = absl::Now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open = 2;
  char buffer[65536];
  while (open > 0 && absl::Now() < deadline) {
    if (::poll(fds, 2, 100) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP)) == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof(buffer));
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      } else {
        (i == 0 ? result.out : result.err).append(buffer, static_cast<size_t>(n));
      }
    }
  }
  for (auto& fd : fds) {
    if (fd.fd >= 0) ::close(fd.fd);
  }
  int status = 0;
  if (open > 0) ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

CurlResult Curl(const ApiserverProcess& server, const std::string& path, const std::vector<std::string>& extra) {
  const std::string headers_file = TempDir("curl") + "/headers";
  std::vector<std::string> argv = {"curl", "-sk",        "--max-time", "20",
                                   "-D",   headers_file, "-w",         "\n%{http_code} %{http_version}"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(server.Url(path));
  CommandResult run = RunCommand(argv);
  CurlResult result;
  result.exit_code = run.exit_code;
  result.err = run.err;
  const size_t last = run.out.rfind('\n');
  if (last != std::string::npos) {
    result.body = run.out.substr(0, last);
    std::vector<std::string> tail = absl::StrSplit(run.out.substr(last + 1), ' ');
    if (tail.size() == 2) {
      absl::SimpleAtoi(tail[0], &result.status);
      result.http_version = tail[1];
    }
  }
  result.headers = ReadFile(headers_file);
  return result;
}

}  // namespace apiserve::e2e
