#include "tls/handshake_info.h"

#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "tls/connection_state.h"
#include "tls/named_certificates.h"
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

std::string VersionString(const SSL* ssl) { return SSL_get_version(ssl); }

std::string ServerName(const SSL* ssl) {
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  return name != nullptr ? name : "";
}

bool SessionResumed(const SSL* ssl) { return SSL_session_reused(ssl) == 1; }

ClientCertificateResult VerifyPeerCertificate(const SSL* ssl) {
  const internal::ConnectionState* state = internal::GetConnectionState(ssl);
  if (state == nullptr || !state->client_ca_configured || state->snapshot == nullptr ||
      state->snapshot->client_ca() == nullptr) {
    return {};
  }
  STACK_OF(X509)* chain = SSL_get_peer_full_cert_chain(ssl);
  if (chain == nullptr || sk_X509_num(chain) == 0) return {};
  // The stack borrows its elements: free it with sk_X509_free (bssl::UniquePtr would free the certificates too).
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> intermediates(
      sk_X509_new_null(), [](STACK_OF(X509) * stack) { sk_X509_free(stack); });
  if (intermediates == nullptr) return {true, std::nullopt, "verifying certificate failed: out of memory"};
  for (size_t i = 1; i < sk_X509_num(chain); ++i) sk_X509_push(intermediates.get(), sk_X509_value(chain, i));
  return VerifyClientChain(*state->snapshot->client_ca(), sk_X509_value(chain, 0), intermediates.get());
}

}  // namespace apiserve::tls
