#ifndef APISERVE_HTTP_RESPONSE_WRITER_H_
#define APISERVE_HTTP_RESPONSE_WRITER_H_

// http::ResponseWriter: how a handler answers one request, now or later, from any thread.
//
//   writer.Send(http::TextResponse(200, "ok"));        // whole response
//   writer.WriteHead(200, headers);                     // or streamed:
//   writer.Write(chunk);                                //   ResourceExhausted above the high-water mark:
//   writer.OnWritable([...] { ... });                   //   resume when drained
//   writer.Finish();
//
// One request, one completion: the first of {the handler's answer, a filter's timeout or drain answer through a
// Completer, the client going away} wins; every later attempt returns FailedPrecondition and changes nothing.
// Calls made off the connection's loop are posted to it (in call order); the answer reaches the codec on the loop.
// A writer destroyed before answering sends 500; destroyed after WriteHead but before Finish, it aborts the stream
// (HTTP/1.1: close without the last chunk; HTTP/2: RST_STREAM(INTERNAL_ERROR)). A writer destroyed while an
// exception unwinds does neither: the panic-recovery filter (chain/filters) answers for it.
//
// The codec side implements ResponseSink and creates the writer with NewExchange().

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "base/executor.h"
#include "http/header_map.h"
#include "http/response.h"

namespace apiserve::http {

enum class CompletionReason {
  kAnswered,    // the response was handed to the codec in full
  kAborted,     // the stream was aborted after headers (writer dropped, or a filter aborted it)
  kClientGone,  // the client reset the stream or closed the connection first
};

// Completion is what on-complete hooks learn (status 0 if no status was sent).
struct Completion {
  int status = 0;
  uint64_t body_bytes = 0;
  CompletionReason reason = CompletionReason::kAnswered;
};

// ResponseSink receives a response on the connection's loop; implemented by the codecs' streams. Calls arrive in a
// valid order: SendResponse alone, or SendHead then SendBody* then (SendBody(end) | SendTrailers), or Abort at any
// point after SendHead. None arrives after the codec called Exchange::OnClientGone.
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // SendResponse sends a whole response plus `extra_headers` (filters' decorations, not in response->headers),
  // which go after the response's own fields. The response may be shared with other requests: never modified.
  virtual void SendResponse(ResponsePtr response, absl::Span<const HeaderField> extra_headers) = 0;
  virtual void SendHead(int status, HeaderMap headers, bool end_stream) = 0;
  virtual void SendBody(std::string data, bool end_stream) = 0;
  virtual void SendTrailers(HeaderMap trailers) = 0;
  virtual void Abort() = 0;
};

// Exchange is the completion state shared by a ResponseWriter, its Completers and the codec's stream. The codec
// holds it to report drained bytes and a departed client (loop thread only).
class Exchange {
 public:
  // Made by NewExchange (recycled per thread, decorations' buffers included).
  Exchange() = default;

  // --- codec side, loop thread ---
  // OnBytesDrained: `n` body bytes given through SendBody left the codec's buffer.
  void OnBytesDrained(size_t n);
  // OnClientGone: the stream is gone; the sink must not be used again. Completes with kClientGone if still open.
  void OnClientGone();
  // DetachSink: the codec finished the stream normally and drops the sink (no completion change).
  void DetachSink() { sink_ = nullptr; }

  bool done() const { return state_.load(std::memory_order_acquire) == kDone; }
  bool head_sent() const { return state_.load(std::memory_order_acquire) != kOpen; }

 private:
  friend class ResponseWriter;
  friend class Completer;
  friend std::shared_ptr<Exchange> NewExchange(base::Executor* loop, ResponseSink* sink, size_t high_water_mark);
  enum State { kOpen, kStreaming, kDone };

  // --- handler side, any thread, through ResponseWriter / Completer. `self` is the caller's owning pointer to this
  // exchange: a call made off the loop is posted with a copy of it, which keeps the exchange alive until it runs.
  // (Not enable_shared_from_this: its weak reference would cost every request two more locked instructions.)
  using Self = std::shared_ptr<Exchange>;
  absl::Status Send(const Self& self, ResponsePtr response);
  absl::Status WriteHead(const Self& self, int status, HeaderMap headers);
  absl::Status Write(const Self& self, std::string data);
  absl::Status Finish(const Self& self, HeaderMap trailers);
  absl::Status Abort(const Self& self);
  void OnWritable(const Self& self, absl::AnyInvocable<void()> callback);
  // Taken by reference: a hook is moved once, into the list (each move of an AnyInvocable is an indirect call).
  void OnComplete(const Self& self, absl::AnyInvocable<void(const Completion&)>&& hook);
  void AddResponseHeader(const Self& self, absl::string_view name, absl::string_view value, bool only_if_absent);

  static void ResetForReuse(Exchange* exchange);

  // RunOnLoop runs `fn` now if on the loop with nothing posted ahead of it, else posts it. A template so the
  // common case (a handler answering on the loop) does not box `fn` into a heap-allocated AnyInvocable.
  template <typename Fn>
  void RunOnLoop(const Self& self, Fn&& fn) {
    if (CanRunNow()) {
      fn();
    } else {
      PostToLoop(self, absl::AnyInvocable<void()>(std::forward<Fn>(fn)));
    }
  }
  bool CanRunNow() const;
  void PostToLoop(const Self& self, absl::AnyInvocable<void()> fn);
  void Complete(CompletionReason reason);  // loop thread
  // AddHook runs `hook` now if complete, else keeps it for Complete (loop thread).
  void AddHook(absl::AnyInvocable<void(const Completion&)>&& hook);

