#include "http2/options.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace apiserve::http2 {
namespace {

constexpr uint64_t kMaxWindow = (uint64_t{1} << 31) - 1;  // RFC 9113 §6.9.1
constexpr uint32_t kMinFrameSize = 1 << 14;               // RFC 9113 §6.5.2
constexpr uint32_t kMaxFrameSize = (1 << 24) - 1;

}  // namespace

absl::Status Options::Validate() const {
  std::vector<std::string> problems;
  if (max_concurrent_streams == 0) problems.push_back("max_concurrent_streams must be at least 1");
  if (max_read_frame_size < kMinFrameSize || max_read_frame_size > kMaxFrameSize) {
    problems.push_back(absl::StrCat("max_read_frame_size ", max_read_frame_size, " must be between ", kMinFrameSize,
                                    " and ", kMaxFrameSize));
  }
  if (max_upload_buffer_per_stream == 0 || max_upload_buffer_per_stream > kMaxWindow) {
    problems.push_back(absl::StrCat("max_upload_buffer_per_stream ", max_upload_buffer_per_stream,
                                    " must be between 1 and ", kMaxWindow));
  }
  if (max_upload_buffer_per_connection() > kMaxWindow) {
    problems.push_back(absl::StrCat("max_upload_buffer_per_connection (max_upload_buffer_per_stream ",
                                    max_upload_buffer_per_stream, " x max_concurrent_streams ", max_concurrent_streams,
                                    " = ", max_upload_buffer_per_connection(), ") must not exceed ", kMaxWindow));
  }
  if (idle_timeout <= absl::ZeroDuration()) {
    problems.push_back(absl::StrCat("idle_timeout ", absl::FormatDuration(idle_timeout), " must be positive"));
  }
  if (max_header_list_size < 1024) {
    problems.push_back(absl::StrCat("max_header_list_size ", max_header_list_size, " must be at least 1024"));
  }
  if (response_high_water_mark == 0) problems.push_back("response_high_water_mark must be positive");
  if (flood.reset_burst == 0) problems.push_back("flood.reset_burst must be positive");
  if (flood.max_outbound_ack == 0) problems.push_back("flood.max_outbound_ack must be positive");
  if (flood.max_settings_entries < 6) {
    problems.push_back(absl::StrCat("flood.max_settings_entries ", flood.max_settings_entries,
                                    " must be at least 6 (the settings RFC 9113 defines)"));
  }
  if (flood.hpack_bomb_factor < 1) problems.push_back("flood.hpack_bomb_factor must be at least 1");
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("invalid HTTP/2 options: ", absl::StrJoin(problems, "; ")));
}

}  // namespace apiserve::http2
