#ifndef APISERVE_HTTP2_OPTIONS_H_
#define APISERVE_HTTP2_OPTIONS_H_

// http2::Options: the HTTP/2 settings of kube-apiserver's secure serving (the seed's `http2.ConfigureServer` call in
// secure_serving.go), plus the body and flood limits our codec enforces.
//
// Why 100 streams: kube lowered the default from 250 to 100 in October 2023 for CVE-2023-44487 (HTTP/2 rapid reset:
// a client opens and cancels streams faster than the server can stop their handlers). The connection flow-control
// window is granted up front as max_upload_buffer_per_stream × max_concurrent_streams, so the stream limit also
// bounds the memory one client can make us hold: 25 MiB per connection at 100 streams, 62.5 MiB at the seed's 250.
// `--http2-max-streams-per-connection=250` reproduces the seed exactly.
//
// A plain value: copy it freely. Validate() before handing it to a codec.

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace apiserve::http2 {

// The seed's `resourceBody99Percentile`: 256 KiB covers the 99th percentile of resource bodies, so a typical object
// fits in one frame and one stream window.
inline constexpr uint32_t kResourceBody99Percentile = 256 * 1024;

// FloodLimits bound what a misbehaving peer can make us do. Each limit broken is counted (Codec::counters()) and
// answered with GOAWAY(ENHANCE_YOUR_CALM).
struct FloodLimits {
  // Rapid reset: nghttp2's RST_STREAM token bucket (nghttp2_option_set_stream_reset_rate_limit); these are
  // nghttp2's own defaults (1000 tokens, 33 per second).
  uint64_t reset_burst = 1000;
  uint64_t reset_rate_per_second = 33;
  // SETTINGS ACKs and PING ACKs queued because the peer does not read them (nghttp2_option_set_max_outbound_ack;
  // nghttp2's default). A SETTINGS or PING flood ends here.
  size_t max_outbound_ack = 1000;
  // Entries in one SETTINGS frame (nghttp2_option_set_max_settings; nghttp2's default; RFC 9113 defines 6).
  size_t max_settings_entries = 32;
  // PRIORITY frames allowed per stream the peer opened, plus one stream's worth (Envoy's default 100): priorities are
  // deprecated by RFC 9113 and cost us work without a request.
  uint32_t max_priority_frames_per_stream = 100;
  // DATA frames with no payload and no END_STREAM in a row (Envoy uses 1; 8 leaves room for odd clients).
  uint32_t max_consecutive_empty_data_frames = 8;
  // A header block decoding to more than this multiple of max_header_list_size is an HPACK bomb (tiny input
  // referencing large dynamic-table entries), not a client that overshot: 431 below it, GOAWAY above it.
  uint32_t hpack_bomb_factor = 4;
  // HPACK dynamic table we allow the peer to use for its requests (SETTINGS_HEADER_TABLE_SIZE) and that we use for
  // our responses (nghttp2_option_set_max_deflate_dynamic_table_size). RFC 9113's default 4 KiB.
  uint32_t header_table_size = 4096;
};

struct Options {
  // SETTINGS_MAX_CONCURRENT_STREAMS. kube's default since October 2023 (was 250; see above); the seed's value
  // with `--http2-max-streams-per-connection=250`. Also bounds handler work per connection: requests dispatched and
  // not yet answered (including those whose stream the client reset) may not exceed it.
  uint32_t max_concurrent_streams = 100;
  // SETTINGS_MAX_FRAME_SIZE: the largest frame payload we accept. The seed's MaxReadFrameSize = 256 KiB
  // (resourceBody99Percentile).
  uint32_t max_read_frame_size = kResourceBody99Percentile;
  // SETTINGS_INITIAL_WINDOW_SIZE: request body bytes a client may send on one stream before we consume them. The
  // seed's MaxUploadBufferPerStream = 256 KiB (resourceBody99Percentile).
  uint32_t max_upload_buffer_per_stream = kResourceBody99Percentile;
  // Connection inactivity (no open stream) after which the server sends GOAWAY: Go's http.Server IdleTimeout, 90 s
  // in the seed. The codec has no timers: the server runs this one while phase() is kIdle.
  absl::Duration idle_timeout = absl::Seconds(90);
  // SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 accounting: name + value + 32 per field): the seed's MaxHeaderBytes
  // 1 MiB. Over it, the stream is answered 431 as Go's x/net does. One field is also capped by nghttp2's HPACK
  // decoder (NGHTTP2_HD_MAX_NV): a field whose encoded form exceeds 64 KiB is a connection COMPRESSION_ERROR, not a
  // 431 (120 KiB of 'a' is ~75 KiB Huffman-coded and fails; 70 KiB of 'a' passes).
  uint32_t max_header_list_size = 1 << 20;
  // disable_http2 (`--disable-http2-serving`): the server offers only http/1.1 in ALPN. Not read by the codec.
  bool disable_http2 = false;

  // High-water mark for a streamed response body held by the codec (http::ResponseWriter::Write).
  size_t response_high_water_mark = size_t{1} << 20;

  FloodLimits flood;

  // max_upload_buffer_per_connection is the connection window granted up front: the seed's
  // MaxUploadBufferPerConnection = MaxUploadBufferPerStream × MaxConcurrentStreams. Derived, never stale: it is
  // recomputed from the two fields it depends on.
  uint64_t max_upload_buffer_per_connection() const {
    return uint64_t{max_upload_buffer_per_stream} * max_concurrent_streams;
  }

  // max_continuations is how many CONTINUATION frames may follow a HEADERS frame (nghttp2 defaults to 8, which caps
  // a header block near 144 KiB with 16 KiB frames): enough 16 KiB frames for max_header_list_size, plus one.
  size_t max_continuations() const { return (size_t{max_header_list_size} + 16383) / 16384 + 1; }

  // Validate returns OK, or InvalidArgument naming every field out of range (all problems at once).
  absl::Status Validate() const;
};

}  // namespace apiserve::http2

#endif  // APISERVE_HTTP2_OPTIONS_H_
