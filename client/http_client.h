#ifndef APISERVE_CLIENT_HTTP_CLIENT_H_
#define APISERVE_CLIENT_HTTP_CLIENT_H_

// client::HttpClient: an HTTPS client on apiserve's own stack (BoringSSL, nghttp2's client session with an
// HTTP/1.1 fallback, libuv) for the calls an API server makes to its cluster: TokenReview, SubjectAccessReview and
// the extension-apiserver-authentication ConfigMap (GET and watch).
//
// The interface is what the callers (auth/ webhooks, the ConfigMap watcher) depend on; tests give them a fake.
// Callers run on event loops: every method returns at once, and completions are posted to the executor the caller
// names, so a slow cluster never blocks a loop.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/cord.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/executor.h"

namespace apiserve::client {

struct Request {
  std::string method = "GET";
  std::string path;  // path and query, e.g. "/apis/authentication.k8s.io/v1/tokenreviews"
  std::vector<std::pair<std::string, std::string>> headers;  // besides Host, Authorization, Content-Length
  std::string body;
  // The whole exchange (connect, TLS, request, response) must finish within `timeout`; DeadlineExceeded otherwise.
  // For Watch, it bounds the connection and the response headers only.
  absl::Duration timeout = absl::Seconds(10);
};

struct Response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
};

using ResponseCallback = absl::AnyInvocable<void(absl::StatusOr<Response>)>;

// kConnectionResetPayload is the absl::Status payload an HttpClient puts on a failure caused by the server
// resetting the connection (ECONNRESET on a read or write), so callers can tell it from the other Unavailable
// failures: kube's webhooks retry a reset (Go's utilnet.IsConnectionReset) and nothing else at the transport level.
inline constexpr char kConnectionResetPayload[] = "type.apiserve.io/client.ConnectionReset";

// MarkConnectionReset returns `status` (not OK) marked as a connection reset.
inline absl::Status MarkConnectionReset(absl::Status status) {
  status.SetPayload(kConnectionResetPayload, absl::Cord("ECONNRESET"));
  return status;
}

// IsConnectionReset reports whether `status` was marked by MarkConnectionReset.
inline bool IsConnectionReset(const absl::Status& status) {
  return !status.ok() && status.GetPayload(kConnectionResetPayload).has_value();
}

// A running watch; Cancel ends it (its `done` runs with Cancelled). Destroying the handle does not cancel.
class WatchHandle {
 public:
  virtual ~WatchHandle() = default;
  virtual void Cancel() = 0;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // Do sends `request` to the configured server and runs `done` exactly once on `executor` with the response (any
  // status code is a response) or an error naming the failure: Unavailable (connect, TLS handshake, reset),
  // DeadlineExceeded (request.timeout), InvalidArgument (a request that cannot be sent), ResourceExhausted (a body
  // over the implementation's limit). A reset connection is Unavailable marked by MarkConnectionReset. Thread-safe.
  virtual void Do(Request request, base::Executor* executor, ResponseCallback done) = 0;

  // Watch sends `request` and streams the response body: `on_headers` runs once with the status and headers (body
  // empty), then `on_data` with each chunk of body as it arrives, then `done` once, with OK when the server ended the
  // response or an error (ResourceExhausted when undelivered data passes the implementation's limit). All on
  // `executor`. Thread-safe.
  virtual std::unique_ptr<WatchHandle> Watch(Request request, base::Executor* executor,
                                             absl::AnyInvocable<void(const Response&)> on_headers,
                                             absl::AnyInvocable<void(absl::string_view)> on_data,
                                             absl::AnyInvocable<void(absl::Status)> done) = 0;
};

}  // namespace apiserve::client

#endif  // APISERVE_CLIENT_HTTP_CLIENT_H_
