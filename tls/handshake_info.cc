#include "tls/handshake_info.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "tls/connection_state.h"
#include "tls/named_certificates.h"
#include "tls/versions.h"
#include "tls/x509_builder.h"

namespace apiserve::tls {

absl::Status SetLocalAddress(SSL* ssl, absl::string_view ip) {
  if (ParseIpAddress(ip).empty()) return absl::InvalidArgumentError(absl::StrCat("not an IP address: \"", ip, "\""));
  internal::ConnectionState* state = internal::GetOrCreateConnectionState(ssl);
  if (state == nullptr) return absl::ResourceExhaustedError("SSL_set_ex_data failed");
  state->local_ip = NormalizeName(ip);
  return absl::OkStatus();
}

std::string NegotiatedAlpn(const SSL* ssl) {
  const uint8_t* data = nullptr;
  unsigned length = 0;
  SSL_get0_alpn_selected(ssl, &data, &length);
  return std::string(reinterpret_cast<const char*>(data), length);
}

std::string VersionString(const SSL* ssl) { return std::string(TlsProtocolName(SSL_version(ssl))); }

std::string ServerName(const SSL* ssl) {
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  return name != nullptr ? name : "";
}

bool SessionResumed(const SSL* ssl) { return SSL_session_reused(ssl) == 1; }

namespace {

// VerifyAgainst verifies the peer's chain against the bundle `select` picks from the handshake's snapshot.
ClientCertificateResult VerifyAgainst(const SSL* ssl, const ClientCaBundle* (*select)(const CertificateSnapshot&)) {
  const internal::ConnectionState* state = internal::GetConnectionState(ssl);
  if (state == nullptr || state->snapshot == nullptr) return {};
  const ClientCaBundle* bundle = select(*state->snapshot);
  if (bundle == nullptr) return {};
  STACK_OF(X509)* chain = SSL_get_peer_full_cert_chain(ssl);
  if (chain == nullptr || sk_X509_num(chain) == 0) return {};
  // The stack borrows its elements: free it with sk_X509_free (bssl::UniquePtr would free the certificates too).
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> intermediates(
      sk_X509_new_null(), [](STACK_OF(X509) * stack) { sk_X509_free(stack); });
  if (intermediates == nullptr) return {true, std::nullopt, "verifying certificate failed: out of memory"};
  for (size_t i = 1; i < sk_X509_num(chain); ++i) {
    if (sk_X509_push(intermediates.get(), sk_X509_value(chain, i)) == 0) {
      return {true, std::nullopt, "verifying certificate failed: out of memory"};
    }
  }
  return VerifyClientChain(*bundle, sk_X509_value(chain, 0), intermediates.get());
}

// Record stores `result` in `identity` / `error` (nothing when no certificate was verified against that CA).
void Record(ClientCertificateResult result, std::optional<http::ClientCertificate>* identity, std::string* error) {
  if (!result.presented) return;
  if (result.identity.has_value()) {
    *identity = std::move(result.identity);
  } else {
    *error = std::move(result.error);
  }
}

}  // namespace

ClientCertificateResult VerifyPeerCertificate(const SSL* ssl) {
  return VerifyAgainst(ssl, [](const CertificateSnapshot& s) { return s.client_ca().get(); });
}

ClientCertificateResult VerifyRequestHeaderCertificate(const SSL* ssl) {
  return VerifyAgainst(ssl, [](const CertificateSnapshot& s) { return s.requestheader_client_ca().get(); });
}

void InspectClientCertificate(const SSL* ssl, http::ConnectionInfo* info) {
  Record(VerifyPeerCertificate(ssl), &info->client_certificate, &info->client_certificate_error);
  Record(VerifyRequestHeaderCertificate(ssl), &info->requestheader_client_certificate,
         &info->requestheader_client_certificate_error);
}

}  // namespace apiserve::tls
