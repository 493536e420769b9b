#ifndef APISERVE_SERVER_SOCKET_ACTIVATION_H_
#define APISERVE_SERVER_SOCKET_ACTIVATION_H_

// server::TakeSocketActivationListener: the receiving half of systemd's socket-activation protocol
// (sd_listen_fds(3)), written here without libsystemd. A process manager (a systemd .socket unit, or a test harness
// that wants the port before the server starts) binds and listens, places the socket at fd 3 (SD_LISTEN_FDS_START)
// and sets LISTEN_PID=<the server's pid> and LISTEN_FDS=<count> in its environment. The socket outlives server
// restarts and is never free for another process to take: the equivalent of kube's
// SecureServingOptions.Listener for a separate process.
//
//   ASSIGN_OR_RETURN(int fd, server::TakeSocketActivationListener());
//   if (fd >= 0) config.serving.inherited_fd = fd;   // SecureServer serves on it instead of binding
//
// Threading: reads and clears the process environment (getenv/unsetenv are not thread-safe): call it early, before
// other threads could read the environment, and once.

#include "absl/status/statusor.h"

namespace apiserve::server {

// kListenFdsStart is the first inherited descriptor (SD_LISTEN_FDS_START).
inline constexpr int kListenFdsStart = 3;

// TakeSocketActivationListener returns fd 3 when the environment hands this process a listening socket
// (LISTEN_PID equals getpid() and LISTEN_FDS >= 1), and -1 when it does not: LISTEN_PID unset or naming another
// process (an environment inherited from a parent it was meant for), LISTEN_FDS unset or 0. In every case it unsets
// LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES, so children do not inherit them.
//
// The returned descriptor is owned by the caller; it has been checked to be a listening TCP (IPv4 or IPv6) stream
// socket and made FD_CLOEXEC and O_NONBLOCK. Descriptors beyond fd 3 (LISTEN_FDS > 1) are made FD_CLOEXEC and left
// unused, with a warning. Errors (the server must not start), each naming the variable or descriptor:
// InvalidArgument when LISTEN_PID or LISTEN_FDS is not a decimal number in range ("LISTEN_FDS=\"x\" is not a
// number of descriptors"); FailedPrecondition when fd 3 is not open or not a listening TCP socket ("LISTEN_FDS=1:
// fd 3 is not a listening TCP socket (SO_ACCEPTCONN=0)"); Internal when fcntl fails.
absl::StatusOr<int> TakeSocketActivationListener();

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_SOCKET_ACTIVATION_H_
