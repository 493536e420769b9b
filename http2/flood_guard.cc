#include "http2/flood_guard.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace apiserve::http2 {

FloodGuard::FloodGuard(const Options& options, const base::Clock* clock, Counters* counters)
    : options_(options),
      clock_(clock),
      counters_(counters),
      reset_tokens_(static_cast<double>(options.flood.reset_burst)),
      reset_refill_time_(Now()) {}

std::optional<FloodVerdict> FloodGuard::OnFrame(const nghttp2_frame& frame) {
  const FloodLimits& limits = options_.flood;
  const bool end_stream = (frame.hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  switch (frame.hd.type) {
    case NGHTTP2_DATA: {
      const size_t payload = frame.hd.length - std::min<size_t>(frame.hd.length, frame.data.padlen);
      if (payload > 0 || end_stream) {
        consecutive_empty_data_ = 0;
        return std::nullopt;
      }
      if (++consecutive_empty_data_ <= limits.max_consecutive_empty_data_frames) return std::nullopt;
      return FloodVerdict{
          http::FloodKind::kEmptyData,
          absl::StrCat("more than ", limits.max_consecutive_empty_data_frames, " consecutive empty DATA frames")};
    }
    case NGHTTP2_HEADERS:
      consecutive_empty_data_ = 0;
      return std::nullopt;
    case NGHTTP2_PRIORITY:
      ++counters_->priority_frames_received;
      if (counters_->priority_frames_received <=
          uint64_t{limits.max_priority_frames_per_stream} * (1 + counters_->streams_opened)) {
        return std::nullopt;
      }
      return FloodVerdict{http::FloodKind::kPriority, absl::StrCat("more than ", limits.max_priority_frames_per_stream,
                                                                   " PRIORITY frames per stream opened")};
    case NGHTTP2_RST_STREAM:
      ++counters_->resets_received;
      return OnReset();
    case NGHTTP2_SETTINGS:
      if ((frame.hd.flags & NGHTTP2_FLAG_ACK) == 0) ++counters_->settings_received;
      return std::nullopt;
    case NGHTTP2_PING:
      if ((frame.hd.flags & NGHTTP2_FLAG_ACK) == 0) ++counters_->pings_received;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

std::optional<FloodVerdict> FloodGuard::OnReset() {
  // A token bucket refilled by the loop's clock. nghttp2's own bucket, twice as loose, stays as a backstop (Codec).
  const FloodLimits& limits = options_.flood;
  const absl::Time now = Now();
  const double refill = absl::ToDoubleSeconds(now - reset_refill_time_) * limits.reset_rate_per_second;
  reset_refill_time_ = now;
  reset_tokens_ = std::min(reset_tokens_ + std::max(refill, 0.0), static_cast<double>(limits.reset_burst));
  if (reset_tokens_ < 1) {
    return FloodVerdict{http::FloodKind::kRapidReset,
                        absl::StrCat("RST_STREAM frames beyond a burst of ", limits.reset_burst, " and ",
                                     limits.reset_rate_per_second, " per second (rapid reset)")};
  }
  reset_tokens_ -= 1;
  return std::nullopt;
}

std::optional<FloodVerdict> FloodGuard::OnHeaderList(int32_t stream_id, uint64_t bytes) const {
  const uint64_t bomb = options_.max_header_list_size * options_.flood.hpack_bomb_factor;
  if (bytes <= bomb) return std::nullopt;
  return FloodVerdict{http::FloodKind::kHpackBomb, absl::StrCat("HPACK bomb: header block of stream ", stream_id,
                                                                " decodes to more than ", bomb, " bytes")};
}

std::optional<FloodVerdict> FloodGuard::OnDispatch(size_t unanswered) const {
  if (unanswered < options_.max_concurrent_streams) return std::nullopt;
  return FloodVerdict{http::FloodKind::kHandlerWork,
                      absl::StrCat("more than ", options_.max_concurrent_streams,
                                   " requests unanswered (streams reset while their handlers still run)")};
}

std::optional<FloodVerdict> FloodGuard::OnLibraryError(int lib_error_code) const {
  switch (lib_error_code) {
    case NGHTTP2_ERR_FLOODED:
      return FloodVerdict{http::FloodKind::kAck,
                          absl::StrCat("more than ", options_.flood.max_outbound_ack,
                                       " SETTINGS/PING acknowledgements queued for a peer that does not read")};
    case NGHTTP2_ERR_TOO_MANY_CONTINUATIONS:
      return FloodVerdict{http::FloodKind::kContinuation, absl::StrCat("more than ", options_.max_continuations(),
                                                                       " CONTINUATION frames in one header block")};
    case NGHTTP2_ERR_TOO_MANY_SETTINGS:
      return FloodVerdict{http::FloodKind::kSettings, absl::StrCat("SETTINGS frame with more than ",
                                                                   options_.flood.max_settings_entries, " entries")};
    default:
      return std::nullopt;
  }
}

http::FloodKind FloodGuard::ClassifyLibraryCalm() const {
  if (last_frame_type_ == NGHTTP2_SETTINGS) return http::FloodKind::kSettings;
  if (last_frame_type_ == NGHTTP2_RST_STREAM) return http::FloodKind::kRapidReset;
  return http::FloodKind::kLibrary;
}

}  // namespace apiserve::http2
