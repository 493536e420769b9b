#ifndef APISERVE_HTTP_REQUEST_H_
#define APISERVE_HTTP_REQUEST_H_

// http::Request: one HTTP request as the codecs hand it to handlers, protocol-independent.
//
// A request is created by a codec on the connection's loop, passed to the handler as a RequestPtr, and may be kept
// by an asynchronous handler for as long as it needs it. Handlers and filters on the loop may modify it (filters
// attach context); after the handler has passed it to another thread, treat it as read-only.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/executor.h"
#include "http/connection_info.h"
#include "http/header_map.h"
#include "http/request_body.h"
#include "lifecycle/signal.h"

namespace apiserve::http {

enum class Protocol { kHttp10, kHttp11, kHttp2 };

// ProtocolName returns "HTTP/1.0", "HTTP/1.1" or "HTTP/2.0" (Go's r.Proto).
absl::string_view ProtocolName(Protocol protocol);

class Request;
using RequestPtr = std::shared_ptr<Request>;

// NewRequest returns an empty request. Codecs use it: a request dropped on a thread is reset and kept (up to a
// bound) for that thread's next NewRequest, buffers included, so a warm server does not allocate a request's
// strings and headers again.
RequestPtr NewRequest();

class Request {
 public:
  Request() = default;
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;

  std::string method;  // "GET"
  // target is the request target as sent (origin-form "/a?b", or absolute-form for HTTP/1.1 proxies' style).
  std::string target;
  std::string path;       // decoded-free path component, e.g. "/apis/demo.apiserve.io/v1/echo"
  std::string raw_query;  // after '?', undecoded, e.g. "verbose&exclude=etcd"
  std::string authority;  // Host header (HTTP/1.1) or :authority (HTTP/2)
  std::string scheme = "https";
  Protocol protocol = Protocol::kHttp11;
  HeaderMap headers;
  // body_stream is the body as it arrives (see http/request_body.h); null when the request has none (no
  // Content-Length or a zero one and no chunked encoding; HTTP/2: HEADERS ended the stream).
  std::shared_ptr<RequestBody> body_stream;
  // body holds the whole body once ReadBody has read it.
  std::string body;

  std::shared_ptr<const ConnectionInfo> connection;
  // received_time is when the request arrived, on the request's clock (RequestClockNow). The codecs stamp it when
  // the request head is complete; InfinitePast means nobody has yet (a hand-built request): see StampReceivedTime.
  absl::Time received_time = absl::InfinitePast();
  // executor is the connection's loop: handlers schedule timers and post completions through it. Borrowed; set by
  // the codec's owner for every request.
  base::Executor* executor = nullptr;
  // shutting_down fires when the server stops accepting new requests, so long-running handlers can end cleanly
  // (kube's ServerShutdownSignal). May be null (no server lifecycle, e.g. codec tests). Borrowed.
  lifecycle::Signal* shutting_down = nullptr;

  // Query parameters, parsed from raw_query on first use: '&'-separated, '+' and %XX decoded, keys without '='
  // have an empty value. Invalid escapes are kept literally.
  const std::vector<std::pair<std::string, std::string>>& QueryParams() const;
  // HasQuery reports whether `key` appears at all (`?verbose` and `?verbose=false` both count).
  bool HasQuery(absl::string_view key) const;
  // Query returns the first value for `key`.
  std::optional<std::string> Query(absl::string_view key) const;
  // QueryAll returns every value for `key`, in order.
  std::vector<std::string> QueryAll(absl::string_view key) const;

  // Typed context attached by filters (request info, user, markers). One value per type T.
  template <typename T>
  T* Context() const {
    for (const auto& [key, value] : context_) {
      if (key == TypeKey<T>()) return static_cast<T*>(value.get());
    }
    return nullptr;
  }
  // SetContext keys the value by T, const included: a value set as shared_ptr<const U> is read as Context<const U>.
  template <typename T>
  T* SetContext(std::shared_ptr<T> value) {
    T* raw = value.get();
    std::shared_ptr<void> stored = std::const_pointer_cast<std::remove_const_t<T>>(std::move(value));
    for (auto& [key, existing] : context_) {
      if (key == TypeKey<T>()) {
        existing = std::move(stored);
        return raw;
      }
    }
    context_.emplace_back(TypeKey<T>(), std::move(stored));
    return raw;
  }

 private:
  friend RequestPtr NewRequest();
  // ResetForReuse empties the request for its next use, keeping its buffers unless they are large.
  static void ResetForReuse(Request* request);

  template <typename T>
  static const void* TypeKey() {
    static const char key = 0;
    return &key;
  }

  mutable std::optional<std::vector<std::pair<std::string, std::string>>> query_params_;
  absl::InlinedVector<std::pair<const void*, std::shared_ptr<void>>, 4> context_;  // request info, user, ...
};

// RequestClockNow returns the time now on `request`'s clock: its executor's Now() (the connection's loop clock, the
// clock the codec stamped received_time with; a fake one in tests), or absl::Now() when the request has no executor
// (a hand-built request). Every duration measured for a request (latency, deadline) reads both ends here.
absl::Time RequestClockNow(const Request& request);

// StampReceivedTime sets request->received_time to RequestClockNow(*request) if it is still InfinitePast (nobody
// stamped it: the codecs do for every request they parse), and returns received_time. Idempotent: the first stamp
// wins, so filters that need the start time may all call it. `request` is borrowed. Loop thread only.
absl::Time StampReceivedTime(Request* request);

// ReadBody reads `request`'s whole body into request->body, then runs `done` once on the request's loop: OK (at
// once for a request without a body), or the body's error (ResourceExhausted over the limit, which the chain then
// answers with 413; Cancelled when the client went away; FailedPrecondition when the response completed first).
// Bounded by the limit the chain set on the body, kDefaultMaxBodyBytes if none. On an error the chain has answered
// (413) or nobody is listening any more, so a handler may simply return. Loop thread only.
void ReadBody(const RequestPtr& request, absl::AnyInvocable<void(absl::Status)> done);

// SplitTarget splits an origin-form or absolute-form request target into path and raw query. An absolute-form
// target ("https://host/p?q") yields its path ("/p") and sets `authority` to its host if non-null.
void SplitTarget(absl::string_view target, std::string* path, std::string* raw_query, std::string* authority = nullptr);

// DecodeQueryComponent decodes '+' and %XX (invalid escapes are kept as written).
std::string DecodeQueryComponent(absl::string_view component);

}  // namespace apiserve::http

#endif  // APISERVE_HTTP_REQUEST_H_
