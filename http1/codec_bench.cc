// Measures the HTTP/1.1 codec alone on one core: parse a request, dispatch it to a handler answering a prebuilt
// `ok`, serialize the response. Run: bazel run -c opt //http1:codec_bench
#include <cstdio>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "http/handler.h"
#include "http/response.h"
#include "http1/codec.h"

int main() {
  using namespace apiserve;
  http::HandlerPtr handler = http::StaticHandler(http::Shared(http::TextResponse(200, "ok")));
  http::CodecContext context;
  context.handler = handler.get();
  context.connection = std::make_shared<http::ConnectionInfo>();
  http1::Codec codec(context, http1::Options());
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: localhost:6443\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n";
  constexpr int kBatch = 16;  // pipelined requests per read, as a busy keep-alive client sends them
  std::string batch;
  for (int i = 0; i < kBatch; ++i) batch += request;
  size_t bytes_out = 0;
  const int kRounds = 200000;
  const absl::Time start = absl::Now();
  for (int round = 0; round < kRounds; ++round) {
    if (!codec.Feed(batch).ok()) return 1;
    for (absl::string_view out = codec.PeekOutput(); !out.empty(); out = codec.PeekOutput()) {
      bytes_out += out.size();
      codec.ConsumeOutput(out.size());
    }
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const double requests = static_cast<double>(kRounds) * kBatch;
  std::printf("http1 codec: %.0f requests in %.3f s = %.0f req/s (%.3f us/req), %zu bytes out\n", requests, seconds,
              requests / seconds, seconds * 1e6 / requests, bytes_out);
  return codec.RequestsDispatched() == static_cast<uint64_t>(requests) ? 0 : 2;
}
