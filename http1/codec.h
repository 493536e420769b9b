#ifndef APISERVE_HTTP1_CODEC_H_
#define APISERVE_HTTP1_CODEC_H_

// http1::Codec: the HTTP/1.1 server side of one connection, on llhttp 8.1 in strict mode.
//
// Bytes in → http::Request to the handler; http::ResponseWriter answers → bytes out (see http::ServerCodec for the
// contract with the server). Keep-alive and pipelining: requests are dispatched as soon as their headers are
// complete (at most Options::max_pipelined_requests ahead of their responses) and answered strictly in order,
// whatever order the handlers finish in.
//
// Bodies (DESIGN §4) follow the request as an http::RequestBody: read ahead of the handler only up to
// Options::max_buffered_body_bytes (then the codec stops reading until the handler takes them); `Expect:
// 100-continue` is answered when the handler first reads. A request answered before its body arrived: with at most
// Options::max_discard_body_bytes still to come the rest is read and dropped (the read-header timeout bounds it) and
// the connection goes on; otherwise (more to come, chunked, or 100 Continue never sent) the answer carries
// `Connection: close` and the connection closes after it, lingering so the client reads it.
//
// Bad input never reaches a handler: it is answered with Go's plain-text error (400 with the reason, 413, 417, 431,
// 501, 505) and `Connection: close`, after which WantsLingeringClose() is true. Rejected on purpose although llhttp
// accepts them: obs-fold, a missing or repeated Host in HTTP/1.1, Transfer-Encoding other than "chunked".
// `Upgrade: h2c` is ignored (the request is served as HTTP/1.1).
//
// Threading: loop-affine (see http::ServerCodec).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "base/clock.h"
#include "http/request.h"
#include "http/server_codec.h"
#include "http1/options.h"
#include "http1/parser_callbacks.h"
#include "http1/transaction.h"
#include "llhttp.h"

namespace apiserve::http1 {

class Codec : public http::ServerCodec, public http::BodySource, private TransactionHost, private ParserEvents {
 public:
  // `options` must be valid (Options::Validate).
  Codec(http::CodecContext context, Options options);
  ~Codec() override;
  Codec(const Codec&) = delete;
  Codec& operator=(const Codec&) = delete;

  absl::Status Feed(absl::string_view data) override;
  absl::string_view PeekOutput() override;
  void ConsumeOutput(size_t n) override;
  bool WantsRead() const override;
  bool WantsClose() const override;
  bool WantsLingeringClose() const override { return lingering_ != Lingering::kNo; }
  http::CodecPhase phase() const override;
  size_t ActiveRequests() const override { return active_requests_; }
  void BeginShutdown() override;
  void CompleteShutdown() override { BeginShutdown(); }
  // BeginDrain: every later response carries `Connection: close` (the connection closes after it); an idle
  // connection stays open and a request arriving on it is served.
  void BeginDrain() override { Advance(&stopping_, Stopping::kDraining); }
  void OnPeerClosed() override;
  // True while a streamed response (head sent, not finished) is in progress.
  bool ClientGoneAtEof() const override;
  // Drops the answered transactions kept for reuse.
  void ReleaseIdleMemory() override;

  // RequestsDispatched counts requests handed to the handler since the connection started.
  uint64_t RequestsDispatched() const override { return requests_dispatched_; }

  // http::BodySource, for the body being read.
  void OnBodyConsumed(size_t n) override;
  void OnBodyWanted() override;

 private:
  // Parses `data`, dispatching complete requests; stops early (stashing the rest) when the read-ahead is full.
  void Parse(absl::string_view data);
  // --- ParserEvents (llhttp, inside Parse) ---
  int OnMessageBegin() override;
  int OnUrl(absl::string_view at) override;
  int OnHeaderField(absl::string_view at) override;
  int OnHeaderFieldComplete() override;
  int OnHeaderValue(absl::string_view at) override;
  int OnHeaderValueComplete() override;
  int OnHeadersComplete() override;
  int OnBody(absl::string_view at) override;
  int OnMessageComplete() override;
  // CountHeadBytes adds `n` to the head's size; past Options::max_header_bytes it records 431 and returns false.
  bool CountHeadBytes(size_t n);
  // StreamOffset is the stream offset of `at`, a pointer into the buffer being parsed.
  uint64_t StreamOffset(const char* at) const;

  // Called when a message's head is complete; returns false after queueing an error response. A request with a
  // body gets its http::RequestBody here and is dispatched by Parse once llhttp pauses.
  bool AcceptHead();
  // Called (outside llhttp) when a message is complete: dispatches a request without a body, ends a body.
  void FinishMessage();
  void Dispatch(Transaction* transaction, http::RequestPtr request);
  // --- TransactionHost ---
  absl::Time Now() const override;
  bool ClosesAfterEveryResponse() const override;
  // UnreadBodyForcesClose: `transaction` is answering before its body arrived and the connection cannot survive it.
  bool UnreadBodyForcesClose(const Transaction* transaction) const override;
  void OnTransactionOutput() override;
  void OnTransactionFinished(Transaction* transaction) override;

