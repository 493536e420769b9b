#ifndef APISERVE_SERVER_CONNECTION_TIMER_H_
#define APISERVE_SERVER_CONNECTION_TIMER_H_

// The timer policy of a server connection, as a pure function of its state and options: which one of its timers
// runs now and for how long. server::Connection keeps one uv_timer_t and re-arms it from ChooseTimer after every
// event; tests drive the policy with a fake clock (connection_timer_test.cc).
//
//   handshake or request head in progress → read-header timeout (covers the TLS handshake)
//   idle (codec kIdle)                     → idle trim after idle_trim_delay, then the rest of the idle timeout;
//                                            while draining, drain_idle_grace
//   HTTP/2 shutdown notice sent            → goaway_delay until the final GOAWAY
//   lingering close                        → linger_timeout
//   busy                                   → none

#include <cstddef>

#include "absl/time/time.h"
#include "http/server_codec.h"

namespace apiserve::server {

struct ConnectionOptions {
  absl::Duration read_header_timeout = absl::Seconds(32);  // kube's ReadHeaderTimeout; covers the TLS handshake
  absl::Duration idle_timeout = absl::Seconds(90);         // kube's IdleTimeout
  // After this long idle (less than idle_timeout), the connection releases what it and its codec keep for reuse;
  // the idle timeout still counts from the start of the idle period. A loop left with no connection for this long
  // gives back its recycled blocks and pooled requests. Zero: never.
  absl::Duration idle_trim_delay = absl::Seconds(1);
  absl::Duration linger_timeout = absl::Seconds(1);  // how long to discard input after an error response
  absl::Duration goaway_delay = absl::Seconds(1);    // between the HTTP/2 shutdown notice and the final GOAWAY
  // While draining (Connection::Drain), an HTTP/1.1 connection with no request for this long is closed (its client
  // reconnects through the load balancer, to another replica). Under half of --shutdown-delay-duration to matter.
  absl::Duration drain_idle_grace = absl::Milliseconds(500);
  size_t write_high_water_mark = size_t{1} << 20;  // bytes queued in the socket before we stop producing
};

enum class ConnectionPhase { kHandshake, kOpen, kClosing, kClosed };
enum class TimerKind { kNone, kReadHeader, kIdleTrim, kIdle, kGoaway, kLinger };

// TimerState is what the policy reads from a connection.
struct TimerState {
  ConnectionPhase phase = ConnectionPhase::kHandshake;
  http::CodecPhase codec_phase = http::CodecPhase::kIdle;  // when kOpen
  bool lingering = false;                                  // when kClosing
  bool final_goaway_due = false;  // HTTP/2: the shutdown notice is out, the final GOAWAY is not
  bool draining = false;
  bool idle_trimmed = false;  // this idle period's kIdleTrim has fired
  bool new_requests = false;  // requests were dispatched since the timer was last chosen (a new idle period)
};

struct TimerChoice {
  TimerKind kind = TimerKind::kNone;
  absl::Duration duration;    // when kind != kNone
  bool idle_trimmed = false;  // the connection's idle_trimmed from now on
};

// ChooseTimer returns the timer `state` calls for under `options`.
TimerChoice ChooseTimer(const TimerState& state, const ConnectionOptions& options);

// LazyDeadline keeps one libuv timer armed across the connection's many timer changes instead of stopping and
// restarting it at each: on HTTP/1.1 every request would otherwise stop the idle timer and start it again (two
// timer-heap operations per request). The wanted deadline moves freely; the armed one only ever moves earlier.
// When the armed timer fires before the wanted deadline (or with none wanted) it is re-armed for the rest.
// Times are the loop's milliseconds (uv_now). Pure bookkeeping: the caller starts the uv timer when told.
class LazyDeadline {
 public:
  // Want sets the deadline to `now + ms`. Returns the delay to (re)start the timer with, or -1 if the armed timer
  // fires no later than that (it will re-arm then).
  int64_t Want(uint64_t now, uint64_t ms);
  // Clear wants no deadline; the armed timer, if any, stays and fires for nothing.
  void Clear() { wanted_ = false; }
  // Fired is called when the armed timer fires. Returns true if the wanted deadline has come (the timer event is
  // real); otherwise `*rearm_ms` is the delay to restart the timer with, or -1 if nothing is wanted.
  bool Fired(uint64_t now, int64_t* rearm_ms);

 private:
  bool wanted_ = false;
  uint64_t due_ = 0;  // when wanted_
  bool armed_ = false;
  uint64_t armed_due_ = 0;  // when armed_
};

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_CONNECTION_TIMER_H_
