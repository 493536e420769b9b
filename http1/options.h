#ifndef APISERVE_HTTP1_OPTIONS_H_
#define APISERVE_HTTP1_OPTIONS_H_

#include <cstddef>

#include "absl/status/status.h"

namespace apiserve::http1 {

// Options for the HTTP/1.1 server codec. Defaults are kube-apiserver's.
struct Options {
  // Request line plus header block, in bytes. Go's http.Server{MaxHeaderBytes: 1 << 20} in the seed. Over it: 431.
  size_t max_header_bytes = size_t{1} << 20;
  // Request body bytes read ahead of the body's reader: beyond this the codec stops reading (WantsRead false) until
  // the handler takes them, as HTTP/2's stream window does (the same 256 KiB). The body limit is the chain's.
  size_t max_buffered_body_bytes = 256 * 1024;
  // A request answered before its body arrived: at most this much of the rest is read and dropped to keep the
  // connection (Go's maxPostHandlerReadBytes, 256 KiB); with more to come, or an unknown amount (chunked), the
  // answer carries `Connection: close` and the connection closes after it.
  size_t max_discard_body_bytes = 256 * 1024;
  // Pipelined requests dispatched ahead of their responses; beyond this the codec stops reading (WantsRead false)
  // until earlier responses are out. Keeps a pipelining client from making us queue unbounded work.
  size_t max_pipelined_requests = 16;
  // High-water mark for a streamed response body held in the codec (see http::ResponseWriter::Write).
  size_t response_high_water_mark = size_t{1} << 20;

  // Validate returns InvalidArgument naming every field out of range.
  absl::Status Validate() const;
};

}  // namespace apiserve::http1

#endif  // APISERVE_HTTP1_OPTIONS_H_
