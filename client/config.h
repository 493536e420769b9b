#ifndef APISERVE_CLIENT_CONFIG_H_
#define APISERVE_CLIENT_CONFIG_H_

// client::ClientConfig: where a client::HttpClient connects and how it proves both ends' identities. The fields
// mirror client-go's rest.Config (Host, TLSClientConfig{CAData, CAFile, CertData, CertFile, KeyData, KeyFile,
// ServerName}, BearerToken, BearerTokenFile, UserAgent, Timeout). kubeconfig/ fills one from a kubeconfig file or
// the in-cluster service account.

#include <cstddef>
#include <string>

#include "absl/time/time.h"

namespace apiserve::client {

struct ClientConfig {
  // host is the server's URL: "https://host:port" (port 443 when omitted; an IPv6 literal in brackets). Only https
  // is supported; a path after the authority is rejected.
  std::string host;

  // The CA bundle that signs the server's certificate: PEM in `ca_pem`, or a file `ca_file` (not both). Neither:
  // the system's default trust store (/etc/ssl/certs).
  std::string ca_pem;
  std::string ca_file;

  // The client certificate and key, PEM (`cert_pem`/`key_pem`) or files (`cert_file`/`key_file`); both or neither.
  std::string cert_pem;
  std::string cert_file;
  std::string key_pem;
  std::string key_file;

  // bearer_token is sent as "Authorization: Bearer <token>". bearer_token_file is read at construction and
  // re-read when the value in memory is older than one minute (client-go's cached file token source: a projected
  // service-account token rotates under us); a failed re-read keeps the last token. The static token wins when
  // both are set (as client-go).
  std::string bearer_token;
  std::string bearer_token_file;

  // tls_server_name is the name sent as SNI and checked against the certificate's SANs; empty: the host of `host`
  // (an IP literal is checked against the IP SANs and sent without SNI).
  std::string tls_server_name;

  // user_agent is the User-Agent header; empty: "apiserve-client".
  std::string user_agent;

  // default_timeout replaces a Request's timeout when that is zero or negative.
  absl::Duration default_timeout = absl::Seconds(10);

  // disable_http2 offers only "http/1.1" in ALPN.
  bool disable_http2 = false;

  // max_http1_connections bounds the HTTP/1.1 keep-alive pool (connections open at once to the server); requests
  // beyond it wait for a free connection (their timeout runs meanwhile). HTTP/2 uses one connection.
  int max_http1_connections = 4;

  // idle_connection_timeout closes a connection with nothing in flight after this long (Go's IdleConnTimeout, 90 s).
  absl::Duration idle_connection_timeout = absl::Seconds(90);

  // max_response_body_bytes caps the response bytes one call holds in memory; 0: no limit. Do: a body longer than
  // this fails the call with ResourceExhausted naming the limit (HTTP/2 resets the stream and keeps the connection;
  // HTTP/1.1 closes the connection). Watch: the cap is on bytes received but not yet handed to on_data (the caller's
  // executor is behind); over it the watch ends with ResourceExhausted. Bounding one watch event is the caller's,
  // which splits the stream into events. 10 MiB: a kube object is at most ~1.5 MiB (etcd's request limit).
  size_t max_response_body_bytes = 10 << 20;

  // token_file_refresh is how stale a token read from bearer_token_file may get before it is read again.
  absl::Duration token_file_refresh = absl::Minutes(1);
};

}  // namespace apiserve::client

#endif  // APISERVE_CLIENT_CONFIG_H_
