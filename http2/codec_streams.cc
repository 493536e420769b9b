#include <algorithm>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "base/logger.h"
#include "http/request.h"
#include "http/response.h"
#include "http2/codec.h"

// http2::Codec, per stream: requests from their head to the handler, request bodies and their flow-control credit,
// and responses from the handler into nghttp2 (the StreamHost side of http2::Stream). The session side (Feed,
// output, floods, shutdown, nghttp2's events) is in codec.cc.

namespace apiserve::http2 {
namespace {

const http::ResponsePtr& HeaderListTooLargeResponse() {
  // Go's x/net answers an over-long header list with this body.
  static const http::ResponsePtr* const response = new http::ResponsePtr(
      http::Shared(http::TextResponse(431, "<h1>HTTP Error 431</h1><p>Request Header Field(s) Too Large</p>")));
  return *response;
}

}  // namespace

void Codec::OnRequestHead(Stream* stream, bool end_stream) {
  http::Request& request = *stream->request;
  if (stream->too_large) {
    ++counters_.headers_too_large;
    stream->reset_after_send = !end_stream;
    RejectHeaderListTooLarge(stream);
    return;
  }
  if (stream->rejected) return;
  // A string_view compares sizes before bytes: a GET costs no memcmp here (std::string against a literal does one).
  const absl::string_view method = request.method;
  stream->head_request = method == "HEAD";
  // nghttp2 checked the pseudo-headers' presence and syntax; RFC 9113 §8.3.1 also wants an origin-form path
  // (or "*" for OPTIONS) for every method but CONNECT.
  if (method != "CONNECT" && (request.target.empty() || request.target[0] != '/') &&
      !(request.target == "*" && method == "OPTIONS")) {
    ++counters_.malformed_requests;
    VLOG(4) << "HTTP/2 stream " << stream->id << ": malformed :path \"" << request.target << "\"";
    ResetStream(stream, NGHTTP2_PROTOCOL_ERROR);
    return;
  }
  if (end_stream) {
    ready_.push_back(stream->id);
    return;
  }
  // The request has a body: it is dispatched now, on its headers (DESIGN §4), and the body follows as it arrives.
  std::optional<uint64_t> content_length;
  if (std::optional<absl::string_view> length = request.headers.Get("content-length"); length.has_value()) {
    uint64_t n = 0;
    if (absl::SimpleAtoi(*length, &n)) content_length = n;
  }
  stream->body = std::make_shared<http::RequestBody>(stream, content_length);
  request.body_stream = stream->body;
  ready_.push_back(stream->id);
}

void Codec::OnRequestComplete(Stream* stream) {
  if (stream->body == nullptr) return;
  stream->body->Finish(absl::OkStatus());
  SchedulePump(stream->body);
}

void Codec::OnBodyConsumed(Stream* stream, size_t n) {
  stream->body_held -= std::min<uint64_t>(n, stream->body_held);
  const int rv = nghttp2_session_consume(session_.get(), stream->id, n);
  if (rv != 0) FailInternal(NghttpError("nghttp2_session_consume", rv));
  OutputReady();
}

void Codec::OnResponseComplete(Stream* stream) {
  if (stream->body == nullptr || stream->body->discarded()) return;
  if (!stream->body->complete()) {
    // RFC 9113 §8.1: the answer is complete before the request; once it is out, tell the client to stop sending
    // (RST_STREAM(NO_ERROR), OnFrameSend). DATA already on its way is dropped with its credit returned.
    nghttp2_stream* ns = nghttp2_session_find_stream(session_.get(), stream->id);
    if (ns != nullptr && nghttp2_stream_get_state(ns) == NGHTTP2_STREAM_STATE_OPEN && !stream->rejected) {
      stream->reset_after_send = true;
      ++counters_.bodies_cut_short;
    }
  }
  stream->body->Discard();  // what it holds is returned as credit (OnBodyConsumed)
  SchedulePump(stream->body);
}

void Codec::DetachBody(Stream* stream) {
  if (stream->body == nullptr) return;
  std::shared_ptr<http::RequestBody> body = std::move(stream->body);
  body->DetachSource();
  if (stream->body_held > 0) {
    // The stream is gone; the connection window still counts what the body held.
    const int rv = nghttp2_session_consume_connection(session_.get(), stream->body_held);
    if (rv != 0) FailInternal(NghttpError("nghttp2_session_consume_connection", rv));
    stream->body_held = 0;
  }
  SchedulePump(std::move(body));
}

void Codec::SchedulePump(std::shared_ptr<http::RequestBody> body) {
  bodies_to_pump_.push_back(std::move(body));
  if (!in_recv_ && !in_fill_) PumpBodies();
}

void Codec::PumpBodies() {
  // Readers run here, outside nghttp2's parser and serializer: they may answer, read on, or drop the request.
  while (!bodies_to_pump_.empty()) {
    std::vector<std::shared_ptr<http::RequestBody>> bodies;
    bodies.swap(bodies_to_pump_);
    for (const std::shared_ptr<http::RequestBody>& body : bodies) body->Pump();
  }
}

void Codec::RejectHeaderListTooLarge(Stream* stream) {
  stream->rejected = true;
  stream->answered = true;
  if (!stream->reset_after_send) {
    // The request was still arriving when we decided: stop it once our answer is out.
    nghttp2_stream* ns = nghttp2_session_find_stream(session_.get(), stream->id);
    const int state = ns != nullptr ? nghttp2_stream_get_state(ns) : NGHTTP2_STREAM_STATE_CLOSED;
    stream->reset_after_send = state == NGHTTP2_STREAM_STATE_OPEN;
  }
  const http::ResponsePtr& response = HeaderListTooLargeResponse();
  ResponseHeaderBlock::Extras extras;
  extras.now = Now();
  extras.content_length = response->body.size();
  const bool with_body = !stream->head_request;
  if (with_body) {
    stream->response = response;
    stream->response_offset = 0;
  }
  SubmitHead(stream, response->status, response->headers, extras, with_body);
}

void Codec::ResetStream(Stream* stream, uint32_t error_code) {
  stream->rejected = true;
  const int rv = nghttp2_submit_rst_stream(session_.get(), NGHTTP2_FLAG_NONE, stream->id, error_code);
  if (rv != 0) FailInternal(NghttpError("nghttp2_submit_rst_stream", rv));
  OutputReady();
}

void Codec::DispatchReady() {
  // Dispatch after nghttp2 returns, so handlers that answer at once never run inside nghttp2's parser.
  for (size_t i = 0; i < ready_.size(); ++i) {
    if (goaway_ == Goaway::kCalm || state_ >= State::kFatal) break;
    Stream* stream = FindStream(ready_[i]);
    if (stream != nullptr && !stream->dispatched && !stream->rejected) Dispatch(stream);
  }
  ready_.clear();
}

void Codec::Dispatch(Stream* stream) {
  if (flood_guard_.OnDispatch(unanswered_ + orphans_.size()).has_value()) {
    orphans_.erase(std::remove_if(orphans_.begin(), orphans_.end(),
                                  [](const std::weak_ptr<http::Exchange>& e) { return e.expired(); }),
                   orphans_.end());
    if (std::optional<FloodVerdict> flood = flood_guard_.OnDispatch(unanswered_ + orphans_.size())) {
      Flood(*flood);
      return;
    }
  }
  http::RequestPtr request = std::move(stream->request);
  request->protocol = http::Protocol::kHttp2;
  http::SplitTarget(request->target, &request->path, &request->raw_query);
  if (request->authority.empty()) {
    if (std::optional<absl::string_view> host = request->headers.Get("host"); host.has_value()) {
      request->authority.assign(host->data(), host->size());
    }
  }
  if (request->headers.Count("cookie") > 1) {
    // RFC 9113 §8.2.3: cookie crumbs are joined with "; " before reaching an HTTP/1.1-shaped handler.
    const std::string joined = absl::StrJoin(request->headers.GetAll("cookie"), "; ");
    request->headers.Set("cookie", joined);
  }
  request->connection = context_.connection;
  request->executor = context_.loop;
  request->shutting_down = context_.shutting_down;
  request->received_time = Now();
  stream->exchange = http::NewExchange(context_.loop, stream, options_.response_high_water_mark);
  stream->dispatched = true;
  ++unanswered_;
  ++counters_.requests_dispatched;
  ++requests_dispatched_;
  context_.handler->Serve(std::move(request), http::ResponseWriter(stream->exchange));
}

void Codec::SubmitHead(Stream* stream, int status, const http::HeaderMap& headers,
                       const ResponseHeaderBlock::Extras& extras_in, bool with_body) {
  ResponseHeaderBlock::Extras extras = extras_in;
  if (extras.now == absl::Time()) extras.now = Now();
  const bool close = header_block_.Build(status, headers, extras);
  nghttp2_data_provider provider;
  provider.source.ptr = stream;
  provider.read_callback = &Stream::ReadCallback;
  const int rv = nghttp2_submit_response(session_.get(), stream->id, header_block_.data(), header_block_.size(),
                                         with_body ? &provider : nullptr);
  if (rv != 0) FailInternal(NghttpError("nghttp2_submit_response", rv));
  if (close && close_after_stream_ == 0 && goaway_ < Goaway::kFinal) {
    // Go's x/net: `Connection: close` from a handler starts a graceful shutdown of the connection.
    BeginShutdown();
    close_after_stream_ = stream->id;
  }
  OutputReady();
}

void Codec::SubmitTrailers(Stream* stream, const http::HeaderMap& trailers) {
  header_block_.BuildTrailers(trailers);
  const int rv = nghttp2_submit_trailer(session_.get(), stream->id, header_block_.data(), header_block_.size());
  if (rv != 0) FailInternal(NghttpError("nghttp2_submit_trailer", rv));
}

void Codec::ResumeData(Stream* stream) {
  if (stream->deferred) {
    stream->deferred = false;
    const int rv = nghttp2_session_resume_data(session_.get(), stream->id);
    if (rv != 0) FailInternal(NghttpError("nghttp2_session_resume_data", rv));
  }
  OutputReady();
}

void Codec::OnHandlerAnswered(Stream* stream) {
  if (stream->dispatched && unanswered_ > 0) --unanswered_;
}

}  // namespace apiserve::http2
