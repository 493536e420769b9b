#include "tls/server_context.h"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/logger.h"
#include "tls/connection_state.h"
#include "tls/handshake_info.h"
#include "tls/self_signed.h"
#include "tls/ssl_error.h"

namespace apiserve::tls {
namespace {

constexpr uint8_t kH2[] = {'h', '2'};
constexpr uint8_t kHttp11[] = {'h', 't', 't', 'p', '/', '1', '.', '1'};

int ContextIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

enum ssl_verify_result_t AcceptAnyCertificate(SSL* ssl, uint8_t* out_alert) {
  // Client certificates are requested, never enforced at the TLS level (kube's RequestClientCert); the chain is
  // verified after the handshake by VerifyPeerCertificate.
  return ssl_verify_ok;
}

// ContainsName reports whether `names` holds a CA name with the same DER bytes as `name`.
bool ContainsName(const STACK_OF(CRYPTO_BUFFER) * names, const CRYPTO_BUFFER* name) {
  for (size_t i = 0; i < sk_CRYPTO_BUFFER_num(names); ++i) {
    const CRYPTO_BUFFER* other = sk_CRYPTO_BUFFER_value(names, i);
    if (CRYPTO_BUFFER_len(other) == CRYPTO_BUFFER_len(name) &&
        std::memcmp(CRYPTO_BUFFER_data(other), CRYPTO_BUFFER_data(name), CRYPTO_BUFFER_len(name)) == 0) {
      return true;
    }
  }
  return false;
}

// AdvertiseClientCas sets the CA names of the CertificateRequest: those of the client CA and of the request-header
// CA, each once (kube adds both bundles to the acceptable client CAs). Returns false on allocation failure.
bool AdvertiseClientCas(SSL* ssl, const CertificateSnapshot& snapshot) {
  bssl::UniquePtr<STACK_OF(CRYPTO_BUFFER)> names(sk_CRYPTO_BUFFER_new_null());
  if (names == nullptr) return false;
  for (const ClientCaBundle* bundle : {snapshot.client_ca().get(), snapshot.requestheader_client_ca().get()}) {
    if (bundle == nullptr) continue;
    for (const bssl::UniquePtr<CRYPTO_BUFFER>& name : bundle->subject_names) {
      if (ContainsName(names.get(), name.get())) continue;
      CRYPTO_BUFFER_up_ref(name.get());
      if (sk_CRYPTO_BUFFER_push(names.get(), name.get()) == 0) {
        CRYPTO_BUFFER_free(name.get());
        return false;
      }
    }
  }
  SSL_set0_client_CAs(ssl, names.release());
  return true;
}

absl::Status Check(int rc, absl::string_view call) {
  if (rc == 1) return absl::OkStatus();
  return SslError(call);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServerContext>> ServerContext::Create(const TlsOptions& options) {
  auto params = ResolveTlsParameters(options);
  if (!params.ok()) return params.status();
  for (const std::string& warning : options.Warnings()) LOG(WARNING) << warning;
  if (!params->http2) LOG(INFO) << "Forcing use of http/1.1 only";

  std::unique_ptr<ServerContext> self(new ServerContext());
  self->http2_ = params->http2;
  self->request_client_certificates_ =
      !options.client_ca_file.empty() || !options.requestheader_client_ca_file.empty() || options.dynamic_client_cas;

  DynamicCertificates::Options certs;
  if (!options.cert_file.empty()) {
    certs.default_cert.cert_file = options.cert_file;
    certs.default_cert.key_file = options.key_file;
  } else if (options.generate_self_signed) {
    auto source = EnsureSelfSignedCertKey(options.self_signed);
    if (!source.ok()) return source.status();
    certs.default_cert = *std::move(source);
  }
  certs.sni = options.sni_cert_keys;
  certs.client_ca_file = options.client_ca_file;
  certs.requestheader_client_ca_file = options.requestheader_client_ca_file;
  certs.watch = options.watch_files;
  certs.check_interval = options.reload_check_interval;
  certs.debounce = options.reload_debounce;
  auto dynamic = DynamicCertificates::Create(std::move(certs));
  if (!dynamic.ok()) return dynamic.status();
  self->certificates_ = *std::move(dynamic);

  self->ctx_.reset(SSL_CTX_new(TLS_method()));
  SSL_CTX* ctx = self->ctx_.get();
  if (ctx == nullptr) return SslError("SSL_CTX_new");
  if (absl::Status s = Check(SSL_CTX_set_min_proto_version(ctx, params->min_version), "SSL_CTX_set_min_proto_version");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Check(SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION), "SSL_CTX_set_max_proto_version");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Check(SSL_CTX_set_strict_cipher_list(ctx, params->cipher_list.c_str()),
                             absl::StrCat("SSL_CTX_set_strict_cipher_list(\"", params->cipher_list, "\")"));
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          Check(SSL_CTX_set1_curves(ctx, params->curve_nids.data(), params->curve_nids.size()), "SSL_CTX_set1_curves");
      !s.ok()) {
    return s;
  }
  SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_cert_cb(ctx, &ServerContext::CertCallback, self.get());
  SSL_CTX_set_alpn_select_cb(ctx, &ServerContext::AlpnCallback, self.get());
  if (self->request_client_certificates_) SSL_CTX_set_custom_verify(ctx, SSL_VERIFY_PEER, &AcceptAnyCertificate);

  static constexpr uint8_t kSessionContext[] = {'a', 'p', 'i', 's', 'e', 'r', 'v', 'e'};
  if (absl::Status s = Check(SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof(kSessionContext)),
                             "SSL_CTX_set_session_id_context");
      !s.ok()) {
    return s;
  }
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);  // stateless tickets only, as Go
  if (options.session_tickets) {
    TicketKeyRing::Options ring;
    ring.rotation = options.ticket_key_rotation;
    ring.retained = options.ticket_keys_retained;
    ring.clock = options.clock;
    self->ticket_keys_ = std::make_unique<TicketKeyRing>(std::move(ring));
    const int64_t lifetime = std::max<int64_t>(
        1, absl::ToInt64Seconds(options.ticket_key_rotation * std::max(1, options.ticket_keys_retained)));
    SSL_CTX_set_timeout(ctx, static_cast<uint32_t>(std::min<int64_t>(lifetime, SSL_DEFAULT_SESSION_TIMEOUT)));
    SSL_CTX_set_session_psk_dhe_timeout(
        ctx, static_cast<uint32_t>(std::min<int64_t>(lifetime, SSL_DEFAULT_SESSION_PSK_DHE_TIMEOUT)));
    if (SSL_CTX_set_ex_data(ctx, ContextIndex(), self.get()) != 1) return SslError("SSL_CTX_set_ex_data");
    SSL_CTX_set_tlsext_ticket_key_cb(ctx, &ServerContext::TicketCallback);
    // One TLS 1.3 ticket per handshake, as Go's server sends (BoringSSL's default is two: twice the ticket
    // encryption and bytes on every full handshake for a client that resumes with one).
    SSL_CTX_set_num_tickets(ctx, 1);
  } else {
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  }
  return self;
}

