#ifndef APISERVE_HTTP2_FLOOD_GUARD_H_
#define APISERVE_HTTP2_FLOOD_GUARD_H_

// http2::FloodGuard: the one place that decides, for each inbound frame, whether the peer is abusing the connection
// (RFC 9113 §10.5: rapid reset, PRIORITY, empty DATA, SETTINGS, PING/SETTINGS ACK and CONTINUATION floods, HPACK
// bombs, handler work piling up behind reset streams). It counts what it judges (http2::Counters) and answers with
// a FloodVerdict naming the flood; acting on it (GOAWAY(ENHANCE_YOUR_CALM), once) is the codec's job.
//
// Threading: loop-affine, like its codec. Pointers given to the constructor are borrowed and outlive the guard.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "http/codec_counters.h"
#include "http2/counters.h"
#include "http2/options.h"
#include "nghttp2/nghttp2.h"

namespace apiserve::http2 {

// FloodVerdict: which flood, and a sentence for the log and Feed's error ("more than 8 consecutive empty DATA
// frames").
struct FloodVerdict {
  http::FloodKind kind;
  std::string what;
};

class FloodGuard {
 public:
  // `clock` (borrowed, never null) refills the rapid-reset bucket; `counters` receives the per-frame counts.
  FloodGuard(const Options& options, const base::Clock* clock, Counters* counters);

  // OnBeginFrame notes the type of the frame nghttp2 starts to parse (ClassifyLibraryCalm).
  void OnBeginFrame(uint8_t type) { last_frame_type_ = type; }
  // OnFrame judges a complete inbound frame: consecutive empty DATA frames, PRIORITY frames per stream opened,
  // RST_STREAM beyond the rapid-reset bucket; counts PING and SETTINGS frames.
  std::optional<FloodVerdict> OnFrame(const nghttp2_frame& frame);
  // OnHeaderList judges the decoded size of stream `stream_id`'s header block so far: an HPACK bomb when far over
  // `max_header_list_size` (hpack_bomb_factor times).
  std::optional<FloodVerdict> OnHeaderList(int32_t stream_id, uint64_t bytes) const;
  // OnDispatch judges handler work before a request is dispatched: `unanswered` requests (including those whose
  // stream the client already reset) may not reach max_concurrent_streams.
  std::optional<FloodVerdict> OnDispatch(size_t unanswered) const;
  // OnLibraryError judges an nghttp2 error code from mem_recv or an invalid frame: its own flood limits
  // (outbound ACKs, CONTINUATION frames, SETTINGS entries). nullopt for other errors.
  std::optional<FloodVerdict> OnLibraryError(int lib_error_code) const;
  // ClassifyLibraryCalm says which flood nghttp2 caught by itself when it sent GOAWAY(ENHANCE_YOUR_CALM) without
  // telling us, from the last frame it parsed.
  http::FloodKind ClassifyLibraryCalm() const;

 private:
  absl::Time Now() const { return clock_->Now(); }
  std::optional<FloodVerdict> OnReset();

  const Options& options_;
  const base::Clock* const clock_;
  Counters* const counters_;
  uint32_t consecutive_empty_data_ = 0;
  uint8_t last_frame_type_ = 0;
  double reset_tokens_;
  absl::Time reset_refill_time_;
};

}  // namespace apiserve::http2

#endif  // APISERVE_HTTP2_FLOOD_GUARD_H_
