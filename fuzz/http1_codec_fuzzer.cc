// Fuzzes http1::Codec: arbitrary bytes from a client, fed whole or in small pieces, answered in the ways a handler
// can answer (at once, later, streamed, dropped).
//
// Input: 4 bytes of answer script (see CodecHarness), 1 byte of options, then the client's byte stream.
// Options: bit 0 small limits (header, body, pipelining); bit 1 BeginShutdown after the first piece; bits 2..7 the
// piece size (0: the whole stream at once).
//
// Checks beyond the sanitizers: the output is a sequence of responses ("HTTP/1.1 " first); once Feed has reported a
// protocol error and every response is out, the codec wants to close; a request reaches the handler only with a
// method and a path.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "fuzz/codec_harness.h"
#include "http1/codec.h"

namespace apiserve::fuzz {
namespace {

void Check(bool condition, const char* what) {
  if (!condition) {
    fprintf(stderr, "http1_codec_fuzzer: check failed: %s\n", what);
    abort();
  }
}

void FuzzOne(absl::string_view data) {
  ByteReader in(data);
  const uint32_t script = in.U32();
  const uint8_t flags = in.Byte();
  http1::Options options;
  if (flags & 1) {
    options.max_header_bytes = 256;
    options.max_buffered_body_bytes = 64;
    options.max_discard_body_bytes = 32;
    options.max_pipelined_requests = 2;
    options.response_high_water_mark = 128;
  }
  const size_t piece = flags >> 2;

  CodecHarness harness(script);
  auto codec = std::make_unique<http1::Codec>(harness.Context(), options);
  bool failed = false;
  bool first = true;
  while (!in.empty()) {
    const absl::string_view bytes = piece == 0 ? in.Rest() : in.Bytes(piece);
    if (!harness.Feed(*codec, bytes).ok()) failed = true;
    if (first && (flags & 2)) codec->BeginShutdown();
    first = false;
    Check(harness.requests() == codec->RequestsDispatched(), "every dispatched request reached the handler");
  }
  // Whatever the client left unread (pipelining read-ahead), answer everything and let the codec catch up.
  for (int i = 0; i < 64 && !codec->WantsClose() && codec->ActiveRequests() > 0; ++i) {
    if (!harness.Feed(*codec, "").ok()) failed = true;
  }
  harness.AnswerKept();
  harness.loop().RunUntilIdle();
  harness.Drain(*codec);
  if (!harness.output().empty()) Check(absl::StartsWith(harness.output(), "HTTP/1.1 "), "output starts a response");
  if (failed) Check(codec->WantsClose(), "a protocol error ends in close once the responses are out");
  harness.Finish(*codec);
  Check(codec->WantsClose(), "closes after the peer closed");
}

}  // namespace
}  // namespace apiserve::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  apiserve::fuzz::FuzzOne(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
