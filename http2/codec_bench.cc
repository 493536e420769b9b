// Measures the HTTP/2 codec alone on one core: an in-memory nghttp2 client pipelines GET streams for a handler that
// answers a prebuilt `ok`; the codec parses them, dispatches, and frames the responses; the client parses those.
// Reports requests/s through the codec and the server-side (codec) CPU per request, excluding the client's share.
// Run: bazel run -c opt //http2:codec_bench
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "http/handler.h"
#include "http/response.h"
#include "http2/codec.h"
#include "http2/test_client.h"

namespace {

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

int main() {
  using namespace apiserve;
  http::HandlerPtr handler = http::StaticHandler(http::Shared(http::TextResponse(200, "ok")));
  http::CodecContext context;
  context.handler = handler.get();
  context.connection = std::make_shared<http::ConnectionInfo>();
  auto created = http2::Codec::Create(context, http2::Options());
  if (!created.ok()) {
    std::fprintf(stderr, "%s\n", std::string(created.status().message()).c_str());
    return 1;
  }
  std::unique_ptr<http2::Codec> codec = std::move(created).value();
  http2::TestClient client;

  constexpr int kBatch = 64;  // streams in flight per round (below the 100-stream limit)
  const int kRounds = 20000;
  double server_cpu = 0;
  uint64_t bytes_out = 0;
  const absl::Time start = absl::Now();
  for (int round = 0; round < kRounds; ++round) {
    for (int i = 0; i < kBatch; ++i) {
      client.Submit("GET", "/healthz", {{"user-agent", "bench"}, {"accept", "*/*"}});
    }
    const std::string in = client.TakeOutput();
    const double t0 = ThreadCpuSeconds();
    if (!codec->Feed(in).ok()) return 1;
    std::string out;
    for (absl::string_view chunk = codec->PeekOutput(); !chunk.empty(); chunk = codec->PeekOutput()) {
      out.append(chunk.data(), chunk.size());
      codec->ConsumeOutput(chunk.size());
    }
    server_cpu += ThreadCpuSeconds() - t0;
    bytes_out += out.size();
    client.Receive(out);
    client.responses.clear();
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const double requests = static_cast<double>(kRounds) * kBatch;
  std::printf(
      "http2 codec: %.0f requests in %.3f s wall (client included) = %.0f req/s; codec CPU %.3f s = %.3f us/req "
      "(%.0f req/s on one core), %llu bytes out\n",
      requests, seconds, requests / seconds, server_cpu, server_cpu * 1e6 / requests, requests / server_cpu,
      static_cast<unsigned long long>(bytes_out));
  return codec->counters().requests_dispatched == static_cast<uint64_t>(requests) ? 0 : 2;
}
