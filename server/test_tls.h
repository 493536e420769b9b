#ifndef APISERVE_SERVER_TEST_TLS_H_
#define APISERVE_SERVER_TEST_TLS_H_

// Test helpers: a throwaway self-signed certificate (made with tls/x509_builder), a server SSL_CTX over it
// that negotiates ALPN h2/http/1.1, and in-process blocking clients (TlsClient, HttpsGet) over loopback sockets, so
// server tests need no curl or shell. Test-only.

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "openssl/ssl.h"

namespace apiserve::server {

struct TestCertificate {
  std::string dir;
  std::string cert_file;
  std::string key_file;
};

// MakeTestCertificate writes a self-signed ECDSA P-256 certificate for localhost / 127.0.0.1 / ::1 (CA:TRUE, so a
// client can trust it as its own CA; valid for two days) and its PKCS#8 key, as PEM files, into a new directory
// under $TEST_TMPDIR. Internal error on failure.
absl::StatusOr<TestCertificate> MakeTestCertificate();

// MakeTestSslCtx loads the certificate; ALPN prefers h2 when `http2` is true, else only http/1.1.
absl::StatusOr<bssl::UniquePtr<SSL_CTX>> MakeTestSslCtx(const TestCertificate& cert, bool http2);

// MakeTestServerSslCtx does both: a fresh certificate, then a server context serving it.
absl::StatusOr<bssl::UniquePtr<SSL_CTX>> MakeTestServerSslCtx(bool http2);

// TlsClient is a blocking TLS client over an already connected socket, which it owns. It offers `alpn` ("h2",
// "http/1.1") when not empty, else no ALPN.
class TlsClient {
 public:
  explicit TlsClient(int fd, absl::string_view alpn = "") : fd_(fd), ctx_(SSL_CTX_new(TLS_method())) {
    ssl_.reset(SSL_new(ctx_.get()));
    SSL_set_fd(ssl_.get(), fd_);
    SSL_set_tlsext_host_name(ssl_.get(), "localhost");
    if (!alpn.empty()) {
      std::string wire(1, static_cast<char>(alpn.size()));
      wire.append(alpn.data(), alpn.size());
      SSL_set_alpn_protos(ssl_.get(), reinterpret_cast<const uint8_t*>(wire.data()), wire.size());
    }
  }
  ~TlsClient() { ::close(fd_); }

  // SetMaxVersion caps the TLS version the client offers (TLS1_2_VERSION, ...); call it before Handshake.
  void SetMaxVersion(uint16_t version) { SSL_set_max_proto_version(ssl_.get(), version); }
  // Handshake runs the TLS handshake; false if it failed (closed() then tells a close from a timeout).
  bool Handshake() {
    const int result = SSL_connect(ssl_.get());
    if (result == 1) return true;
    closed_ = IsClose(SSL_get_error(ssl_.get(), result));
    return false;
  }
  bool Write(absl::string_view data) {
    return SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size())) == static_cast<int>(data.size());
  }
  // ReadUntil reads until `needle` has arrived (true) or the connection ends or times out (false).
  bool ReadUntil(absl::string_view needle) {
    while (!absl::StrContains(received_, needle)) {
      if (!ReadSome()) return false;
    }
    return true;
  }
  // ReadToEnd reads until the server closes; false if the read timed out instead.
  bool ReadToEnd() {
    while (ReadSome()) {
    }
    return closed_;
  }
  // ReadSome appends what one read returns to received(); false when the connection ended (closed() is then true)
  // or the read timed out.
  bool ReadSome() {
    char buffer[16384];
    const int n = SSL_read(ssl_.get(), buffer, sizeof(buffer));
    if (n > 0) {
      received_.append(buffer, static_cast<size_t>(n));
      return true;
    }
    closed_ = IsClose(SSL_get_error(ssl_.get(), n));
    return false;
  }
  const std::string& received() const { return received_; }
  // closed reports whether the server ended the connection (close_notify, EOF, reset or a fatal alert).
  bool closed() const { return closed_; }
  // ClosedWithCloseNotify: the server's TLS close_notify arrived (a clean TLS close, not just EOF or a reset).
  bool ClosedWithCloseNotify() const { return (SSL_get_shutdown(ssl_.get()) & SSL_RECEIVED_SHUTDOWN) != 0; }
  int fd() const { return fd_; }
  // Alpn returns the protocol the server chose ("" for none).
  std::string Alpn() const {
    const uint8_t* data = nullptr;
    unsigned length = 0;
    SSL_get0_alpn_selected(ssl_.get(), &data, &length);
    return std::string(reinterpret_cast<const char*>(data), length);
  }

 private:
  // IsClose tells an ended connection from a receive timeout (EAGAIN) after a failed SSL call.
  static bool IsClose(int error) {
    return error == SSL_ERROR_ZERO_RETURN || (error == SSL_ERROR_SYSCALL && errno != EAGAIN) || error == SSL_ERROR_SSL;
  }

  const int fd_;
  bssl::UniquePtr<SSL_CTX> ctx_;
  bssl::UniquePtr<SSL> ssl_;
  std::string received_;
  bool closed_ = false;
};

// RawReadsEof reports whether the peer closed `fd` (read returns 0 or a reset) before the receive timeout.
inline bool RawReadsEof(int fd) {
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
    if (n < 0) return false;  // timed out
  }
}

// ServerEndOfConnection finds, among this process's descriptors, the server's end of the IPv4 TCP connection whose
// client end is `client` (for tests whose server runs in-process); -1 if there is none (yet).
int ServerEndOfConnection(int client);

// ServerEndTcpOptions connects to 127.0.0.1:`port`, waits for the server (in this process) to accept, and describes
// the TCP options of its end: "nodelay=1 keepalive=1 idle=180 interval=180" (-1 for an option it cannot read);
// "no connection" if the connection failed or was not accepted within 10 s.
std::string ServerEndTcpOptions(int port);

// ConnectTcp connects to 127.0.0.1:`port` with a 10 s receive timeout; -1 on failure, with errno set by connect(2).
int ConnectTcp(int port);

// TcpPair returns {server end, client end} of a loopback TCP connection (the client end with a 10 s receive
// timeout: no test waits longer for the server); -1s on failure.
std::pair<int, int> TcpPair();

// HttpResponse is what HttpsGet read: the status code, the head as sent (status line and header lines, without the
// blank line) and the body (the chunked coding removed).
struct HttpResponse {
  int status = 0;
  std::string head;
  std::string body;
};

// HttpsGet is curl's `-sk --http1.1` in process: it connects to 127.0.0.1:`port`, handshakes (ALPN http/1.1, the
// certificate not verified; at most `max_tls_version` when not zero), sends `GET path HTTP/1.1` with `Host: x` (no
// `Connection: close`) and reads one response, whole: by Content-Length, by the last chunk, or until the close.
// Blocking; each read waits at most 10 s. Errors:
//   Unavailable "connect to 127.0.0.1:<port>: <strerror>"                (e.g. "Connection refused")
//   Unavailable "127.0.0.1:<port> closed the connection in the TLS handshake"
//   Unavailable "127.0.0.1:<port> closed the connection before a whole response"
//   DeadlineExceeded "timed out waiting for 127.0.0.1:<port>"            (handshake or response)
//   DataLoss "malformed response from 127.0.0.1:<port>: <what>"
absl::StatusOr<HttpResponse> HttpsGet(int port, absl::string_view path, uint16_t max_tls_version = 0);

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_TEST_TLS_H_
