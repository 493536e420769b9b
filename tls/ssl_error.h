#ifndef APISERVE_TLS_SSL_ERROR_H_
#define APISERVE_TLS_SSL_ERROR_H_

// Turning BoringSSL's thread-local error queue into text and absl::Status values.
//
//   if (SSL_CTX_set_min_proto_version(ctx, v) != 1) return SslError("SSL_CTX_set_min_proto_version");
//
// Every function here reads and clears the calling thread's ERR queue. Thread-safe (the queue is per thread).

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace apiserve::tls {

// ConsumeSslErrors returns BoringSSL's reasons queued on this thread, oldest first, joined by "; " (e.g.
// "KEY_VALUES_MISMATCH"), and clears the queue. Returns "unknown error" when the queue is empty.
std::string ConsumeSslErrors();

// SslError returns a Status with `code` and the message "<context>: <reasons>", clearing the queue.
absl::Status SslError(absl::string_view context, absl::StatusCode code = absl::StatusCode::kInternal);

}  // namespace apiserve::tls

#endif  // APISERVE_TLS_SSL_ERROR_H_
