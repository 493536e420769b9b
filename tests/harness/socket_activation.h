#ifndef APISERVE_TESTS_HARNESS_SOCKET_ACTIVATION_H_
#define APISERVE_TESTS_HARNESS_SOCKET_ACTIVATION_H_

// The sending half of systemd's socket activation, for tests that run a server in a child process: the test listens
// on 127.0.0.1:0 itself, so it knows the port before the child starts and no other process can take the port in
// between, and the child inherits the listening socket as fd 3 with LISTEN_FDS=1 and LISTEN_PID=<its pid> (the
// receiving half is server::TakeSocketActivationListener, called by options::SecureServingOptions::ApplyTo).
//
//   int port = 0;
//   ASSIGN_OR_RETURN(int listener, harness::ListenOnLoopback(/*reuse_port=*/false, &port));
//   ASSIGN_OR_RETURN(pid_t pid, harness::SpawnWithListener({binary, absl::StrCat("--secure-port=", port)},
//                                                          log_path, listener));

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace apiserve::harness {

// ListenOnLoopback listens on 127.0.0.1:0 and returns the socket (close-on-exec; SO_REUSEPORT when `reuse_port`, as
// systemd's ReusePort= would set it), with its port in `port`. The caller owns the socket. Returns Internal naming
// the failed call and errno's message.
absl::StatusOr<int> ListenOnLoopback(bool reuse_port, int* port);

// SpawnWithListener forks and executes `argv[0]` (a path; no PATH search) with `argv`, its standard output and error
// appended to a new `log_path` (truncated), and the environment of this process without its LISTEN_* variables.
// When `listener` >= 0 the child gets it as fd 3 with LISTEN_FDS=1 and LISTEN_PID=<child pid>; the call takes
// ownership of `listener` and closes it in this process (also on failure). Returns the child's pid, or Internal when
// fork fails; a child that cannot start exits with 126 (fd 3 could not be set) or 127 (exec failed).
absl::StatusOr<pid_t> SpawnWithListener(const std::vector<std::string>& argv, const std::string& log_path,
                                        int listener);

}  // namespace apiserve::harness

#endif  // APISERVE_TESTS_HARNESS_SOCKET_ACTIVATION_H_
