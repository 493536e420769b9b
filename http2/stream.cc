#include "http2/stream.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "http/wire_format.h"

namespace apiserve::http2 {

void Stream::Start(int32_t stream_id) {
  id = stream_id;
  request = http::NewRequest();
}

void Stream::Clear() {
  id = 0;
  request.reset();
  exchange.reset();
  response.reset();
  response_offset = 0;
  chunks.Release();
  chunk_offset = 0;
  trailers.clear();
  header_bytes = 0;
  body.reset();
  body_held = 0;
  head_request = too_large = rejected = dispatched = answered = deferred = body_finished = has_trailers = false;
  no_body = reset_after_send = false;
  prev = next = nullptr;
}

void Stream::SendResponse(http::ResponsePtr r, absl::Span<const http::HeaderField> extra_headers) {
  const bool body_allowed = !http::StatusHasNoBody(r->status);
  ResponseHeaderBlock::Extras extras;
  extras.more_headers = extra_headers;
  if (body_allowed) {
    extras.content_length = r->body.size();
    extras.sniff_body_prefix = r->body;
  }
  const bool with_body = body_allowed && !head_request && !r->body.empty();
  if (with_body) {
    response = r;
    response_offset = 0;
  }
  answered = true;
  host_->SubmitHead(this, r->status, r->headers, extras, with_body);
  host_->OnHandlerAnswered(this);
  host_->OnResponseComplete(this);
}

void Stream::SendHead(int status, http::HeaderMap headers, bool end_stream) {
  no_body = head_request || http::StatusHasNoBody(status);
  if (end_stream) answered = true;
  host_->SubmitHead(this, status, headers, ResponseHeaderBlock::Extras(), /*with_body=*/!end_stream);
  if (end_stream) {
    host_->OnHandlerAnswered(this);
    host_->OnResponseComplete(this);
  }
}

void Stream::SendBody(std::string data, bool end_stream) {
  const size_t size = data.size();
  if (no_body) {
    if (size > 0 && exchange) exchange->OnBytesDrained(size);  // nothing goes on the wire
  } else if (size > 0) {
    chunks.push_back(std::move(data));
  }
  if (end_stream) {
    body_finished = true;
    answered = true;
  }
  host_->ResumeData(this);
  if (end_stream) {
    host_->OnHandlerAnswered(this);
    host_->OnResponseComplete(this);
  }
}

void Stream::SendTrailers(http::HeaderMap t) {
  body_finished = true;
  answered = true;
  if (!no_body && !t.empty()) {
    trailers = std::move(t);
    has_trailers = true;
  }
  host_->ResumeData(this);
  host_->OnHandlerAnswered(this);
  host_->OnResponseComplete(this);
}

void Stream::Abort() {
  answered = true;
  host_->ResetStream(this, NGHTTP2_INTERNAL_ERROR);
  host_->OnHandlerAnswered(this);
  host_->OnResponseComplete(this);
}

ssize_t Stream::Read(uint8_t* buf, size_t length, uint32_t* flags) {
  if (response != nullptr) {
    const absl::string_view body = response->body;
    const size_t n = std::min(length, body.size() - response_offset);
    std::memcpy(buf, body.data() + response_offset, n);
    response_offset += n;
    if (response_offset == body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }
  size_t copied = 0;
  while (copied < length && !chunks.empty()) {
    const std::string& front = chunks.front();
    const size_t take = std::min(length - copied, front.size() - chunk_offset);
    std::memcpy(buf + copied, front.data() + chunk_offset, take);
    copied += take;
    chunk_offset += take;
    if (chunk_offset == front.size()) {
      chunks.pop_front();
      chunk_offset = 0;
    }
  }
  // May run the handler's OnWritable callback, which may write more (appended to `chunks`) or finish.
  if (copied > 0 && exchange != nullptr) exchange->OnBytesDrained(copied);
  if (chunks.empty() && body_finished) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (has_trailers) {
      *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
      host_->SubmitTrailers(this, trailers);
    }
    return static_cast<ssize_t>(copied);
  }
  if (copied == 0) {
    deferred = true;
    return NGHTTP2_ERR_DEFERRED;
  }
  return static_cast<ssize_t>(copied);
}

ssize_t Stream::ReadCallback(nghttp2_session* session, int32_t stream_id, uint8_t* buf, size_t length,
                             uint32_t* data_flags, nghttp2_data_source* source, void* user_data) {
  return static_cast<Stream*>(source->ptr)->Read(buf, length, data_flags);
}

void Stream::AddHeader(absl::string_view n, absl::string_view v) {
  http::Request& r = *request;
  if (!n.empty() && n[0] == ':') {
    if (n == ":method") {
      r.method.assign(v.data(), v.size());
    } else if (n == ":path") {
      r.target.assign(v.data(), v.size());
    } else if (n == ":authority") {
      r.authority.assign(v.data(), v.size());
    } else if (n == ":scheme") {
      r.scheme.assign(v.data(), v.size());
    }
    return;
  }
  r.headers.Add(n, v);
}

StreamPool::~StreamPool() {
  while (live_head_ != nullptr) {
    Stream* stream = live_head_;
    live_head_ = stream->next;
    delete stream;
  }
}

Stream* StreamPool::Acquire(int32_t id) {
  Stream* stream;
  if (free_.empty()) {
    stream = new Stream(host_);
  } else {
    stream = free_.back().release();
    free_.pop_back();
  }
  stream->Start(id);
  stream->next = live_head_;
  if (live_head_ != nullptr) live_head_->prev = stream;
  live_head_ = stream;
  ++live_;
  return stream;
}

void StreamPool::Release(Stream* stream) {
  if (stream->prev != nullptr) stream->prev->next = stream->next;
  if (stream->next != nullptr) stream->next->prev = stream->prev;
  if (live_head_ == stream) live_head_ = stream->next;
  --live_;
  stream->Clear();
  if (free_.size() < max_idle_) {
    free_.emplace_back(stream);
  } else {
    delete stream;
  }
}

void StreamPool::Trim() { free_.resize(std::min<size_t>(free_.size(), 1)); }

}  // namespace apiserve::http2
