#ifndef APISERVE_SERVER_TCP_OPTIONS_H_
#define APISERVE_SERVER_TCP_OPTIONS_H_

// The TCP options every served connection carries, set once on the listening socket: Linux copies a listener's
// socket options into each socket accept4 returns, so the accept path makes no setsockopt call per connection.
//
//   TCP_NODELAY   on: responses go out when written, not held back by Nagle's algorithm.
//   SO_KEEPALIVE  on, with kube's period (tcpKeepAliveListener, SetKeepAlivePeriod(3 min)): the first probe after
//                 3 minutes of silence (TCP_KEEPIDLE) and 3 minutes between probes (TCP_KEEPINTVL), the kernel's
//                 probe count (tcp_keepalive_probes) as Go leaves it.

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace apiserve::server {

inline constexpr absl::Duration kKeepAlivePeriod = absl::Minutes(3);

// SetServingTcpOptions sets those options on `fd`, a TCP socket (listening, or a single connection). Internal error
// naming the option and the errno if one cannot be set; errno is then left as that setsockopt set it.
absl::Status SetServingTcpOptions(int fd);

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_TCP_OPTIONS_H_
