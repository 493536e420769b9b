#ifndef APISERVE_CHAIN_FILTERS_BODY_LIMIT_H_
#define APISERVE_CHAIN_FILTERS_BODY_LIMIT_H_

// WithRequestBodyLimit (--max-request-body-bytes, kube's default 3 MiB): the innermost filter, so a body is limited
// only once its request is authenticated and authorized (DESIGN §4, §8). A request whose Content-Length is over the
// limit gets kube's 413 Status (`Request entity too large: limit is <limit>`, reason RequestEntityTooLarge) at once,
// before a byte of its body is read; a body that goes over the limit as it arrives (chunked, HTTP/2 without
// content-length, or a lying length) gets the same answer as soon as it does, unless its handler answered first, and
// its reader ends with ResourceExhausted. `max_bytes` 0 means no limit, as in kube.

#include <cstdint>

#include "http/handler.h"

namespace apiserve::chain {

http::HandlerPtr WithRequestBodyLimit(http::HandlerPtr next, uint64_t max_bytes);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_FILTERS_BODY_LIMIT_H_
