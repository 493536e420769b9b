#ifndef APISERVE_CLIENT_HTTPS_CLIENT_H_
#define APISERVE_CLIENT_HTTPS_CLIENT_H_

// NewHttpClient: the production client::HttpClient, on apiserve's stack (BoringSSL over memory BIOs, libuv, nghttp2's
// client session, llhttp for HTTP/1.1 responses).
//
//   ASSIGN_OR_RETURN(client::ClientConfig config, kubeconfig::LoadKubeconfig(path));
//   ASSIGN_OR_RETURN(std::unique_ptr<client::HttpClient> client, client::NewHttpClient(config));
//   client::Request request;
//   request.method = "POST";
//   request.path = "/apis/authentication.k8s.io/v1/tokenreviews";
//   request.body = json;
//   client->Do(std::move(request), loop, [](absl::StatusOr<client::Response> response) { ... });  // on `loop`
//
// Threading: the client owns one I/O thread running its own libuv loop; Do/Watch/Cancel post to it and never block.
// Callbacks run on the executor named with each call.
//
// Connections: ALPN offers "h2" then "http/1.1". When the server picks h2 every request is a stream on one
// connection (a new one is dialled only after GOAWAY or a failure); otherwise requests use a keep-alive pool of at
// most ClientConfig::max_http1_connections connections, one request at a time each. A request that fails because a
// reused HTTP/1.1 connection was closed before any response byte (or an HTTP/2 stream was refused) is retried once
// on a fresh connection.
//
// Errors (absl::Status codes): InvalidArgument for a request that cannot be sent (bad method, path or header);
// Unavailable for DNS, connect ("connection refused"), TLS handshake ("certificate verify failed: <X509 reason>"),
// reset or closed connections and HTTP/2 stream resets (a reset connection also marked by MarkConnectionReset);
// DeadlineExceeded after the request's timeout; ResourceExhausted for a body over ClientConfig::max_response_body_bytes
// (10 MiB; for a watch, data received but not yet delivered); Cancelled for a cancelled watch and for calls still
// pending when the client is destroyed.
//
// Lifetime: the client need not outlive its calls. Destroying it completes every pending call with Cancelled
// (posted to the call's executor; destruction never waits for an executor, so it may run on one) and joins the I/O
// thread. Each call's executor must stay alive until that call's callbacks have run (or have stopped, which drops
// them). A WatchHandle may outlive the client; its Cancel is then a no-op.

#include <memory>

#include "absl/status/statusor.h"
#include "client/config.h"
#include "client/http_client.h"

namespace apiserve::client {

// NewHttpClient validates `config`, loads its CA, client certificate and token file, and starts the I/O thread.
// Errors: InvalidArgument naming the field (host URL, both ca_pem and ca_file, a certificate without a key, PEM that
// holds no certificate, a key that does not match the certificate); NotFound / PermissionDenied naming a file that
// cannot be read; Internal naming a library call that failed.
absl::StatusOr<std::unique_ptr<HttpClient>> NewHttpClient(const ClientConfig& config);

}  // namespace apiserve::client

#endif  // APISERVE_CLIENT_HTTPS_CLIENT_H_
