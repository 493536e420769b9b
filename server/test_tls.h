#ifndef APISERVE_SERVER_TEST_TLS_H_
#define APISERVE_SERVER_TEST_TLS_H_

// Test helpers: a throwaway self-signed certificate (made with the `openssl` command) and a server SSL_CTX over it
// that negotiates ALPN h2/http/1.1. Test-only.

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
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

// MakeTestCertificate writes an ECDSA P-256 certificate for localhost / 127.0.0.1 / ::1 into a new temp directory.
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

  bool Handshake() { return SSL_connect(ssl_.get()) == 1; }
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
  const std::string& received() const { return received_; }
  int fd() const { return fd_; }
  // Alpn returns the protocol the server chose ("" for none).
  std::string Alpn() const {
    const uint8_t* data = nullptr;
    unsigned length = 0;
    SSL_get0_alpn_selected(ssl_.get(), &data, &length);
    return std::string(reinterpret_cast<const char*>(data), length);
  }

 private:
  bool ReadSome() {
    char buffer[16384];
    const int n = SSL_read(ssl_.get(), buffer, sizeof(buffer));
    if (n > 0) {
      received_.append(buffer, static_cast<size_t>(n));
      return true;
    }
    const int error = SSL_get_error(ssl_.get(), n);
    closed_ =
        error == SSL_ERROR_ZERO_RETURN || (error == SSL_ERROR_SYSCALL && errno != EAGAIN) || error == SSL_ERROR_SSL;
    return false;
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

// ConnectTcp connects to 127.0.0.1:`port` with a 10 s receive timeout; -1 on failure.
int ConnectTcp(int port);

// TcpPair returns {server end, client end} of a loopback TCP connection (the client end with a 10 s receive
// timeout: no test waits longer for the server); -1s on failure.
std::pair<int, int> TcpPair();

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_TEST_TLS_H_
