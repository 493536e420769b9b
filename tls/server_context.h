#ifndef APISERVE_TLS_SERVER_CONTEXT_H_
#define APISERVE_TLS_SERVER_CONTEXT_H_

// ServerContext: the frozen server SSL_CTX and everything its callbacks read (kube's tlsConfig plus the dynamic
// serving-certificate controller, reference §4.2–4.5).
//
//   ASSIGN_OR_RETURN(std::unique_ptr<tls::ServerContext> tls, tls::ServerContext::Create(options));
//   bssl::UniquePtr<SSL> ssl = tls->NewSsl(local_ip);   // per accepted connection, on its loop
//   ... SSL_do_handshake fails → tls->OnHandshakeFailure(ssl.get(), rc, remote);
//   ... succeeded → tls::NegotiatedAlpn(ssl), tls::VerifyPeerCertificate(ssl), ...
//
// The SSL_CTX is configured once in Create() and never changed afterwards ("once shared, functions which change the
// SSL_CTX's configuration may not be used"): it is shared read-only by every event loop. What changes at run time
// goes through callbacks: the certificate, chain and client-CA names are chosen per handshake (SSL_CTX_set_cert_cb)
// from an atomically swapped CertificateSnapshot; ticket keys come from a TicketKeyRing; ALPN is chosen by
// SSL_CTX_set_alpn_select_cb (h2 if offered and enabled, else http/1.1; a client offering only other protocols is
// rejected with no_application_protocol; a client offering none is accepted). With a client CA or a request-header
// CA, a certificate is requested (both bundles' names advertised) but never required or verified at the TLS level;
// InspectClientCertificate() verifies it afterwards against each bundle.
//
// Thread-safe. Owns a watcher thread (file reloads). Must outlive every SSL made from ssl_ctx().

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "openssl/ssl.h"
#include "tls/dynamic_certificates.h"
#include "tls/handshake_error.h"
#include "tls/options.h"
#include "tls/ticket_keys.h"

namespace apiserve::tls {

class ServerContext {
 public:
  // Create validates `options` (InvalidArgument listing every problem), logs its warnings, generates or reuses a
  // self-signed pair when no certificate is given, loads every file (errors name the file), builds the SSL_CTX and
  // starts watching the files.
  static absl::StatusOr<std::unique_ptr<ServerContext>> Create(const TlsOptions& options);
  ~ServerContext();
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  // ssl_ctx is the frozen context. Borrowed; do not configure it.
  SSL_CTX* ssl_ctx() const { return ctx_.get(); }

  // NewSsl makes a server-side SSL for one connection, recording `local_ip` (may be empty) for handshakes without
  // SNI. Null only on allocation failure.
  bssl::UniquePtr<SSL> NewSsl(absl::string_view local_ip = "") const;

  // OnHandshakeFailure classifies a failed SSL_do_handshake (see ClassifyHandshakeError; clears the error queue),
  // counts it and logs it at -v=5 as "TLS handshake error from <remote>: <kind>: <detail>".
  HandshakeError OnHandshakeFailure(const SSL* ssl, int rc, absl::string_view remote_address = "");

  const HandshakeErrorCounters& handshake_errors() const { return handshake_errors_; }
  DynamicCertificates& certificates() { return *certificates_; }
  TicketKeyRing* ticket_keys() { return ticket_keys_.get(); }  // null when session tickets are disabled
  bool http2_enabled() const { return http2_; }

 private:
  ServerContext() = default;
  static int CertCallback(SSL* ssl, void* arg);
  static int AlpnCallback(SSL* ssl, const uint8_t** out, uint8_t* out_len, const uint8_t* in, unsigned in_len,
                          void* arg);
  static int TicketCallback(SSL* ssl, uint8_t* key_name, uint8_t* iv, EVP_CIPHER_CTX* cipher_ctx, HMAC_CTX* hmac_ctx,
                            int encrypt);

  bool http2_ = true;
  bool request_client_certificates_ = false;  // a client CA or a request-header CA is configured (or dynamic)
  std::unique_ptr<DynamicCertificates> certificates_;
  std::unique_ptr<TicketKeyRing> ticket_keys_;
  HandshakeErrorCounters handshake_errors_;
  bssl::UniquePtr<SSL_CTX> ctx_;
};

}  // namespace apiserve::tls

#endif  // APISERVE_TLS_SERVER_CONTEXT_H_
