#include "http1/response_encoder.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "http/response.h"
#include "http/wire_format.h"

namespace apiserve::http1 {

using ::apiserve::http::HttpDate;
using ::apiserve::http::SniffContentType;

void AppendResponseHead(const http::HeaderMap& headers, const HeadOptions& options, std::string* out) {
  absl::StrAppend(out, "HTTP/1.1 ", options.status, " ", http::ReasonPhrase(options.status), "\r\n");
  bool has_content_length = false;
  bool has_content_type = false;
  bool has_date = false;
  for (absl::Span<const http::HeaderField> fields : {headers.fields(), options.more_headers}) {
    for (const http::HeaderField& field : fields) {
      const absl::string_view name = field.name;
      if (http::HeaderNameEquals(name, "Connection") || http::HeaderNameEquals(name, "Transfer-Encoding") ||
          http::HeaderNameEquals(name, "Keep-Alive")) {
        continue;
      }
      if (http::HeaderNameEquals(name, "Content-Length")) {
        if (options.framing != BodyFraming::kContentLength) continue;
        has_content_length = true;
      }
      if (http::HeaderNameEquals(name, "Content-Type")) has_content_type = true;
      if (http::HeaderNameEquals(name, "Date")) has_date = true;
      absl::StrAppend(out, field.name, ": ", field.value, "\r\n");
    }
  }
  if (options.sniff_content_type && !has_content_type && !options.body_prefix.empty()) {
    absl::StrAppend(out, "Content-Type: ", SniffContentType(options.body_prefix), "\r\n");
  }
  if (!has_date) absl::StrAppend(out, "Date: ", HttpDate(options.now), "\r\n");
  switch (options.framing) {
    case BodyFraming::kContentLength:
      if (!has_content_length) absl::StrAppend(out, "Content-Length: ", options.content_length, "\r\n");
      break;
    case BodyFraming::kChunked:
      out->append("Transfer-Encoding: chunked\r\n");
      break;
    case BodyFraming::kNone:
    case BodyFraming::kUntilClose:
      break;
  }
  if (options.close) out->append("Connection: close\r\n");
  out->append("\r\n");
}

void AppendChunkHeader(size_t size, std::string* out) { absl::StrAppend(out, absl::Hex(size), "\r\n"); }

void AppendLastChunk(const http::HeaderMap& trailers, std::string* out) {
  out->append("0\r\n");
  for (const http::HeaderField& field : trailers) absl::StrAppend(out, field.name, ": ", field.value, "\r\n");
  out->append("\r\n");
}

}  // namespace apiserve::http1
