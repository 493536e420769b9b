#include "server/test_tls.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace apiserve::server {

absl::StatusOr<TestCertificate> MakeTestCertificate() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string templ = absl::StrCat(base != nullptr ? base : "/tmp", "/certXXXXXX");
  if (::mkdtemp(templ.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  TestCertificate cert{templ, templ + "/tls.crt", templ + "/tls.key"};
  const std::string command = absl::StrCat(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost "
      "-addext subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1 -keyout ",
      cert.key_file, " -out ", cert.cert_file, " >/dev/null 2>&1");
  if (std::system(command.c_str()) != 0) return absl::InternalError(absl::StrCat("failed: ", command));
  return cert;
}

absl::StatusOr<bssl::UniquePtr<SSL_CTX>> MakeTestSslCtx(const TestCertificate& cert, bool http2) {
  bssl::UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx || SSL_CTX_use_certificate_chain_file(ctx.get(), cert.cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx.get(), cert.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return absl::InternalError("cannot load the test certificate");
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_alpn_select_cb(
      ctx.get(),
      [](SSL*, const uint8_t** out, uint8_t* out_len, const uint8_t* in, unsigned in_len, void* arg) -> int {
        const bool h2 = arg != nullptr;
        for (const char* want : {"h2", "http/1.1"}) {
          if (!h2 && want[0] == 'h' && want[1] == '2') continue;
          const size_t want_len = strlen(want);
          for (unsigned i = 0; i < in_len; i += 1 + in[i]) {
            if (in[i] == want_len && memcmp(in + i + 1, want, want_len) == 0) {
              *out = in + i + 1;
              *out_len = in[i];
              return SSL_TLSEXT_ERR_OK;
            }
          }
        }
        return SSL_TLSEXT_ERR_ALERT_FATAL;
      },
      http2 ? reinterpret_cast<void*>(1) : nullptr);
  return ctx;
}

absl::StatusOr<bssl::UniquePtr<SSL_CTX>> MakeTestServerSslCtx(bool http2) {
  absl::StatusOr<TestCertificate> cert = MakeTestCertificate();
  if (!cert.ok()) return cert.status();
  return MakeTestSslCtx(*cert, http2);
}

int ConnectTcp(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  return fd;
}

std::pair<int, int> TcpPair() {
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(listener, 1) != 0 || ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (listener >= 0) ::close(listener);
    return {-1, -1};
  }
  const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (client < 0 || ::connect(client, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    ::close(listener);
    if (client >= 0) ::close(client);
    return {-1, -1};
  }
  const int server = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  ::close(listener);
  timeval timeout{10, 0};
  ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  return {server, client};
}

}  // namespace apiserve::server
