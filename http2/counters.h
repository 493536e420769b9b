#ifndef APISERVE_HTTP2_COUNTERS_H_
#define APISERVE_HTTP2_COUNTERS_H_

// http2::Counters: what one connection's codec saw, for metrics and tests. A plain value read on the loop thread
// (Codec::counters()).

#include <cstdint>

namespace apiserve::http2 {

struct Counters {
  // Floods: each is answered with GOAWAY(ENHANCE_YOUR_CALM) and ends the connection (so each is 0 or 1 per codec).
  uint64_t rapid_reset_floods = 0;   // nghttp2's RST_STREAM token bucket ran dry
  uint64_t handler_work_floods = 0;  // a request beyond max_concurrent_streams unanswered requests
  uint64_t ack_floods = 0;           // SETTINGS/PING ACKs piled up beyond max_outbound_ack
  uint64_t settings_floods = 0;      // a SETTINGS frame with more than max_settings_entries entries
  uint64_t priority_floods = 0;      // PRIORITY frames beyond max_priority_frames_per_stream per stream
  uint64_t empty_data_floods = 0;    // consecutive empty DATA frames beyond the limit
  uint64_t continuation_floods = 0;  // CONTINUATION frames beyond max_continuations
  uint64_t hpack_bombs = 0;          // a header block decoding far beyond max_header_list_size
  uint64_t library_floods = 0;       // nghttp2 sent ENHANCE_YOUR_CALM itself for another reason

  // Ordinary events.
  uint64_t streams_opened = 0;       // request HEADERS received
  uint64_t requests_dispatched = 0;  // handed to the handler
  uint64_t resets_received = 0;      // RST_STREAM frames from the peer
  uint64_t headers_too_large = 0;    // answered 431
  uint64_t bodies_cut_short = 0;     // answered before the request body ended: RST_STREAM(NO_ERROR) after the answer
  uint64_t malformed_requests = 0;   // streams we reset with PROTOCOL_ERROR for RFC 9113 §8.3 reasons
  uint64_t pings_received = 0;
  uint64_t settings_received = 0;  // non-ACK SETTINGS frames
  uint64_t priority_frames_received = 0;
  uint64_t goaways_sent = 0;        // every GOAWAY frame: shutdown notice, final, idle, errors and floods
  uint64_t error_goaways_sent = 0;  // those with an error code other than NO_ERROR
};

}  // namespace apiserve::http2

#endif  // APISERVE_HTTP2_COUNTERS_H_
