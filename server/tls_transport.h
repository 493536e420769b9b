#ifndef APISERVE_SERVER_TLS_TRANSPORT_H_
#define APISERVE_SERVER_TLS_TRANSPORT_H_

// server::TlsTransport: one TLS session over memory BIOs: ciphertext in from the socket, plaintext out to the codec;
// plaintext in from the codec, ciphertext out to the socket. No sockets, no timers: two transports (a server and
// a client) can be driven against each other in memory.
//
//   TlsTransport tls;
//   RETURN_IF_ERROR(tls.Init(std::move(ssl), TlsTransport::Role::kServer));
//   tls.Receive(bytes_from_socket);                     // ciphertext in
//   tls.Handshake() == HandshakeResult::kDone           // then Read() plaintext, Seal() answers
//   tls.TakeCiphertext(buffer, tls.PendingCiphertext()) // ciphertext out, to the socket
//
// Threading: thread-compatible; the server uses it on the connection's loop only. Failures of BoringSSL calls are
// Statuses naming the call and BoringSSL's reasons (tls::SslError); the error queue is cleared.

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "http/connection_info.h"
#include "openssl/ssl.h"

namespace apiserve::server {

class TlsTransport {
 public:
  enum class Role { kServer, kClient };
  enum class HandshakeResult {
    kDone,      // finished: ALPN, version and SNI are known (FillConnectionInfo)
    kWantRead,  // needs more ciphertext from the peer; our flight, if any, is in PendingCiphertext
    kFailed,    // failed: an alert, if any, is in PendingCiphertext; last_result() holds SSL_do_handshake's rc
  };
  // ReadResult: Read returned plaintext (n > 0), needs more ciphertext, or the session ended.
  enum class ReadStatus { kData, kWantRead, kClosed, kError };
  struct ReadResult {
    ReadStatus status;
    size_t size = 0;  // bytes read, for kData
  };

  TlsTransport() = default;
  TlsTransport(const TlsTransport&) = delete;
  TlsTransport& operator=(const TlsTransport&) = delete;

  // Init takes `ssl` and gives it a pair of memory BIOs; a server frees its handshake configuration once the
  // handshake is done (SSL_set_shed_handshake_config). Internal naming the failed call; InvalidArgument if `ssl`
  // is null. Call once, before anything else.
  absl::Status Init(bssl::UniquePtr<SSL> ssl, Role role);

  // Receive appends ciphertext from the peer. The first 5 bytes are remembered (LooksLikePlainHttp).
  absl::Status Receive(absl::string_view ciphertext);
  // Handshake advances the handshake with what was received.
  HandshakeResult Handshake();
  // Read decrypts up to `size` plaintext bytes into `buffer`. kClosed: the peer's close_notify; kError: a TLS
  // error (its reasons are logged by the caller through tls::ConsumeSslErrors).
  ReadResult Read(char* buffer, size_t size);
  // HasBufferedInput: ciphertext or decrypted plaintext is waiting to be Read. When false, Read would say kWantRead.
  bool HasBufferedInput() const;
  // Seal encrypts `plaintext` into records (empty: nothing). False on a TLS error.
  bool Seal(absl::string_view plaintext);
  // PendingCiphertext is how many ciphertext bytes wait to be taken.
  size_t PendingCiphertext() const;
  // TakeCiphertext moves the first `size` (≤ PendingCiphertext) ciphertext bytes into `out`.
  absl::Status TakeCiphertext(char* out, size_t size);
  // Shutdown queues close_notify. A failure (logged by the caller) only costs the alert.
  absl::Status Shutdown();
  // ReleaseIdleMemory frees what the memory BIOs keep for reuse (each holds on to the most it ever buffered: about
  // 1 KiB each way after the handshake, more after large writes) by swapping in a fresh pair. Returns false, changing
  // nothing, if ciphertext waits in either BIO or a BIO cannot be allocated. For idle connections.
  bool ReleaseIdleMemory();

  // FillConnectionInfo records ALPN, TLS version and SNI of a finished handshake in `info` (borrowed).
  void FillConnectionInfo(http::ConnectionInfo* info) const;
  // LooksLikePlainHttp: the first bytes received are a plaintext HTTP request, not a TLS record (Go's
  // tlsRecordHeaderLooksLikeHTTP).
  bool LooksLikePlainHttp() const;
  // last_result is the return code of the last SSL_do_handshake (for TlsHooks::on_handshake_failure).
  int last_result() const { return last_result_; }
  // ssl is the session, for the TLS hooks; owned by the transport.
  SSL* ssl() const { return ssl_.get(); }

 private:
  bssl::UniquePtr<SSL> ssl_;
  BIO* read_bio_ = nullptr;   // owned by ssl_
  BIO* write_bio_ = nullptr;  // owned by ssl_
  std::string first_bytes_;   // the first 5 bytes received
  int last_result_ = 0;
};

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_TLS_TRANSPORT_H_
