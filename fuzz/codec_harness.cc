#include "fuzz/codec_harness.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "http/response.h"

namespace apiserve::fuzz {

CodecHarness::CodecHarness(uint32_t answer_script) : answer_script_(answer_script) {
  handler_ = http::HandlerFunc(
      [this](http::RequestPtr request, http::ResponseWriter writer) { Serve(std::move(request), std::move(writer)); });
}

http::CodecContext CodecHarness::Context() {
  http::CodecContext context;
  context.loop = &loop_;
  context.clock = &loop_;
  context.handler = handler_.get();
  context.callbacks = this;
  context.connection = std::make_shared<http::ConnectionInfo>();
  return context;
}

void CodecHarness::Serve(http::RequestPtr request, http::ResponseWriter writer) {
  if (request->method.empty() || request->target.empty()) {
    fprintf(stderr, "codec_harness: a request without a method or a target reached the handler\n");
    abort();
  }
  const uint32_t mode = (answer_script_ >> (2 * (requests_ % 16))) & 3;
  ++requests_;
  if (mode == 1) {
    kept_.push_back(std::move(writer));  // answered later; the body, if any, is never read
    return;
  }
  if (request->body_stream != nullptr && (requests_ & 4) != 0) {
    // A small limit, so bodies go over it as they arrive (the chain's 413 path).
    request->body_stream->SetLimit(64, [completer = writer.completer()] {
      completer.TrySend(http::TextResponse(413, "too large")).IgnoreError();
    });
  }
  http::ReadBody(request, [this, mode, request, writer = std::move(writer)](absl::Status) mutable {
    Answer(mode, *request, std::move(writer));
  });
}

void CodecHarness::Answer(uint32_t mode, const http::Request& request, http::ResponseWriter writer) {
  switch (mode) {
    case 0:
      writer.Send(http::TextResponse(200, absl::StrCat(request.method, " ", request.path, " ", request.body.size())))
          .IgnoreError();
      break;
    case 2: {
      http::HeaderMap headers;
      headers.Add("Content-Type", "text/plain");
      writer.WriteHead(200, std::move(headers)).IgnoreError();
      writer.Write(std::string(request.body.size() % 5000 + 1, 'x')).IgnoreError();
      writer.Write(request.raw_query).IgnoreError();
      http::HeaderMap trailers;
      trailers.Add("X-Trailer", "done");
      writer.Finish(std::move(trailers)).IgnoreError();
      break;
    }
    default:
      if (request.body.size() % 2 == 1) writer.AddResponseHeader("Connection", "close");
      break;  // the writer is dropped unanswered: 500
  }
}

void CodecHarness::AnswerKept() {
  std::vector<http::ResponseWriter> kept = std::move(kept_);
  kept_.clear();
  for (http::ResponseWriter& writer : kept) writer.Send(http::TextResponse(202, "later")).IgnoreError();
}

void CodecHarness::Drain(http::ServerCodec& codec) {
  for (absl::string_view chunk = codec.PeekOutput(); !chunk.empty(); chunk = codec.PeekOutput()) {
    output_.append(chunk.data(), chunk.size());
    codec.ConsumeOutput(chunk.size());
  }
}

absl::Status CodecHarness::Feed(http::ServerCodec& codec, absl::string_view bytes) {
  absl::Status status = codec.Feed(bytes);
  loop_.RunUntilIdle();
  Drain(codec);
  AnswerKept();
  loop_.RunUntilIdle();
  Drain(codec);
  return status;
}

void CodecHarness::Finish(http::ServerCodec& codec) {
  codec.OnPeerClosed();
  loop_.RunUntilIdle();
  AnswerKept();
  loop_.RunUntilIdle();
}

uint8_t ByteReader::Byte() {
  if (data_.empty()) return 0;
  const uint8_t b = static_cast<uint8_t>(data_[0]);
  data_.remove_prefix(1);
  return b;
}

uint32_t ByteReader::U32() {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | Byte();
  return v;
}

absl::string_view ByteReader::Bytes(size_t n) {
  absl::string_view out = data_.substr(0, n);
  data_.remove_prefix(out.size());
  return out;
}

}  // namespace apiserve::fuzz
