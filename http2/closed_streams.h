#ifndef APISERVE_HTTP2_CLOSED_STREAMS_H_
#define APISERVE_HTTP2_CLOSED_STREAMS_H_

// http2::ClosedStreams remembers the last kCapacity streams closed by RST_STREAM, and who reset them, so the codec
// can answer what RFC 9113 §5.1 asks of frames that arrive on them afterwards:
// - reset by the client: DATA or HEADERS is a stream error STREAM_CLOSED (answered once; later frames ignored);
// - reset by us: frames are ignored (the peer may have sent them before it saw our RST_STREAM).
// PRIORITY is legal on any closed stream and never looked up. Older closed streams are forgotten (their frames are
// ignored, as nghttp2 does): memory per connection is fixed, whatever the traffic.
//
// A plain value, used on the connection's loop thread. No allocation.

#include <array>
#include <cstddef>
#include <cstdint>

namespace apiserve::http2 {

class ClosedStreams {
 public:
  static constexpr size_t kCapacity = 32;

  // OnPeerReset records that the client reset `id`; a stream we reset first stays ours.
  void OnPeerReset(int32_t id);
  // OnOurReset records that we reset `id` (overrides the client's reset: our RST_STREAM ends the conversation).
  void OnOurReset(int32_t id);
  // TakeStreamClosedAnswer returns true if a DATA or HEADERS frame on `id` must be answered with
  // RST_STREAM(STREAM_CLOSED): the client reset `id` and has not been answered yet. The answer is recorded as ours
  // (OnOurReset), so later frames on `id` are ignored.
  bool TakeStreamClosedAnswer(int32_t id);

 private:
  enum class By : uint8_t { kPeer, kUs };
  struct Entry {
    int32_t id = 0;  // 0: unused
    By by = By::kUs;
  };
  Entry* Find(int32_t id);
  void Remember(int32_t id, By by);
  // Set changes who reset `entry`, keeping awaiting_answer_ right.
  void Set(Entry& entry, Entry value);

  std::array<Entry, kCapacity> entries_{};
  size_t next_ = 0;  // the slot to overwrite next (the oldest once full)
  // How many entries are the client's and not answered yet: 0 on almost every connection, so the per-frame question
  // (TakeStreamClosedAnswer) is answered without a scan.
  size_t awaiting_answer_ = 0;
};

}  // namespace apiserve::http2

#endif  // APISERVE_HTTP2_CLOSED_STREAMS_H_
