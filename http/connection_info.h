#ifndef APISERVE_HTTP_CONNECTION_INFO_H_
#define APISERVE_HTTP_CONNECTION_INFO_H_

// http::ConnectionInfo: what a request knows about the connection it arrived on (addresses, TLS version, ALPN, SNI,
// and the outcome of client-certificate verification), and http::ClientCertificate, the identity read from a
// client certificate.
//
// tls/ fills the certificate part after the handshake (tls::InspectClientCertificate); auth/ reads it (the x509 and
// request-header authenticators). Header-only and dependency-free so that both can use it without a cycle. Plain
// values; a ConnectionInfo is built once per connection and then shared read-only by every request on it.

#include <optional>
#include <string>
#include <vector>

namespace apiserve::http {

// ClientCertificate is the identity in a client certificate that verified against a CA bundle: the subject's CN
// and O values (kube: user name and groups) and the subject alternative names.
struct ClientCertificate {
  std::string common_name;
  std::vector<std::string> organizations;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;  // "10.0.0.1", "::1"
  std::vector<std::string> emails;
  std::vector<std::string> uris;
};

// ConnectionInfo describes the connection a request arrived on; shared by every request on it.
struct ConnectionInfo {
  std::string remote_address;  // "ip:port" or "[ipv6]:port"
  std::string local_address;
  std::string tls_version;  // "TLSv1.3"; empty for plaintext
  std::string alpn;         // "h2", "http/1.1" or empty
  std::string sni;          // server name the client asked for; empty if none

  // The client's certificate verified against --client-ca-file. When the client presented a certificate and a
  // client CA is configured, exactly one is set: the verified identity, or why verification failed (a
  // presented-but-bad certificate must end in 401). Neither: no certificate, or no client CA.
  std::optional<ClientCertificate> client_certificate;
  std::string client_certificate_error;

  // The same certificate verified against --requestheader-client-ca-file (the front proxy's CA), with the same
  // rule: exactly one is set when a certificate was presented and a request-header CA is configured. The
  // request-header authenticator trusts identity headers only on a connection with a verified certificate here.
  std::optional<ClientCertificate> requestheader_client_certificate;
  std::string requestheader_client_certificate_error;
};

}  // namespace apiserve::http

#endif  // APISERVE_HTTP_CONNECTION_INFO_H_