ServerContext::~ServerContext() {
  // Stop reloading before the context goes away.
  certificates_.reset();
}

bssl::UniquePtr<SSL> ServerContext::NewSsl(absl::string_view local_ip) const {
  bssl::UniquePtr<SSL> ssl(SSL_new(ctx_.get()));
  if (ssl == nullptr) return nullptr;
  SSL_set_accept_state(ssl.get());
  if (!local_ip.empty() && !SetLocalAddress(ssl.get(), local_ip).ok()) {
    LOG(WARNING) << "Ignoring local address \"" << local_ip << "\" for certificate selection: not an IP";
  }
  return ssl;
}

HandshakeError ServerContext::OnHandshakeFailure(const SSL* ssl, int rc, absl::string_view remote_address) {
  HandshakeError error = ClassifyHandshakeError(ssl, rc);
  handshake_errors_.Record(error.kind);
  VLOG(5) << "TLS handshake error from " << (remote_address.empty() ? "unknown" : remote_address) << ": "
          << HandshakeErrorKindName(error.kind) << ": " << error.detail;
  return error;
}

int ServerContext::CertCallback(SSL* ssl, void* arg) {
  auto* self = static_cast<ServerContext*>(arg);
  internal::ConnectionState* state = internal::GetOrCreateConnectionState(ssl);
  if (state == nullptr) return 0;
  std::shared_ptr<const CertificateSnapshot> snapshot = self->certificates_->Current();
  const CertKey* cert = snapshot->Select(ServerName(ssl), state->local_ip);
  if (cert == nullptr) return 0;  // no certificate: the handshake fails with CERT_CB_ERROR

  std::vector<CRYPTO_BUFFER*> chain;
  chain.reserve(cert->chain.size());
  for (const bssl::UniquePtr<CRYPTO_BUFFER>& der : cert->chain) chain.push_back(der.get());
  if (SSL_set_chain_and_key(ssl, chain.data(), chain.size(), cert->key.get(), nullptr) != 1) return 0;

  if (self->request_client_certificates_ && !AdvertiseClientCas(ssl, *snapshot)) return 0;
  state->snapshot = std::move(snapshot);
  return 1;
}

int ServerContext::AlpnCallback(SSL* ssl, const uint8_t** out, uint8_t* out_len, const uint8_t* in, unsigned in_len,
                                void* arg) {
  const auto* self = static_cast<const ServerContext*>(arg);
  bool offered_h2 = false;
  bool offered_http11 = false;
  for (unsigned i = 0; i < in_len;) {
    const unsigned length = in[i];
    if (i + 1 + length > in_len) break;  // malformed: BoringSSL validates the list first, but stay safe
    const uint8_t* proto = in + i + 1;
    if (length == sizeof(kH2) && std::memcmp(proto, kH2, length) == 0) offered_h2 = true;
    if (length == sizeof(kHttp11) && std::memcmp(proto, kHttp11, length) == 0) offered_http11 = true;
    i += 1 + length;
  }
  if (self->http2_ && offered_h2) {
    *out = kH2;
    *out_len = sizeof(kH2);
    return SSL_TLSEXT_ERR_OK;
  }
  if (offered_http11) {
    *out = kHttp11;
    *out_len = sizeof(kHttp11);
    return SSL_TLSEXT_ERR_OK;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;  // no_application_protocol, as Go
}

int ServerContext::TicketCallback(SSL* ssl, uint8_t* key_name, uint8_t* iv, EVP_CIPHER_CTX* cipher_ctx,
                                  HMAC_CTX* hmac_ctx, int encrypt) {
  auto* self = static_cast<ServerContext*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ContextIndex()));
  if (self == nullptr || self->ticket_keys_ == nullptr) return encrypt ? -1 : 0;
  return self->ticket_keys_->Handle(key_name, iv, cipher_ctx, hmac_ctx, encrypt);
}

}  // namespace apiserve::tls