  // EndBody finishes the body being read with `status` and lets go of it (its reader learns now).
  void EndBody(absl::Status status);
  // Queues an error response (always closes, lingering) and stops reading.
  void Reject(int status, absl::string_view reason);
  void ResumePendingInput();
  void PopFinishedTransactions();

  const http::CodecContext context_;
  const Options options_;
  // The time of the read being handled (Feed): received_time of its requests, Date of the answers given at once.
  base::BatchClock batch_clock_{context_.clock};

  llhttp_t parser_;

  // Where the parser is in the current message. kAfterHead: the head was accepted (its request may be at its
  // handler) and the body, if any, is arriving.
  enum class MessagePhase { kIdle, kHead, kAfterHead };
  // Where the parser is in a header line: kGap is between a field name and its value's first byte.
  enum class FieldPosition { kName, kGap, kValue };
  // ParseState is what the parser callbacks build up for one message head.
  struct ParseState {
    http::RequestPtr request;  // the request being parsed (moved out when dispatched)
    MessagePhase phase = MessagePhase::kIdle;
    std::string name;   // the field name so far
    std::string value;  // the field value so far
    size_t head_bytes = 0;
    // A callback's reason to reject the message (0: llhttp's own error applies).
    int error_status = 0;
    std::string error_reason;

    // Absolute stream offsets, to tell an obs-fold (bytes skipped between two pieces of one header value) from a
    // value split across reads.
    uint64_t buffer_offset = 0;  // stream offset of the buffer being parsed
    const char* buffer_start = nullptr;
    FieldPosition field = FieldPosition::kName;
    uint64_t field_end_offset = 0;
    uint64_t value_end_offset = 0;
    std::string gap;  // gap bytes from earlier reads (":" and OWS; CR/LF means obs-fold)
  };
  ParseState parse_;

  // The body being read (the request's headers went to the handler; its message is not complete), the transaction
  // answering that request (null once its answer is out), and how many delivered bytes the body still holds.
  std::shared_ptr<http::RequestBody> body_;
  Transaction* body_transaction_ = nullptr;
  size_t body_held_ = 0;
  // How the body being read is taken in (meaningful while body_ is set; kReading otherwise).
  enum class BodyRead {
    kReading,           // delivered to its reader as it arrives
    kAwaitingContinue,  // as kReading, but `Expect: 100-continue` is not answered yet (OnBodyWanted answers it)
    kDiscarding,        // its request is answered and the connection survives: the rest is read and dropped
  };
  BodyRead body_read_ = BodyRead::kReading;
  bool resume_input_ = false;  // the body's reader took bytes: parse pending_input_ on the next PeekOutput

  std::string pending_input_;  // received but not parsed: read-ahead full

  // The states below only move forward (Advance); each is independent of the others.
  template <typename State>
  static void Advance(State* state, State to) {
    if (to > *state) *state = to;
  }
  // How far the connection has gone towards closing.
  enum class Connection {
    kOpen,
    kInputClosed,       // no more requests will be parsed; the queued answers still go out
    kCloseAfterOutput,  // as kInputClosed, and the connection closes once its output is written (WantsClose)
    kPeerClosed,        // the peer is gone (OnPeerClosed): no input, no output
  };
  Connection connection_ = Connection::kOpen;
  // Whether the close, when it comes, lingers so the client reads the last answer (WantsLingeringClose).
  enum class Lingering {
    kNo,
    kEarlyAnswer,  // a request was answered before its body arrived and the connection cannot survive it
    kRejected,     // bad input was answered with an error (Reject): Feed reports it, nothing more is parsed
  };
  Lingering lingering_ = Lingering::kNo;
  // Whether the server asked the connection to stop.
  enum class Stopping {
    kNo,
    kDraining,      // BeginDrain: every later response closes the connection, but input is not dropped
    kShuttingDown,  // BeginShutdown: as kDraining, a head still arriving is dropped, and an idle connection closes
  };
  Stopping stopping_ = Stopping::kNo;
  bool in_feed_ = false;  // inside Feed or a resumed Parse: new output is not signalled (the caller reads it next)

  // In arrival order (at most max_pipelined_requests, so erasing the front is cheap). Answered transactions are
  // kept for the next requests, buffers included.
  std::vector<std::unique_ptr<Transaction>> transactions_;
  static constexpr size_t kMaxSpareTransactions = 2;
  std::vector<std::unique_ptr<Transaction>> spare_transactions_;
  std::unique_ptr<Transaction> NewTransaction(http::RequestPtr request, bool keep_alive);
  void RecycleTransaction(std::unique_ptr<Transaction> transaction);
  size_t active_requests_ = 0;
  uint64_t requests_dispatched_ = 0;
};

}  // namespace apiserve::http1

#endif  // APISERVE_HTTP1_CODEC_H_