  // Set once by NewExchange.
  base::Executor* loop_ = nullptr;
  size_t high_water_mark_ = 0;
  std::atomic<int> state_{kOpen};
  std::atomic<size_t> buffered_{0};
  std::atomic<int> pending_posts_{0};

  // Loop thread only.
  ResponseSink* sink_ = nullptr;
  int status_ = 0;
  uint64_t body_bytes_ = 0;
  bool completed_ = false;
  Completion completion_;
  // Inline capacity covers the filters that hook a request (metrics, timeout, in-flight, wait group, ...).
  absl::InlinedVector<absl::AnyInvocable<void(const Completion&)>, 6> hooks_;
  absl::AnyInvocable<void()> on_writable_;
  // Decorations: the response headers filters added, one field per name, and for each whether the handler's own
  // field of that name wins. A HeaderMap so a recycled exchange reuses the strings.
  HeaderMap decorations_;
  absl::InlinedVector<bool, 8> decoration_if_absent_;
  void AddDecoration(absl::string_view name, absl::string_view value, bool only_if_absent);
  // Decorate applies the decorations to `headers` and clears them.
  void Decorate(HeaderMap* headers);
  // KeepExtraHeaders leaves in decorations_ the fields to send after `headers` (which stay untouched). False when a
  // decoration must replace one of `headers`: the caller copies the response and uses Decorate then.
  bool KeepExtraHeaders(const HeaderMap& headers);
  void ClearDecorations();
};

// NewExchange creates the shared state for one request; see Exchange.
std::shared_ptr<Exchange> NewExchange(base::Executor* loop, ResponseSink* sink,
                                      size_t high_water_mark = size_t{1} << 20);

// Completer lets a filter race the handler: answer if nothing was sent yet (timeout, drain), or abort.
// Copyable; thread-safe.
class Completer {
 public:
  Completer() = default;
  explicit Completer(std::shared_ptr<Exchange> exchange) : exchange_(std::move(exchange)) {}

  // TrySend answers with `response` if nothing has been sent. FailedPrecondition otherwise.
  absl::Status TrySend(ResponsePtr response) const { return exchange_->Send(exchange_, std::move(response)); }
  absl::Status TrySend(Response response) const { return TrySend(Shared(std::move(response))); }
  // TryAbort aborts a stream whose head was sent; FailedPrecondition if nothing or everything was sent.
  absl::Status TryAbort() const { return exchange_->Abort(exchange_); }
  bool done() const { return exchange_->done(); }
  bool head_sent() const { return exchange_->head_sent(); }

 private:
  std::shared_ptr<Exchange> exchange_;
};

class ResponseWriter {
 public:
  ResponseWriter() = default;
  explicit ResponseWriter(std::shared_ptr<Exchange> exchange) : exchange_(std::move(exchange)) {}
  ResponseWriter(ResponseWriter&&) = default;
  ResponseWriter& operator=(ResponseWriter&& other);
  ResponseWriter(const ResponseWriter&) = delete;
  ResponseWriter& operator=(const ResponseWriter&) = delete;
  // Destroying an unfinished writer answers 500 (nothing sent) or aborts the stream (head sent). Inline: every
  // filter hands its writer on by moving it, and the moved-from writers it destroys must cost only this test.
  ~ResponseWriter() {
    if (exchange_ != nullptr) Release();
  }

  // Send answers with a whole response. FailedPrecondition if anything was already sent or the exchange is over.
  absl::Status Send(Response response) { return Send(Shared(std::move(response))); }
  absl::Status Send(ResponsePtr response) { return exchange_->Send(exchange_, std::move(response)); }

  // WriteHead starts a streamed response. FailedPrecondition if anything was already sent.
  absl::Status WriteHead(int status, HeaderMap headers) {
    return exchange_->WriteHead(exchange_, status, std::move(headers));
  }
  // Write sends a body chunk after WriteHead. ResourceExhausted (data not taken) while the codec holds more than
  // the high-water mark; OnWritable says when to retry. FailedPrecondition before WriteHead or after completion.
  absl::Status Write(std::string data) { return exchange_->Write(exchange_, std::move(data)); }
  // Finish ends a streamed response, with optional trailers.
  absl::Status Finish(HeaderMap trailers = {}) { return exchange_->Finish(exchange_, std::move(trailers)); }

  // OnWritable runs `callback` once, on the loop, when the codec's buffer has drained below half the high-water
  // mark (now, if it already is). Replaces an earlier callback.
  void OnWritable(absl::AnyInvocable<void()> callback) { exchange_->OnWritable(exchange_, std::move(callback)); }
  // OnComplete runs `hook` on the loop when the exchange completes (at once if it has).
  void OnComplete(absl::AnyInvocable<void(const Completion&)> hook) {
    exchange_->OnComplete(exchange_, std::move(hook));
  }
  // AddResponseHeader makes the response carry `name: value` whatever the handler sends (filters: Cache-Control,
  // Audit-Id, HSTS, Connection: close). With `only_if_absent`, a header the handler set wins. Must be called before
  // the response head is sent; a shared response is then copied once to add the headers.
  void AddResponseHeader(absl::string_view name, absl::string_view value, bool only_if_absent = false) {
    exchange_->AddResponseHeader(exchange_, name, value, only_if_absent);
  }

  Completer completer() const { return Completer(exchange_); }
  bool done() const { return exchange_->done(); }
  bool head_sent() const { return exchange_->head_sent(); }
  explicit operator bool() const { return exchange_ != nullptr; }

 private:
  void Release();
  std::shared_ptr<Exchange> exchange_;
};

}  // namespace apiserve::http

#endif  // APISERVE_HTTP_RESPONSE_WRITER_H_
