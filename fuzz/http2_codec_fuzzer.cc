// Fuzzes http2::Codec with arbitrary frames after a valid client preface. nghttp2 is not instrumented, so the input
// is a list of operations that build well-framed frames (the length is always right, request headers are HPACK
// literals) or raw ones, to reach the codec's own code: stream bookkeeping, limits, floods, flow control, shutdown.
//
// Input: 4 bytes of answer script (see CodecHarness), 1 byte of options (bit 0: small limits; bit 1: send all frames
// in one Feed instead of one Feed per frame), then operations until the input ends; each starts with an opcode
// byte (see FuzzOne).
//
// Checks beyond the sanitizers: the output is whole frames starting with the server's SETTINGS; after Feed reports
// an error, the codec wants to close once its output is flushed.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "fuzz/codec_harness.h"
#include "http2/codec.h"

namespace apiserve::fuzz {
namespace {

void Check(bool condition, const char* what) {
  if (!condition) {
    fprintf(stderr, "http2_codec_fuzzer: check failed: %s\n", what);
    abort();
  }
}

enum FrameType : uint8_t {
  kData = 0,
  kHeaders = 1,
  kPriority = 2,
  kRstStream = 3,
  kSettings = 4,
  kPing = 6,
  kWindowUpdate = 8,
  kContinuation = 9,
};
constexpr uint8_t kEndStream = 0x1;
constexpr uint8_t kAck = 0x1;
constexpr uint8_t kEndHeaders = 0x4;
constexpr uint8_t kPadded = 0x8;
constexpr uint8_t kPriorityFlag = 0x20;

void PutU32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}

std::string Frame(uint8_t type, uint8_t flags, uint32_t stream_id, absl::string_view payload) {
  std::string out;
  const size_t n = payload.size();
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
  out.push_back(static_cast<char>(type));
  out.push_back(static_cast<char>(flags));
  PutU32(&out, stream_id);
  out.append(payload.data(), payload.size());
  return out;
}

// HPACK integer with an n-bit prefix (RFC 7541 §5.1).
void PutHpackInt(std::string* out, uint8_t first_bits, int n, size_t v) {
  const size_t max = (size_t{1} << n) - 1;
  if (v < max) {
    out->push_back(static_cast<char>(first_bits | v));
    return;
  }
  out->push_back(static_cast<char>(first_bits | max));
  v -= max;
  while (v >= 128) {
    out->push_back(static_cast<char>(0x80 | (v & 0x7f)));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// A literal header field without indexing, new name, no Huffman (RFC 7541 §6.2.2).
void PutField(std::string* out, absl::string_view name, absl::string_view value) {
  out->push_back(0);
  PutHpackInt(out, 0, 7, name.size());
  out->append(name.data(), name.size());
  PutHpackInt(out, 0, 7, value.size());
  out->append(value.data(), value.size());
}

uint32_t StreamId(ByteReader& in) { return 2u * in.Byte() + 1; }

// Fields reads up to three extra header fields.
void Fields(ByteReader& in, std::string* block) {
  const int n = in.Byte() % 4;
  for (int i = 0; i < n; ++i) {
    const absl::string_view name = in.LengthPrefixed();
    PutField(block, name, in.LengthPrefixed());
  }
}

// Padding wraps `payload` with a pad length and padding when PADDED is set.
std::string Padded(uint8_t flags, uint8_t pad, absl::string_view payload) {
  if (!(flags & kPadded)) return std::string(payload);
  std::string out(1, static_cast<char>(pad));
  out.append(payload.data(), payload.size());
  out.append(pad, '\0');
  return out;
}

// NextFrames reads one operation and returns the bytes it sends; the server-side operation (time, answers,
// shutdown) sends none.
std::string NextFrames(ByteReader& in, http2::Codec& codec, CodecHarness& harness) {
  const uint8_t op = in.Byte() % 11;
  switch (op) {
    case 0: {  // raw frame
      const uint8_t type = in.Byte();
      const uint8_t flags = in.Byte();
      const uint32_t id = in.U32();
      return Frame(type, flags, id, in.LengthPrefixed());
    }
    case 1: {  // request HEADERS
      const uint32_t id = StreamId(in);
      const uint8_t flags = in.Byte();
      static constexpr absl::string_view kMethods[] = {"GET", "POST", "HEAD", "OPTIONS", "PUT", "CONNECT"};
      const uint8_t method = in.Byte();
      std::string block;
      if (!(flags & 0x40)) {
        PutField(&block, ":method", method < 6 * 40 ? kMethods[method % 6] : in.LengthPrefixed());
        PutField(&block, ":scheme", "https");
      }
      PutField(&block, ":path", in.LengthPrefixed());
      if (!(flags & 0x80)) PutField(&block, ":authority", "example.com");
      if (flags & 0x10) PutField(&block, "content-length", in.LengthPrefixed());
      Fields(in, &block);
      std::string payload;
      if (flags & kPriorityFlag) {
        PutU32(&payload, in.Byte());
        payload.push_back(static_cast<char>(in.Byte()));
      }
      payload += block;
      const uint8_t frame_flags = (flags & (kEndStream | kPadded | kPriorityFlag)) | ((flags & 2) ? 0 : kEndHeaders);
      return Frame(kHeaders, frame_flags, id, Padded(frame_flags, in.Byte() % 16, payload));
    }
    case 2: {  // CONTINUATION with more fields
      const uint32_t id = StreamId(in);
      const uint8_t flags = in.Byte() & kEndHeaders;
      std::string block;
      Fields(in, &block);
      return Frame(kContinuation, flags, id, block);
    }
    case 3: {  // DATA: literal bytes, or a large run
      const uint32_t id = StreamId(in);
      const uint8_t flags = in.Byte() & (kEndStream | kPadded | 0x40);
      std::string payload =
          (flags & 0x40) ? std::string(size_t{in.Byte()} * 128, 'a') : std::string(in.LengthPrefixed());
      const uint8_t frame_flags = flags & (kEndStream | kPadded);
      return Frame(kData, frame_flags, id, Padded(frame_flags, in.Byte() % 16, payload));
    }
    case 4: {  // RST_STREAM
      const uint32_t id = StreamId(in);
      std::string payload;
      PutU32(&payload, in.Byte() % 16);
      return Frame(kRstStream, 0, id, payload);
    }
    case 5: {  // WINDOW_UPDATE on the connection or a stream
      const uint8_t which = in.Byte();
      std::string payload;
      PutU32(&payload, in.U32() & 0x7fffffff);
      return Frame(kWindowUpdate, 0, which == 0 ? 0 : 2u * which - 1, payload);
    }
    case 6: {  // SETTINGS or its ACK
      const uint8_t flags = in.Byte();
      if (flags & 1) return Frame(kSettings, kAck, 0, "");
      std::string payload;
      const int n = flags % 5;
      for (int i = 0; i < n; ++i) {
        payload.push_back(0);
        payload.push_back(static_cast<char>(in.Byte() % 9));
        PutU32(&payload, in.U32());
      }
      return Frame(kSettings, 0, 0, payload);
    }
    case 7:  // PING
      return Frame(kPing, in.Byte() & kAck, 0, std::string(8, static_cast<char>(in.Byte())));
    case 8: {  // PRIORITY
      const uint32_t id = StreamId(in);
      std::string payload;
      PutU32(&payload, in.Byte());
      payload.push_back(static_cast<char>(in.Byte()));
      return Frame(kPriority, 0, id, payload);
    }
    case 9: {  // the server side: time passes, kept requests are answered, shutdown phases
      const uint8_t what = in.Byte();
      harness.loop().AdvanceTime(absl::Milliseconds(100 * (what >> 2)));
      harness.AnswerKept();
      if (what & 1) codec.BeginShutdown();
      if (what & 2) codec.CompleteShutdown();
      harness.loop().RunUntilIdle();
      harness.Drain(codec);
      return "";
    }
    default:  // a run of a small frame, for the flood limits
    {
      const uint8_t kind = in.Byte();
      const int count = in.Byte();
      std::string out;
      for (int i = 0; i < count; ++i) {
        switch (kind % 4) {
          case 0:
            out += Frame(kPing, 0, 0, std::string(8, 'p'));
            break;
          case 1:
            out += Frame(kSettings, 0, 0, "");
            break;
          case 2:
            out += Frame(kData, 0, 1, "");
            break;
          default: {
            std::string payload;
            PutU32(&payload, 0);
            payload.push_back(0);
            out += Frame(kPriority, 0, 2u * i + 1, payload);
          }
        }
      }
      return out;
    }
  }
}

// CheckFrames checks that `out` is a whole number of frames and starts with SETTINGS on stream 0.
void CheckFrames(absl::string_view out) {
  if (out.empty()) return;
  Check(out.size() >= 9 && out[3] == kSettings && out.substr(5, 4) == absl::string_view("\0\0\0\0", 4),
        "output starts with the server's SETTINGS");
  while (!out.empty()) {
    Check(out.size() >= 9, "output ends on a frame boundary (header)");
    const size_t length = (size_t{static_cast<uint8_t>(out[0])} << 16) | (size_t{static_cast<uint8_t>(out[1])} << 8) |
                          static_cast<uint8_t>(out[2]);
    Check(out.size() >= 9 + length, "output ends on a frame boundary (payload)");
    out.remove_prefix(9 + length);
  }
}

void FuzzOne(absl::string_view data) {
  ByteReader in(data);
  const uint32_t script = in.U32();
  const uint8_t flags = in.Byte();
  http2::Options options;
  if (flags & 1) {
    options.max_concurrent_streams = 4;
    options.max_header_list_size = 1024;
    options.max_upload_buffer_per_stream = 65535;
    options.response_high_water_mark = 256;
    options.flood.reset_burst = 8;
    options.flood.reset_rate_per_second = 1;
    options.flood.max_outbound_ack = 8;
    options.flood.max_priority_frames_per_stream = 4;
    options.flood.max_consecutive_empty_data_frames = 2;
  }
  CodecHarness harness(script);
  auto created = http2::Codec::Create(harness.Context(), options);
  Check(created.ok(), "the options are valid");
  std::unique_ptr<http2::Codec> codec = std::move(created).value();

  const bool batch = flags & 2;
  std::string pending = std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24) + Frame(kSettings, 0, 0, "");
  bool failed = false;
  while (!in.empty()) {
    pending += NextFrames(in, *codec, harness);
    if (!batch && !pending.empty()) {
      if (!harness.Feed(*codec, pending).ok()) failed = true;
      pending.clear();
    }
  }
  if (!pending.empty() && !harness.Feed(*codec, pending).ok()) failed = true;
  harness.AnswerKept();
  harness.loop().RunUntilIdle();
  harness.Drain(*codec);
  CheckFrames(harness.output());
  if (failed) Check(codec->WantsClose(), "a connection error ends in close once the output is flushed");
  harness.Finish(*codec);
  Check(codec->WantsClose(), "closes after the peer closed");
}

}  // namespace
}  // namespace apiserve::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  apiserve::fuzz::FuzzOne(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
