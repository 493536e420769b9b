#ifndef APISERVE_HTTP1_TRANSACTION_H_
#define APISERVE_HTTP1_TRANSACTION_H_

// http1::Transaction: one request/response of an http1::Codec, in arrival order. It is the http::ResponseSink of
// the request's exchange and holds the serialized response until the codec's output reaches it. It talks to its
// codec through TransactionHost. Loop thread only.

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "http/chunk_queue.h"
#include "http/header_map.h"
#include "http/request.h"
#include "http/response.h"
#include "http/response_writer.h"
#include "http1/response_encoder.h"

namespace apiserve::http1 {

class Transaction;

// TransactionHost is what a transaction asks of its codec (implemented by http1::Codec).
class TransactionHost {
 public:
  // Now is the loop's clock, for the Date header.
  virtual absl::Time Now() const = 0;
  // ClosesAfterEveryResponse: shutting down or draining: every response carries `Connection: close`.
  virtual bool ClosesAfterEveryResponse() const = 0;
  // UnreadBodyForcesClose: `transaction` answers before its body arrived and the connection cannot survive it.
  virtual bool UnreadBodyForcesClose(const Transaction* transaction) const = 0;
  // OnTransactionOutput: more output is queued. OnTransactionFinished: the response is complete.
  virtual void OnTransactionOutput() = 0;
  virtual void OnTransactionFinished(Transaction* transaction) = 0;

 protected:
  ~TransactionHost() = default;
};

class Transaction : public http::ResponseSink {
 public:
  explicit Transaction(TransactionHost* host) : host_(host) {}

  // Start readies the transaction for a request (null for an error answer that answers none). A recycled
  // transaction keeps its buffers.
  void Start(http::RequestPtr request, bool keep_alive) {
    request_ = std::move(request);
    head_request_ = request_ != nullptr && request_->method == "HEAD";
    http10_ = request_ != nullptr && request_->protocol == http::Protocol::kHttp10;
    close_after_ = !keep_alive;
    finished_ = dispatched_ = aborted_ = false;
    framing_ = BodyFraming::kContentLength;
  }
  // Clear drops the request, the exchange and any output, keeping buffers of reasonable size.
  void Clear() {
    request_.reset();
    exchange_.reset();
    chunks_.clear();
    if (head_bytes_.capacity() > kMaxKeptHeadBytes) {
      std::string().swap(head_bytes_);
    } else {
      head_bytes_.clear();
    }
  }

  // An already-serialized response (error answers, 100 Continue).
  void AppendRaw(std::string bytes) { chunks_.push_back(Chunk::Owned(std::move(bytes), 0)); }
  void MarkFinished() { finished_ = true; }
  void CloseAfter() { close_after_ = true; }

  void SendResponse(http::ResponsePtr response, absl::Span<const http::HeaderField> extra_headers) override;
  void SendHead(int status, http::HeaderMap headers, bool end_stream) override;
  void SendBody(std::string data, bool end_stream) override;
  void SendTrailers(http::HeaderMap trailers) override;
  void Abort() override;

  std::shared_ptr<http::Exchange>& exchange() { return exchange_; }
  const http::RequestPtr& request() const { return request_; }
  bool finished() const { return finished_; }
  bool dispatched() const { return dispatched_; }
  void set_dispatched() { dispatched_ = true; }
  bool close_after() const { return close_after_; }
  bool aborted() const { return aborted_; }
  bool has_output() const { return !chunks_.empty(); }

  absl::string_view Peek() const {
    const Chunk& c = chunks_.front();
    return c.view.substr(c.offset);
  }
  // Consume takes up to `n` bytes of the front chunk; returns how many it took.
  size_t Consume(size_t n) {
    Chunk& c = chunks_.front();
    const size_t take = std::min(n, c.view.size() - c.offset);
    c.offset += take;
    if (c.offset == c.view.size()) {
      const size_t credit = c.drain_credit;
      chunks_.pop_front();  // gives the sent chunk's memory back now
      if (credit > 0 && exchange_) exchange_->OnBytesDrained(credit);
    }
    return take;
  }

 private:
  // Chunk is a piece of output: bytes it owns, or a view into bytes kept alive elsewhere (a shared response's
  // body, or head_bytes_, which stays untouched until the transaction is cleared).
  struct Chunk {
    static Chunk Owned(std::string bytes, size_t credit) {
      Chunk chunk;
      chunk.owned = std::move(bytes);
      chunk.view = chunk.owned;
      chunk.drain_credit = credit;
      return chunk;
    }
    static Chunk View(absl::string_view bytes, http::ResponsePtr keep_alive) {
      Chunk chunk;
      chunk.shared = std::move(keep_alive);
      chunk.view = bytes;
      chunk.is_view = true;
      return chunk;
    }
    Chunk() = default;
    Chunk(Chunk&& other) noexcept { *this = std::move(other); }
    Chunk& operator=(Chunk&& other) noexcept {
      owned = std::move(other.owned);
      shared = std::move(other.shared);
      is_view = other.is_view;
      view = is_view ? other.view : absl::string_view(owned);
      offset = other.offset;
      drain_credit = other.drain_credit;
      return *this;
    }
    std::string owned;
    http::ResponsePtr shared;  // keeps a shared body alive while `view` points into it
    bool is_view = false;
    absl::string_view view;
    size_t offset = 0;
    size_t drain_credit = 0;  // body bytes reported to the exchange once this chunk is written
  };
  static constexpr size_t kMaxKeptHeadBytes = 16 * 1024;

  bool ShouldClose(absl::Span<const http::HeaderField> headers, absl::Span<const http::HeaderField> more = {}) {
    if (host_->ClosesAfterEveryResponse()) close_after_ = true;
    if (host_->UnreadBodyForcesClose(this)) close_after_ = true;
    for (absl::Span<const http::HeaderField> fields : {headers, more}) {
      for (const http::HeaderField& field : fields) {
        if (http::HeaderNameEquals(field.name, "Connection") && http::HeaderValueHasToken(field.value, "close")) {
          close_after_ = true;
        }
      }
    }
    return close_after_;
  }
  void Done() {
    finished_ = true;
    host_->OnTransactionFinished(this);
  }

  TransactionHost* const host_;
  http::RequestPtr request_;
  bool head_request_ = false;
  bool http10_ = false;
  bool close_after_ = false;
  bool finished_ = false;
  bool dispatched_ = false;
  bool aborted_ = false;
  BodyFraming framing_ = BodyFraming::kContentLength;
  std::shared_ptr<http::Exchange> exchange_;
  http::ChunkQueue<Chunk> chunks_;  // still to be written
  std::string head_bytes_;          // the response head (and a small body): reused by the next request
};

}  // namespace apiserve::http1

#endif  // APISERVE_HTTP1_TRANSACTION_H_
