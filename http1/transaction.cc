#include "http1/transaction.h"

#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "http/wire_format.h"

namespace apiserve::http1 {

void Transaction::SendResponse(http::ResponsePtr response, absl::Span<const http::HeaderField> extra_headers) {
  const bool close = ShouldClose(response->headers.fields(), extra_headers);
  const bool no_body = http::StatusHasNoBody(response->status);
  HeadOptions head;
  head.status = response->status;
  head.framing = no_body ? BodyFraming::kNone : BodyFraming::kContentLength;
  head.content_length = response->body.size();
  head.close = close;
  head.sniff_content_type = true;
  head.body_prefix = response->body;
  head.now = host_->Now();
  head.more_headers = extra_headers;
  head_bytes_.clear();
  AppendResponseHead(response->headers, head, &head_bytes_);
  const bool send_body = !no_body && !head_request_ && !response->body.empty();
  if (send_body && response->body.size() <= 4096) head_bytes_.append(response->body);  // one write for small answers
  chunks_.push_back(Chunk::View(head_bytes_, nullptr));
  if (send_body && response->body.size() > 4096) {
    const absl::string_view body = response->body;
    chunks_.push_back(Chunk::View(body, std::move(response)));
  }
  Done();
}

void Transaction::SendHead(int status, http::HeaderMap headers, bool end_stream) {
  const bool close = ShouldClose(headers.fields());
  HeadOptions head;
  head.status = status;
  head.now = host_->Now();
  if (http::StatusHasNoBody(status)) {
    framing_ = BodyFraming::kNone;
  } else if (auto length = headers.Get("Content-Length"); length.has_value()) {
    framing_ = BodyFraming::kContentLength;
    size_t parsed = 0;
    head.content_length = absl::SimpleAtoi(*length, &parsed) ? parsed : 0;
  } else if (http10_) {
    framing_ = BodyFraming::kUntilClose;
    close_after_ = true;
  } else {
    framing_ = BodyFraming::kChunked;
  }
  if (head_request_ && framing_ == BodyFraming::kChunked) framing_ = BodyFraming::kNone;
  head.framing = framing_;
  head.close = close || close_after_;
  head_bytes_.clear();
  AppendResponseHead(headers, head, &head_bytes_);
  chunks_.push_back(Chunk::View(head_bytes_, nullptr));
  if (end_stream) {
    if (framing_ == BodyFraming::kChunked) AppendRaw("0\r\n\r\n");
    Done();
  } else {
    host_->OnTransactionOutput();
  }
}

void Transaction::SendBody(std::string data, bool end_stream) {
  const size_t size = data.size();
  if (head_request_ || framing_ == BodyFraming::kNone) {
    // No body on the wire; account for it as drained at once.
    if (size > 0 && exchange_) exchange_->OnBytesDrained(size);
  } else if (size > 0) {
    if (framing_ == BodyFraming::kChunked) {
      std::string framed;
      framed.reserve(size + 16);
      AppendChunkHeader(size, &framed);
      framed.append(data);
      framed.append("\r\n");
      chunks_.push_back(Chunk::Owned(std::move(framed), size));
    } else {
      chunks_.push_back(Chunk::Owned(std::move(data), size));
    }
  }
  if (end_stream) {
    if (framing_ == BodyFraming::kChunked && !head_request_) AppendRaw("0\r\n\r\n");
    Done();
  } else {
    host_->OnTransactionOutput();
  }
}

void Transaction::SendTrailers(http::HeaderMap trailers) {
  if (framing_ == BodyFraming::kChunked && !head_request_) {
    std::string bytes;
    AppendLastChunk(trailers, &bytes);
    AppendRaw(std::move(bytes));
  }
  Done();
}

void Transaction::Abort() {
  // HTTP/1.1 has no way to abort a response: close the connection without the last chunk.
  aborted_ = true;
  close_after_ = true;
  Done();
}

}  // namespace apiserve::http1
