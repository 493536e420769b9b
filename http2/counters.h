#ifndef APISERVE_HTTP2_COUNTERS_H_
#define APISERVE_HTTP2_COUNTERS_H_

// http2::Counters: what one connection's codec saw, for metrics and tests. A plain value read on the loop thread
// (Codec::counters()). The part the server sums (floods by http::FloodKind, GOAWAYs, resets) is the
// http::CodecCounters base.

#include <cstdint>

#include "http/codec_counters.h"

namespace apiserve::http2 {

struct Counters : http::CodecCounters {
  uint64_t streams_opened = 0;       // request HEADERS received
  uint64_t requests_dispatched = 0;  // handed to the handler
  uint64_t headers_too_large = 0;    // answered 431
  uint64_t bodies_cut_short = 0;     // answered before the request body ended: RST_STREAM(NO_ERROR) after the answer
  uint64_t malformed_requests = 0;   // streams we reset with PROTOCOL_ERROR for RFC 9113 §8.3 reasons
  uint64_t pings_received = 0;
  uint64_t settings_received = 0;  // non-ACK SETTINGS frames
  uint64_t priority_frames_received = 0;
  uint64_t closed_stream_frames = 0;  // DATA/HEADERS on a stream the client reset: RST_STREAM(STREAM_CLOSED)
};

}  // namespace apiserve::http2

#endif  // APISERVE_HTTP2_COUNTERS_H_
