#ifndef APISERVE_HTTP2_RESPONSE_HEADERS_H_
#define APISERVE_HTTP2_RESPONSE_HEADERS_H_

// http2::ResponseHeaderBlock: turns a handler's status and headers into the nghttp2_nv array nghttp2 sends.
//
// ":status" first; then the handler's fields with lowercased names, minus connection-specific ones (RFC 9113
// §8.2.2: Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade, TE) and fields nghttp2 would send
// but a client must reject (pseudo-header names, names or values with CR, LF or NUL); then `date`, and the framing
// and sniffed `content-type` the caller asks for. A `Connection: close` field is not sent: Build reports it so the
// codec can start a graceful GOAWAY instead (Go's x/net behaviour).
//
// One block is reused for every response on a connection: its storage stays allocated, so building the head of a
// small response allocates nothing after the first few. Pointers in the array are valid until the next Build.
// Loop thread only.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "http/header_map.h"
#include "http/wire_format.h"
#include "nghttp2/nghttp2.h"

namespace apiserve::http2 {

// HttpDate and SniffContentType are shared with HTTP/1.1 (http/wire_format.h).
using ::apiserve::http::HttpDate;
using ::apiserve::http::SniffContentType;

class ResponseHeaderBlock {
 public:
  struct Extras {
    absl::Time now;
    // Sets content-length (replacing the handler's) when present.
    std::optional<size_t> content_length;
    // Adds a sniffed content-type when the handler set none and this is not empty.
    absl::string_view sniff_body_prefix;
    // Fields sent after the handler's (filters' decorations), filtered the same way.
    absl::Span<const http::HeaderField> more_headers;
  };

  // Build fills the array for a response head. Returns true if the handler asked to close the connection.
  bool Build(int status, const http::HeaderMap& headers, const Extras& extras);
  // BuildTrailers fills the array with trailer fields (same filtering, no pseudo-headers, nothing added).
  void BuildTrailers(const http::HeaderMap& trailers);

  const nghttp2_nv* data() const { return nv_.data(); }
  size_t size() const { return count_; }

 private:
  // Start empties the block for at most `max_entries` fields and `max_stored_bytes` of copied text.
  void Start(size_t max_entries, size_t max_stored_bytes);
  // Appends `text` to storage_ and returns a view of the copy. storage_ is reserved up front, so views stay valid.
  absl::string_view Store(absl::string_view text);
  // Appends the handler's fields; returns true if one was `Connection: close`.
  bool AddFields(absl::Span<const http::HeaderField> headers, bool drop_content_length, bool* has_content_type,
                 bool* has_date);
  void Push(absl::string_view name, absl::string_view value, uint8_t flags = NGHTTP2_NV_FLAG_NONE);

  // Audit-Id values sent through this block (one block per connection): every kReindexAuditIdEvery-th is indexed,
  // the first included, so the name stays in the dynamic table (evicted entries come back this way).
  static constexpr uint32_t kReindexAuditIdEvery = 1024;
  // Field names up to this long are lowercased on the stack (most are common names that need no copy at all).
  static constexpr size_t kStackNameBytes = 64;
  uint32_t audit_ids_sent_ = 0;

  std::string storage_;
  std::vector<nghttp2_nv> nv_;  // entries [0, count_) are the block; the vector only grows
  size_t count_ = 0;
};

}  // namespace apiserve::http2

#endif  // APISERVE_HTTP2_RESPONSE_HEADERS_H_
