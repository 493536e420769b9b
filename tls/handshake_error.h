#ifndef APISERVE_TLS_HANDSHAKE_ERROR_H_
#define APISERVE_TLS_HANDSHAKE_ERROR_H_

// Classifying failed TLS handshakes into a few kinds, and counting them (exported later as
// apiserver_tls_handshake_errors_total; the server logs each at -v=5, as kube demotes "http: TLS handshake error").

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "openssl/ssl.h"

namespace apiserve::tls {

enum class HandshakeErrorKind {
  kNotTls,                 // plaintext HTTP, a proxy CONNECT, or bytes that are not TLS records
  kUnsupportedVersion,     // the client's versions are all below the minimum (or above what we speak)
  kNoSharedCipher,         // no common cipher suite, group or signature algorithm
  kNoApplicationProtocol,  // the client offered ALPN protocols and none is ours
  kNoCertificate,          // no certificate to serve (configuration not ready)
  kConnectionClosed,       // the peer closed (or reset) before the handshake finished: load-balancer probes
  kPeerAlert,              // the peer sent a fatal alert (e.g. it rejected our certificate)
  kOther,
};
inline constexpr size_t kHandshakeErrorKinds = 8;

// HandshakeErrorKindName returns a stable label for metrics and logs: "not_tls", "unsupported_version",
// "no_shared_cipher", "no_application_protocol", "no_certificate", "connection_closed", "peer_alert", "other".
absl::string_view HandshakeErrorKindName(HandshakeErrorKind kind);

struct HandshakeError {
  HandshakeErrorKind kind = HandshakeErrorKind::kOther;
  std::string detail;  // BoringSSL's reasons, e.g. "UNSUPPORTED_PROTOCOL"
};

// ClassifyHandshakeError classifies the failure of `SSL_do_handshake(ssl)` that returned `rc` (<= 0, and not
// SSL_ERROR_WANT_*). It reads and clears this thread's BoringSSL error queue. `ssl` is borrowed.
HandshakeError ClassifyHandshakeError(const SSL* ssl, int rc);

// HandshakeErrorCounters counts failures per kind. Thread-safe (relaxed atomics).
class HandshakeErrorCounters {
 public:
  void Record(HandshakeErrorKind kind) { counts_[Index(kind)].fetch_add(1, std::memory_order_relaxed); }
  uint64_t Count(HandshakeErrorKind kind) const { return counts_[Index(kind)].load(std::memory_order_relaxed); }
  uint64_t Total() const;

 private:
  static size_t Index(HandshakeErrorKind kind) { return static_cast<size_t>(kind); }
  std::array<std::atomic<uint64_t>, kHandshakeErrorKinds> counts_{};
};

}  // namespace apiserve::tls

#endif  // APISERVE_TLS_HANDSHAKE_ERROR_H_
