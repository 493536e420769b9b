#ifndef APISERVE_HTTP2_FRAME_SCANNER_H_
#define APISERVE_HTTP2_FRAME_SCANNER_H_

// http2::FrameScanner follows the frame boundaries of a client's byte stream (the 24-byte connection preface, then
// 9-byte frame headers and their payloads) and reports each frame header as it completes, whatever way the stream
// is cut into reads. It reads headers only: nghttp2 parses and checks the frames. The codec uses it to see frames
// nghttp2 drops without a callback (DATA on a stream it has forgotten).
//
// A plain value, used on the connection's loop thread. No allocation.

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace apiserve::http2 {

struct FrameHeader {
  uint32_t length = 0;
  uint8_t type = 0;
  uint8_t flags = 0;
  int32_t stream_id = 0;
};

class FrameScanner {
 public:
  static constexpr size_t kPrefaceBytes = 24;
  static constexpr size_t kHeaderBytes = 9;

  // Scan consumes the next bytes of the stream and calls `on_header(const FrameHeader&, size_t header_end)` for
  // each frame header completed in them, in order; `header_end` is the offset in `data` just past the header.
  template <typename OnHeader>
  void Scan(absl::string_view data, OnHeader&& on_header) {
    size_t at = 0;
    while (at < data.size()) {
      const size_t left = data.size() - at;
      if (skip_ > 0) {
        const size_t n = left < skip_ ? left : static_cast<size_t>(skip_);
        at += n;
        skip_ -= n;
        continue;
      }
      const size_t n = left < kHeaderBytes - have_ ? left : kHeaderBytes - have_;
      for (size_t i = 0; i < n; ++i) header_[have_ + i] = static_cast<uint8_t>(data[at + i]);
      have_ += n;
      at += n;
      if (have_ < kHeaderBytes) return;
      have_ = 0;
      const FrameHeader header = Decode();
      skip_ = header.length;
      on_header(header, at);
    }
  }

 private:
  FrameHeader Decode() const {
    FrameHeader h;
    h.length = (uint32_t{header_[0]} << 16) | (uint32_t{header_[1]} << 8) | header_[2];
    h.type = header_[3];
    h.flags = header_[4];
    h.stream_id = static_cast<int32_t>(((uint32_t{header_[5]} & 0x7f) << 24) | (uint32_t{header_[6]} << 16) |
                                       (uint32_t{header_[7]} << 8) | header_[8]);
    return h;
  }

  uint64_t skip_ = kPrefaceBytes;  // payload (or preface) bytes still to pass over
  uint8_t header_[kHeaderBytes] = {};
  size_t have_ = 0;  // header bytes collected
};

}  // namespace apiserve::http2

#endif  // APISERVE_HTTP2_FRAME_SCANNER_H_
