#ifndef APISERVE_HTTP1_RESPONSE_ENCODER_H_
#define APISERVE_HTTP1_RESPONSE_ENCODER_H_

// Serialization of HTTP/1.1 response heads and chunked framing. Pure functions over strings; no state but the
// per-thread Date cache.

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "http/header_map.h"
#include "http/wire_format.h"

namespace apiserve::http1 {

// HeadFraming says how the body of a response is delimited.
enum class BodyFraming {
  kNone,           // 1xx/204/304, or the caller knows there is no body: no Content-Length is added
  kContentLength,  // Content-Length: `content_length` (added unless the handler set one)
  kChunked,        // Transfer-Encoding: chunked
  kUntilClose,     // HTTP/1.0 streaming: the body ends when the connection closes
};

struct HeadOptions {
  int status = 200;
  BodyFraming framing = BodyFraming::kContentLength;
  size_t content_length = 0;
  bool close = false;               // add `Connection: close`
  bool sniff_content_type = false;  // add Go's sniffed Content-Type if missing (needs `body_prefix`)
  absl::string_view body_prefix;
  absl::Time now;
  absl::Span<const http::HeaderField> more_headers;  // sent after `headers` (filters' decorations), same filtering
};

// AppendResponseHead appends the status line, the handler's headers (minus hop-by-hop ones we control:
// Connection, Transfer-Encoding, Keep-Alive), Date, framing headers, Connection: close if asked, and the blank line.
void AppendResponseHead(const http::HeaderMap& headers, const HeadOptions& options, std::string* out);

// AppendChunk appends `data` as one chunk ("<hex>\r\n<data>\r\n"); nothing for empty data.
void AppendChunkHeader(size_t size, std::string* out);
// AppendLastChunk appends "0\r\n", the trailers, and "\r\n".
void AppendLastChunk(const http::HeaderMap& trailers, std::string* out);

}  // namespace apiserve::http1

#endif  // APISERVE_HTTP1_RESPONSE_ENCODER_H_
