#include "tls/handshake_error.h"

#include "absl/strings/str_cat.h"
#include "openssl/err.h"

namespace apiserve::tls {
namespace {

HandshakeErrorKind KindOfReason(int reason) {
  switch (reason) {
    case SSL_R_HTTP_REQUEST:
    case SSL_R_HTTPS_PROXY_REQUEST:
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_UNKNOWN_PROTOCOL:
    case SSL_R_RECORD_TOO_LARGE:
    case SSL_R_ENCRYPTED_LENGTH_TOO_LONG:
    case SSL_R_UNEXPECTED_RECORD:
    case SSL_R_UNEXPECTED_MESSAGE:
      return HandshakeErrorKind::kNotTls;
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
      return HandshakeErrorKind::kUnsupportedVersion;
    case SSL_R_NO_SHARED_CIPHER:
    case SSL_R_NO_SHARED_GROUP:
    case SSL_R_NO_COMMON_SIGNATURE_ALGORITHMS:
    case SSL_R_NO_CIPHERS_AVAILABLE:
      return HandshakeErrorKind::kNoSharedCipher;
    case SSL_R_NO_APPLICATION_PROTOCOL:
    case SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL:
      return HandshakeErrorKind::kNoApplicationProtocol;
    case SSL_R_CERT_CB_ERROR:
    case SSL_R_NO_CERTIFICATE_SET:
    case SSL_R_NO_CERTIFICATE_ASSIGNED:
      return HandshakeErrorKind::kNoCertificate;
    default:
      // Alerts received from the peer are reported as reasons above SSL_AD_REASON_OFFSET.
      if (reason >= SSL_AD_REASON_OFFSET) return HandshakeErrorKind::kPeerAlert;
      return HandshakeErrorKind::kOther;
  }
}

}  // namespace

absl::string_view HandshakeErrorKindName(HandshakeErrorKind kind) {
  switch (kind) {
    case HandshakeErrorKind::kNotTls:
      return "not_tls";
    case HandshakeErrorKind::kUnsupportedVersion:
      return "unsupported_version";
    case HandshakeErrorKind::kNoSharedCipher:
      return "no_shared_cipher";
    case HandshakeErrorKind::kNoApplicationProtocol:
      return "no_application_protocol";
    case HandshakeErrorKind::kNoCertificate:
      return "no_certificate";
    case HandshakeErrorKind::kConnectionClosed:
      return "connection_closed";
    case HandshakeErrorKind::kPeerAlert:
      return "peer_alert";
    case HandshakeErrorKind::kOther:
      return "other";
  }
  return "other";
}

HandshakeError ClassifyHandshakeError(const SSL* ssl, int rc) {
  HandshakeError result;
  const int error = SSL_get_error(ssl, rc);
  // The first SSL-library reason is the root cause; later entries add context.
  int first_reason = 0;
  uint32_t packed;
  while ((packed = ERR_get_error()) != 0) {
    const char* text = ERR_reason_error_string(packed);
    if (!result.detail.empty()) result.detail += "; ";
    result.detail += text != nullptr ? text : absl::StrCat("error ", packed);
    if (first_reason == 0 && ERR_GET_LIB(packed) == ERR_LIB_SSL) first_reason = ERR_GET_REASON(packed);
  }
  if (error == SSL_ERROR_ZERO_RETURN || (error == SSL_ERROR_SYSCALL && first_reason == 0)) {
    result.kind = HandshakeErrorKind::kConnectionClosed;
    if (result.detail.empty()) result.detail = "connection closed during handshake";
    return result;
  }
  result.kind = first_reason != 0 ? KindOfReason(first_reason) : HandshakeErrorKind::kOther;
  if (result.detail.empty()) result.detail = absl::StrCat("SSL_get_error ", error);
  return result;
}

uint64_t HandshakeErrorCounters::Total() const {
  uint64_t total = 0;
  for (const auto& count : counts_) total += count.load(std::memory_order_relaxed);
  return total;
}

}  // namespace apiserve::tls
