#ifndef APISERVE_TESTS_E2E_APISERVER_PROCESS_H_
#define APISERVE_TESTS_E2E_APISERVER_PROCESS_H_

// End-to-end harness: the real apiserver binary in a child process, on a free port of 127.0.0.1, with its own
// certificate directory, plus helpers to drive it with real clients (curl, openssl s_client, nghttp, h2load). The
// harness binds and listens on the port itself and hands the socket to the child through systemd's socket
// activation (fd 3, LISTEN_FDS=1, LISTEN_PID), so no other process can take the port before the child serves it.
//
//   ApiserverProcess server({"--shutdown-delay-duration=200ms", "-v=1"});
//   ASSERT_TRUE(server.Start().ok());
//   CurlResult r = Curl(server, "/healthz", {"--http2"});
//   server.Signal(SIGTERM);
//   EXPECT_EQ(server.Wait(), 0);
//   EXPECT_THAT(server.Log(), HasSubstr("[graceful-termination] apiserver is exiting"));

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace apiserve::e2e {

class ApiserverProcess {
 public:
  // `flags` are added after the harness's own (--bind-address, --secure-port, --cert-dir). A `--secure-port=N` among
  // them turns the socket handover off: the child binds port N itself (port() is N). With --permit-port-sharing
  // the handed-over socket has SO_REUSEPORT, as systemd's ReusePort= would set it.
  explicit ApiserverProcess(std::vector<std::string> flags = {});
  // Kills the child if it still runs.
  ~ApiserverProcess();

  // Start spawns the binary and waits until it logs "Serving securely on" (or exits: Internal with its log), then
  // until /readyz is not 500 (its post-start hooks have run), for at most 5 s more.
  absl::Status Start(absl::Duration timeout = absl::Seconds(20));
  // Signal sends `signo` to the child.
  void Signal(int signo);
  // Wait waits for the child to exit and returns its exit status (128+signal if killed); -1 on timeout.
  int Wait(absl::Duration timeout = absl::Seconds(30));
  // WaitForLog waits until the log contains `text`.
  bool WaitForLog(const std::string& text, absl::Duration timeout = absl::Seconds(10)) const;

  std::string Log() const;
  int port() const { return port_; }
  // pid is the child's process id (-1 before Start and after Wait).
  pid_t pid() const { return pid_; }
  const std::string& dir() const { return dir_; }
  std::string Url(const std::string& path) const;

 private:
  std::vector<std::string> flags_;
  std::string dir_;
  std::string log_path_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// Path of the apiserver binary in the test's runfiles.
std::string ApiserverBinary();
// TempDir makes a new directory under $TEST_TMPDIR.
std::string TempDir(const std::string& prefix);

struct CommandResult {
  int exit_code = -1;
  std::string out;  // standard output
  std::string err;  // standard error
};

// RunCommand runs `argv` (no shell), with `input` on its standard input, bounded by `timeout`.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& input = "",
                         absl::Duration timeout = absl::Seconds(30));

struct CurlResult {
  int status = 0;            // HTTP status, 0 if no response
  std::string http_version;  // "2", "1.1"
  std::string body;
  std::string headers;  // raw response headers
  int exit_code = -1;
  std::string err;
};

// Curl fetches `path` from `server` with curl -sk and `extra` options (e.g. {"--http2"}, {"-X", "POST"}).
CurlResult Curl(const ApiserverProcess& server, const std::string& path, const std::vector<std::string>& extra = {});

}  // namespace apiserve::e2e

#endif  // APISERVE_TESTS_E2E_APISERVER_PROCESS_H_
