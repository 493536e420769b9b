#include "http1/codec.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "http/chunk_queue.h"
#include "http/response_writer.h"
#include "http/wire_format.h"
#include "http1/response_encoder.h"

namespace apiserve::http1 {

absl::Time Codec::Now() const { return batch_clock_.Now(); }

bool Codec::ClosesAfterEveryResponse() const { return stopping_ != Stopping::kNo; }

// --- ParserEvents: llhttp's callbacks, through parser_.data ---

int Codec::OnMessageBegin() {
  parse_.request = http::NewRequest();
  parse_.phase = MessagePhase::kHead;
  parse_.head_bytes = 0;
  parse_.name.clear();
  parse_.value.clear();
  return 0;
}

bool Codec::CountHeadBytes(size_t n) {
  parse_.head_bytes += n;
  if (parse_.head_bytes > options_.max_header_bytes) {
    parse_.error_status = 431;
    parse_.error_reason.clear();
    return false;
  }
  return true;
}

uint64_t Codec::StreamOffset(const char* at) const {
  return parse_.buffer_offset + static_cast<uint64_t>(at - parse_.buffer_start);
}

int Codec::OnUrl(absl::string_view at) {
  if (!CountHeadBytes(at.size())) return -1;
  parse_.request->target.append(at.data(), at.size());
  return 0;
}

int Codec::OnHeaderField(absl::string_view at) {
  if (!CountHeadBytes(at.size())) return -1;
  parse_.name.append(at.data(), at.size());
  parse_.field_end_offset = StreamOffset(at.data()) + at.size();
  return 0;
}

int Codec::OnHeaderFieldComplete() {
  parse_.field = FieldPosition::kGap;
  parse_.gap.clear();
  return 0;
}

int Codec::OnHeaderValue(absl::string_view at) {
  if (!CountHeadBytes(at.size())) return -1;
  const uint64_t start = StreamOffset(at.data());
  bool folded = parse_.field == FieldPosition::kValue && start != parse_.value_end_offset;
  if (parse_.field == FieldPosition::kGap) {
    // The bytes between the field name and the value must be ":" and OWS; a line break there is a fold.
    const uint64_t gap_start = std::max(parse_.field_end_offset, parse_.buffer_offset);
    const absl::string_view here(parse_.buffer_start + (gap_start - parse_.buffer_offset),
                                 static_cast<size_t>(start - gap_start));
    folded = folded || parse_.gap.find_first_of("\r\n") != std::string::npos ||
             here.find_first_of("\r\n") != absl::string_view::npos;
  }
  parse_.field = FieldPosition::kValue;
  if (folded || at.find_first_of("\r\n") != absl::string_view::npos) {
    // llhttp accepts an obs-fold continuation line as more of the value; RFC 9112 §5.2 lets a server reject it,
    // and it is a classic request-smuggling shape.
    parse_.error_status = 400;
    parse_.error_reason = "obsolete line folding in header";
    return -1;
  }
  parse_.value_end_offset = start + at.size();
  parse_.value.append(at.data(), at.size());
  return 0;
}

int Codec::OnHeaderValueComplete() {
  if (!CountHeadBytes(4)) return -1;  // ": " and CRLF, as a header block counts them
  // A chunked body's trailer fields arrive after the request went to its handler (on its headers): they are
  // counted against the header limit and dropped (request trailers are not passed on).
  if (parse_.request != nullptr) {
    parse_.request->headers.Add(parse_.name, absl::StripTrailingAsciiWhitespace(parse_.value));
  }
  parse_.name.clear();
  parse_.value.clear();
  parse_.field = FieldPosition::kName;
  return 0;
}

int Codec::OnHeadersComplete() {
  parse_.phase = MessagePhase::kAfterHead;
  if (!AcceptHead()) return -1;
  // A request with a body is dispatched now, outside llhttp (Parse), and its body follows; one without waits for
  // on_message_complete, right behind.
  return body_ != nullptr ? HPE_PAUSED : 0;
}

int Codec::OnBody(absl::string_view at) {
  if (body_ == nullptr) return 0;  // not reached: a message with a body always has one
  body_held_ += at.size();
  body_->Deliver(at);  // held for its reader, or dropped (and reported)
  return 0;
}

int Codec::OnMessageComplete() {
  // Pause so the request is dispatched outside llhttp (handlers may answer synchronously): Parse calls
  // FinishMessage.
  return HPE_PAUSED;
}

Codec::Codec(http::CodecContext context, Options options) : context_(std::move(context)), options_(options) {
  llhttp_init(&parser_, HTTP_REQUEST, ParserSettings());
  parser_.data = static_cast<ParserEvents*>(this);
}

Codec::~Codec() { OnPeerClosed(); }

bool Codec::AcceptHead() {
  http::Request& request = *parse_.request;
  const int major = llhttp_get_http_major(&parser_);
  const int minor = llhttp_get_http_minor(&parser_);
  if (major != 1 || minor > 1) {
    Reject(505, "");
    return false;
  }
  request.protocol = minor == 0 ? http::Protocol::kHttp10 : http::Protocol::kHttp11;
  request.method = llhttp_method_name(static_cast<llhttp_method_t>(llhttp_get_method(&parser_)));

  const size_t host_count = request.headers.Count("Host");
  if (request.protocol == http::Protocol::kHttp11 && host_count == 0) {
    Reject(400, "missing required Host header");
    return false;
  }
  if (host_count > 1) {
    Reject(400, "too many Host headers");
    return false;
  }
  std::string uri_authority;
  if (request.target.empty() ||
      (request.target[0] != '/' && request.target != "*" && !absl::StartsWithIgnoreCase(request.target, "http://") &&
       !absl::StartsWithIgnoreCase(request.target, "https://"))) {
    Reject(400, "malformed request target");
    return false;
  }
  http::SplitTarget(request.target, &request.path, &request.raw_query, &uri_authority);
  if (uri_authority.empty()) {
    const absl::string_view host = request.headers.Get("Host").value_or("");
    request.authority.assign(host.data(), host.size());
  } else {
    request.authority = std::move(uri_authority);
  }

  if (auto te = request.headers.Get("Transfer-Encoding"); te.has_value()) {
    if (request.headers.Has("Content-Length")) {
      Reject(400, "both Transfer-Encoding and Content-Length");
      return false;
    }
    if (request.headers.Count("Transfer-Encoding") > 1 || !absl::EqualsIgnoreCase(*te, "chunked")) {
      Reject(501, absl::StrCat("unsupported transfer encoding: \"", *te, "\""));
      return false;
    }
  }
  const bool has_body = (parser_.flags & F_CHUNKED) != 0 || parser_.content_length > 0;
  bool expect_continue = false;
  if (auto expect = request.headers.Get("Expect"); expect.has_value()) {
    if (!absl::EqualsIgnoreCase(*expect, "100-continue")) {
      Reject(417, "");
      return false;
    }
    // Sent when the handler first reads the body (OnBodyWanted): a request refused on its headers gets its answer
    // without the client ever sending the body.
    expect_continue = has_body && request.protocol == http::Protocol::kHttp11;
  }

  std::unique_ptr<Transaction> transaction = NewTransaction(parse_.request, /*keep_alive=*/true);
  request.received_time = Now();
  if (has_body) {
    std::optional<uint64_t> content_length;
    if ((parser_.flags & F_CONTENT_LENGTH) != 0) content_length = parser_.content_length;
    body_ = std::make_shared<http::RequestBody>(this, content_length);
    request.body_stream = body_;
    body_transaction_ = transaction.get();
    body_held_ = 0;
    body_read_ = expect_continue ? BodyRead::kAwaitingContinue : BodyRead::kReading;
  }
  transactions_.push_back(std::move(transaction));
  return true;
}

void Codec::Dispatch(Transaction* transaction, http::RequestPtr request) {
  request->scheme = "https";
  request->connection = context_.connection;
  request->executor = context_.loop;
  request->shutting_down = context_.shutting_down;
  transaction->exchange() = http::NewExchange(context_.loop, transaction, options_.response_high_water_mark);
  transaction->set_dispatched();
  ++active_requests_;
  ++requests_dispatched_;
  context_.handler->Serve(std::move(request), http::ResponseWriter(transaction->exchange()));
}

void Codec::OnBodyConsumed(size_t n) {
  body_held_ -= std::min(n, body_held_);
  // Reading resumes from PeekOutput, which the server calls next (never from inside a reader's callback).
  if (!pending_input_.empty()) resume_input_ = true;
  OnTransactionOutput();
}

void Codec::OnBodyWanted() {
  if (body_read_ != BodyRead::kAwaitingContinue) return;
  body_read_ = BodyRead::kReading;
  if (body_transaction_ != nullptr && !body_transaction_->finished()) {
    body_transaction_->AppendRaw("HTTP/1.1 100 Continue\r\n\r\n");
    OnTransactionOutput();
  }
}

bool Codec::UnreadBodyForcesClose(const Transaction* transaction) const {
  if (transaction != body_transaction_ || body_ == nullptr || body_->finished()) return false;
  // The client waits for 100 Continue that will not come, or more is on its way than is worth reading to keep the
  // connection (Go's rule): close after this answer.
  if (body_read_ == BodyRead::kAwaitingContinue || !body_->content_length().has_value()) return true;
  return *body_->content_length() - body_->received() > options_.max_discard_body_bytes;
}

void Codec::EndBody(absl::Status status) {
  std::shared_ptr<http::RequestBody> body = std::move(body_);
  body_ = nullptr;
  body_transaction_ = nullptr;
  body_held_ = 0;
  body_read_ = BodyRead::kReading;
  body->Finish(std::move(status));
  body->DetachSource();  // what it still holds belongs to the request now
  body->Pump();
}

void Codec::FinishMessage() {
  parse_.phase = MessagePhase::kIdle;
  const bool last = !llhttp_should_keep_alive(&parser_) || stopping_ != Stopping::kNo;
  if (body_ != nullptr) {
    // The request went to its handler with its headers; its answer may be out already (its transaction gone).
    if (last) {
      Advance(&connection_, Connection::kInputClosed);
      if (body_transaction_ != nullptr) {
        body_transaction_->CloseAfter();
      } else {
        Advance(&connection_, Connection::kCloseAfterOutput);
      }
    }
    EndBody(absl::OkStatus());
    return;
  }
  Transaction* transaction = transactions_.back().get();
  if (last) {
    transaction->CloseAfter();
    Advance(&connection_, Connection::kInputClosed);
  }
  Dispatch(transaction, std::move(parse_.request));
}

void Codec::Reject(int status, absl::string_view reason) {
  if (body_ != nullptr) {
    // The body of a request already at its handler is malformed (a bad chunk): the request fails.
    Transaction* transaction = body_transaction_;
    const bool answered = transaction == nullptr || transaction->finished();
    if (!answered && transactions_.back().get() == transaction) {
      // Still unanswered: the error answers it instead, and its handler's writer goes quiet.
      std::unique_ptr<Transaction> superseded = std::move(transactions_.back());
      transactions_.pop_back();
      if (active_requests_ > 0) --active_requests_;
      if (superseded->exchange()) superseded->exchange()->OnClientGone();
      transaction = nullptr;
    }
    EndBody(absl::InvalidArgumentError(absl::StrCat("malformed request body: ", reason)));
    if (answered) {
      // Its answer is out or on its way: nothing more to say; close once it is.
      Advance(&connection_, Connection::kInputClosed);
      pending_input_.clear();
      Advance(&lingering_, Lingering::kEarlyAnswer);
      if (transaction != nullptr) {
        transaction->CloseAfter();
      } else {
        Advance(&connection_, Connection::kCloseAfterOutput);
      }
      parse_.request.reset();
      if (parse_.phase == MessagePhase::kHead) parse_.phase = MessagePhase::kIdle;
      return;
    }
  }
  std::string body = absl::StrCat(status, " ", http::ReasonPhrase(status));
  if (!reason.empty()) absl::StrAppend(&body, ": ", reason);
  std::string bytes = absl::StrCat("HTTP/1.1 ", status, " ", http::ReasonPhrase(status),
                                   "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
                                   "Content-Length: ",
                                   body.size(), "\r\n\r\n", body);
  std::unique_ptr<Transaction> transaction = NewTransaction(nullptr, /*keep_alive=*/false);
  transaction->AppendRaw(std::move(bytes));
  transaction->MarkFinished();
  // The error answers the request being parsed: a transaction already queued for it (headers were accepted, the
  // body was not) is replaced.
  if (parse_.phase == MessagePhase::kAfterHead && !transactions_.empty() && !transactions_.back()->dispatched()) {
    transactions_.pop_back();
  }
  transactions_.push_back(std::move(transaction));
  Advance(&connection_, Connection::kInputClosed);
  pending_input_.clear();
  Advance(&lingering_, Lingering::kRejected);
  parse_.request.reset();
  if (parse_.phase == MessagePhase::kHead) parse_.phase = MessagePhase::kIdle;
}

absl::Status Codec::Feed(absl::string_view data) {
  if (connection_ != Connection::kOpen) return absl::OkStatus();  // Nothing more is read on this connection.
  in_feed_ = true;
  batch_clock_.BeginBatch();
  if (!pending_input_.empty()) {
    pending_input_.append(data.data(), data.size());
    std::string input = std::move(pending_input_);
    pending_input_.clear();
    Parse(input);
  } else {
    Parse(data);
  }
  batch_clock_.EndBatch();
  in_feed_ = false;
  if (lingering_ == Lingering::kRejected)
    return absl::InvalidArgumentError("malformed HTTP/1.1 request: answered with an error and closing");
  return absl::OkStatus();
}

void Codec::Parse(absl::string_view data) {
  while (!data.empty() && connection_ == Connection::kOpen) {
    size_t slice = data.size();
    if (body_ != nullptr) {
      // Inside a body: read ahead of its reader only up to the bound (the rest waits, and so does the socket).
      if (body_held_ >= options_.max_buffered_body_bytes) {
        pending_input_.append(data.data(), data.size());
        return;
      }
      slice = std::min(slice, options_.max_buffered_body_bytes - body_held_);
    } else if (active_requests_ >= options_.max_pipelined_requests) {
      pending_input_.append(data.data(), data.size());
      return;
    }
    const absl::string_view piece = data.substr(0, slice);
    parse_.buffer_start = piece.data();
    const llhttp_errno_t error = llhttp_execute(&parser_, piece.data(), piece.size());
    if (error == HPE_OK) {
      if (parse_.field == FieldPosition::kGap) {
        const uint64_t gap_start = std::max(parse_.field_end_offset, parse_.buffer_offset);
        parse_.gap.append(piece.data() + (gap_start - parse_.buffer_offset),
                          piece.size() - (gap_start - parse_.buffer_offset));
      }
      parse_.buffer_offset += piece.size();
      data.remove_prefix(piece.size());
      if (body_ != nullptr) body_->Pump();  // its reader runs here, outside llhttp
      continue;
    }
    const char* stop = llhttp_get_error_pos(&parser_);
    if (error == HPE_PAUSED || error == HPE_PAUSED_UPGRADE) {
      const size_t consumed =
          std::min(stop != nullptr ? static_cast<size_t>(stop - piece.data()) : piece.size(), piece.size());
      parse_.buffer_offset += consumed;
      data.remove_prefix(consumed);
      if (error == HPE_PAUSED) {
        llhttp_resume(&parser_);
        if (body_ != nullptr && parse_.request != nullptr) {
          // Paused by on_headers_complete: the request has a body and goes to its handler now.
          Dispatch(transactions_.back().get(), std::move(parse_.request));
        } else {
          FinishMessage();
        }
      } else {
        llhttp_resume_after_upgrade(&parser_);  // h2c and other upgrades are ignored
      }
      continue;
    }
    if (parse_.error_status != 0) {
      const int status = parse_.error_status;
      parse_.error_status = 0;
      if (lingering_ != Lingering::kRejected) Reject(status, parse_.error_reason);
    } else if (lingering_ != Lingering::kRejected) {
      const int status = error == HPE_INVALID_VERSION ? 505 : 400;
      Reject(status, llhttp_get_error_reason(&parser_));
    }
    return;
  }
}

void Codec::ResumePendingInput() {
  if (pending_input_.empty() || connection_ != Connection::kOpen) return;
  if (body_ != nullptr ? body_held_ >= options_.max_buffered_body_bytes
                       : active_requests_ >= options_.max_pipelined_requests) {
    return;
  }
  const bool was_in_feed = in_feed_;
  in_feed_ = true;
  std::string input = std::move(pending_input_);
  pending_input_.clear();
  Parse(input);
  in_feed_ = was_in_feed;
}

std::unique_ptr<Transaction> Codec::NewTransaction(http::RequestPtr request, bool keep_alive) {
  std::unique_ptr<Transaction> transaction;
  if (spare_transactions_.empty()) {
    transaction = std::make_unique<Transaction>(static_cast<TransactionHost*>(this));
  } else {
    transaction = std::move(spare_transactions_.back());
    spare_transactions_.pop_back();
  }
  transaction->Start(std::move(request), keep_alive);
  return transaction;
}

void Codec::ReleaseIdleMemory() { spare_transactions_.clear(); }

void Codec::RecycleTransaction(std::unique_ptr<Transaction> transaction) {
  // A finished transaction's exchange no longer calls it (the exchange drops its sink when it completes).
  if (spare_transactions_.size() >= kMaxSpareTransactions) return;
  transaction->Clear();
  spare_transactions_.push_back(std::move(transaction));
}

void Codec::OnTransactionOutput() {
  if (!in_feed_ && context_.callbacks != nullptr) context_.callbacks->OnOutputReady();
}

void Codec::OnTransactionFinished(Transaction* transaction) {
  if (active_requests_ > 0) --active_requests_;
  if (transaction == body_transaction_ && body_ != nullptr && !body_->finished()) {
    // Answered before its body arrived: the rest is dropped (UnreadBodyForcesClose decided, when the answer's head
    // was written, whether the connection survives that).
    body_->Discard();
    body_->Pump();
    if (transaction->close_after()) {
      // Stop reading; the lingering close drains what the client still sends, so it reads the answer.
      Advance(&lingering_, Lingering::kEarlyAnswer);
      Advance(&connection_, Connection::kInputClosed);
      pending_input_.clear();
    } else {
      body_read_ = BodyRead::kDiscarding;  // a 100 Continue still owed is owed no more: the request is answered
    }
  }
  OnTransactionOutput();
}

absl::string_view Codec::PeekOutput() {
  if (resume_input_) {
    resume_input_ = false;
    ResumePendingInput();
  }
  PopFinishedTransactions();
  if (transactions_.empty()) return {};
  Transaction& front = *transactions_.front();
  return front.has_output() ? front.Peek() : absl::string_view();
}

void Codec::ConsumeOutput(size_t n) {
  while (n > 0 && !transactions_.empty() && transactions_.front()->has_output()) {
    n -= transactions_.front()->Consume(n);
    PopFinishedTransactions();
  }
}

void Codec::PopFinishedTransactions() {
  bool popped = false;
  while (!transactions_.empty() && transactions_.front()->finished() && !transactions_.front()->has_output()) {
    const bool close = transactions_.front()->close_after();
    std::unique_ptr<Transaction> done = std::move(transactions_.front());
    transactions_.erase(transactions_.begin());
    if (done.get() == body_transaction_) body_transaction_ = nullptr;
    RecycleTransaction(std::move(done));  // after the erase: dropping its request and exchange runs foreign code
    popped = true;
    if (close) {
      Advance(&connection_, Connection::kCloseAfterOutput);
      pending_input_.clear();
      // Anything queued behind a closing response will never be answered.
      for (auto& later : transactions_) {
        if (later->exchange() && !later->finished()) later->exchange()->OnClientGone();
      }
      transactions_.clear();
      active_requests_ = 0;
      if (body_ != nullptr) EndBody(absl::CancelledError("the connection closed before the request body was complete"));
      break;
    }
  }
  if (popped) ResumePendingInput();
}

bool Codec::WantsRead() const {
  if (connection_ != Connection::kOpen || !pending_input_.empty()) return false;
  return body_ != nullptr ? body_held_ < options_.max_buffered_body_bytes
                          : active_requests_ < options_.max_pipelined_requests;
}

bool Codec::WantsClose() const {
  if (connection_ >= Connection::kCloseAfterOutput) return true;
  if (lingering_ == Lingering::kRejected) return transactions_.empty();
  if (stopping_ == Stopping::kShuttingDown && transactions_.empty() && parse_.phase != MessagePhase::kAfterHead)
    return true;
  return false;
}

http::CodecPhase Codec::phase() const {
  // Dropping the rest of a body nobody waits for: bounded by the read-header timeout, like a slow request head.
  if (body_read_ == BodyRead::kDiscarding && transactions_.empty()) return http::CodecPhase::kReadingHeaders;
  if (!transactions_.empty() || parse_.phase == MessagePhase::kAfterHead) return http::CodecPhase::kBusy;
  if (parse_.phase == MessagePhase::kHead) return http::CodecPhase::kReadingHeaders;
  return http::CodecPhase::kIdle;
}

void Codec::BeginShutdown() {
  Advance(&stopping_, Stopping::kShuttingDown);
  if (parse_.phase != MessagePhase::kAfterHead) {
    // A request whose head is still arriving is dropped with the connection (Go closes "new" connections too).
    Advance(&connection_, Connection::kInputClosed);
    pending_input_.clear();
  }
}

bool Codec::ClientGoneAtEof() const {
  for (const std::unique_ptr<Transaction>& transaction : transactions_) {
    const std::shared_ptr<http::Exchange>& exchange = transaction->exchange();
    if (transaction->dispatched() && !transaction->finished() && exchange != nullptr && exchange->head_sent()) {
      return true;
    }
  }
  return false;
}

void Codec::OnPeerClosed() {
  if (connection_ == Connection::kPeerClosed) return;
  connection_ = Connection::kPeerClosed;
  pending_input_.clear();
  auto transactions = std::move(transactions_);
  transactions_.clear();
  for (auto& transaction : transactions) {
    if (transaction->exchange() && !transaction->finished()) transaction->exchange()->OnClientGone();
  }
  active_requests_ = 0;
  if (body_ != nullptr)
    EndBody(absl::CancelledError("the client closed the connection before the request body was complete"));
}

}  // namespace apiserve::http1
