#ifndef APISERVE_HTTP_SERVER_CODEC_H_
#define APISERVE_HTTP_SERVER_CODEC_H_

// http::ServerCodec: what the server drives for one connection, whatever the protocol (http1::Codec, http2::Codec).
//
// Bytes in → requests to the handler; responses → bytes out. A codec never touches sockets or timers: the server
// feeds it decrypted bytes, pulls its output (PeekOutput/ConsumeOutput, zero-copy: the server writes the slice
// into TLS, then consumes it), asks it what timers to run (phase()), and tells it about the peer and shutdown.
//
// Threading: loop-affine. Every method is called on the connection's loop; handlers run there too (from Feed) and
// may answer later from any thread through their ResponseWriter, which posts to the loop.

#include <cstddef>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "base/clock.h"
#include "base/executor.h"
#include "http/codec_counters.h"
#include "http/handler.h"
#include "http/request.h"
#include "lifecycle/signal.h"

namespace apiserve::http {

// CodecCallbacks is implemented by the server's connection. Loop thread only.
class CodecCallbacks {
 public:
  virtual ~CodecCallbacks() = default;
  // OnOutputReady: the codec produced output outside Feed (an asynchronous answer, a drained stream). The server
  // should pull output soon; it must not call back into the codec from inside this call.
  virtual void OnOutputReady() = 0;
};

// CodecContext is what a codec needs from its connection. Every pointer is borrowed and outlives the codec.
struct CodecContext {
  base::Executor* loop = nullptr;
  // clock is the codec's only source of time (a request's received_time, response Date headers, flood buckets):
  // the connection's loop in production, a fake in tests. Never null; the wall clock unless injected.
  const base::Clock* clock = &base::SystemClock::Get();
  Handler* handler = nullptr;
  CodecCallbacks* callbacks = nullptr;
  std::shared_ptr<const ConnectionInfo> connection;
  lifecycle::Signal* shutting_down = nullptr;  // may be null
};

// CodecPhase tells the server which timer applies.
enum class CodecPhase {
  kIdle,            // no request in progress and none started: idle timeout
  kReadingHeaders,  // part of a request head received: read-header timeout
  kBusy,            // requests in flight or bodies being read/written: no protocol timer
};

class ServerCodec {
 public:
  virtual ~ServerCodec() = default;

  // Feed consumes bytes received from the peer and dispatches complete requests to the handler. An error means
  // the peer broke the protocol: the codec may still have output (an error response, a GOAWAY) to flush, then
  // WantsClose() is true. The message names the problem.
  virtual absl::Status Feed(absl::string_view data) = 0;

  // PeekOutput returns the next contiguous bytes to send (empty if none). Valid until the next call into the
  // codec. ConsumeOutput(n) says the first n of them were taken.
  virtual absl::string_view PeekOutput() = 0;
  virtual void ConsumeOutput(size_t n) = 0;

  // WantsRead: false while the codec wants no more input for now (HTTP/1.1 pipelining read-ahead is full).
  virtual bool WantsRead() const = 0;
  // WantsClose: once the output is flushed, close the connection. WantsLingeringClose: close the write side and
  // drain input for a short while before closing, so the client reads the error response (400/413/431).
  virtual bool WantsClose() const = 0;
  virtual bool WantsLingeringClose() const = 0;

  virtual CodecPhase phase() const = 0;
  // ActiveRequests counts requests dispatched and not yet completed.
  virtual size_t ActiveRequests() const = 0;

  // BeginShutdown starts a graceful close: HTTP/2 sends the shutdown notice (GOAWAY with the maximum stream id);
  // HTTP/1.1 closes once idle and answers in-flight requests with `Connection: close`.
  virtual void BeginShutdown() = 0;
  // CompleteShutdown is the second phase: HTTP/2 sends GOAWAY with the last processed stream id; new streams are
  // refused; the connection closes when the last stream is done.
  virtual void CompleteShutdown() = 0;
  // BeginDrain asks the client to take its next requests elsewhere without cutting anything off (the server is
  // shutting down but still listening): HTTP/1.1 answers every later response with `Connection: close` and, unlike
  // BeginShutdown, keeps an idle connection open and its next request whole (the caller closes the connection once
  // idle long enough); HTTP/2: the same as BeginShutdown. Default: BeginShutdown.
  virtual void BeginDrain() { BeginShutdown(); }

  // OnPeerClosed: the peer went away (EOF, reset, or the server is closing the socket). Pending exchanges
  // complete as "client gone"; the codec produces no more output.
  virtual void OnPeerClosed() = 0;
  // ClientGoneAtEof says what the peer's end of input (TCP FIN) means now: true, the client is gone (the server
  // closes the connection and pending exchanges complete as "client gone"); false, a half-close whose client still
  // waits for the answers in flight. HTTP/2: always true (the protocol has no half-close; Go's server and nghttpx
  // end the connection at EOF). HTTP/1.1: true while a streamed response is in progress (a watch ends when its
  // client closes, as Go cancels the request at EOF); a request not yet answered is still answered. Default: false.
  virtual bool ClientGoneAtEof() const { return false; }
  // ReleaseIdleMemory gives back what the codec keeps for reuse (pooled streams or transactions); the connection
  // calls it once it has been idle for a while (ConnectionOptions::idle_trim_delay). Default: nothing kept.
  virtual void ReleaseIdleMemory() {}
  // RequestsDispatched counts the requests handed to the handler so far: the connection restarts its idle timeout
  // when it moves (a request answered within one read never shows the codec busy).
  virtual uint64_t RequestsDispatched() const { return 0; }
  // counters returns what the codec counted on this connection (floods, GOAWAYs, resets); the server adds them to
  // its sums when the connection closes. Default: nothing counted.
  virtual const CodecCounters& counters() const {
    static const CodecCounters kNone;
    return kNone;
  }
};

}  // namespace apiserve::http

#endif  // APISERVE_HTTP_SERVER_CODEC_H_
