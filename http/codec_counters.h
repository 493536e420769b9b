#ifndef APISERVE_HTTP_CODEC_COUNTERS_H_
#define APISERVE_HTTP_CODEC_COUNTERS_H_

// http::CodecCounters: what one connection's codec counted that the server sums into its metrics when the
// connection closes (http::ServerCodec::counters()). http::FloodKind is the one list of flood kinds: adding a kind
// is one line in kFloodKindNames plus its enumerator; the counters, the server's sums and the
// `apiserve_http2_floods_total{kind}` metric follow from this header.
//
// A plain value, read and written on the connection's loop thread.

#include <array>
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace apiserve::http {

// FloodKind names why a codec answered a peer with GOAWAY(ENHANCE_YOUR_CALM). In the order of kFloodKindNames
// (alphabetical, the order the metric lists them).
enum class FloodKind : uint8_t {
  kAck,           // SETTINGS/PING ACKs piled up beyond max_outbound_ack (a peer that does not read)
  kContinuation,  // CONTINUATION frames beyond max_continuations
  kEmptyData,     // consecutive empty DATA frames beyond the limit
  kHandlerWork,   // a request beyond max_concurrent_streams unanswered requests (streams reset, handlers running)
  kHpackBomb,     // a header block decoding far beyond max_header_list_size
  kLibrary,       // nghttp2 sent ENHANCE_YOUR_CALM itself for another reason
  kPriority,      // PRIORITY frames beyond max_priority_frames_per_stream per stream
  kRapidReset,    // the RST_STREAM token bucket ran dry
  kSettings,      // a SETTINGS frame with more than max_settings_entries entries
};

// kFloodKindNames[k] is FloodKind k's metric label.
inline constexpr std::array<absl::string_view, 9> kFloodKindNames = {
    "ack", "continuation", "empty_data", "handler_work", "hpack_bomb", "library", "priority", "rapid_reset", "settings",
};
inline constexpr size_t kFloodKinds = kFloodKindNames.size();
static_assert(static_cast<size_t>(FloodKind::kSettings) + 1 == kFloodKinds, "one name per FloodKind");

inline absl::string_view FloodKindName(FloodKind kind) { return kFloodKindNames[static_cast<size_t>(kind)]; }

// CodecCounters: per connection. Floods end the connection, so each flood count is 0 or 1 per codec.
struct CodecCounters {
  std::array<uint64_t, kFloodKinds> floods{};
  uint64_t goaways_sent = 0;        // every GOAWAY frame: shutdown notice, final, idle, errors and floods
  uint64_t error_goaways_sent = 0;  // those with an error code other than NO_ERROR
  uint64_t resets_received = 0;     // RST_STREAM frames from the peer
  uint64_t internal_errors = 0;     // a library call failed (the codec closed the connection, logged)

  uint64_t& flood(FloodKind kind) { return floods[static_cast<size_t>(kind)]; }
  uint64_t flood(FloodKind kind) const { return floods[static_cast<size_t>(kind)]; }
};

}  // namespace apiserve::http

#endif  // APISERVE_HTTP_CODEC_COUNTERS_H_
