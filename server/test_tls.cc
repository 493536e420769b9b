#include "server/test_tls.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/tcp_options.h"
#include "tls/x509_builder.h"

namespace apiserve::server {

namespace {

absl::Status WriteFile(const std::string& path, const std::string& contents) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) return absl::InternalError(absl::StrCat("fopen ", path, ": ", std::strerror(errno)));
  const bool written = std::fwrite(contents.data(), 1, contents.size(), file) == contents.size();
  if (std::fclose(file) != 0 || !written) return absl::InternalError(absl::StrCat("write ", path, ": failed"));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TestCertificate> MakeTestCertificate() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string templ = absl::StrCat(base != nullptr ? base : "/tmp", "/certXXXXXX");
  if (::mkdtemp(templ.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  TestCertificate cert{templ, templ + "/tls.crt", templ + "/tls.key"};
  absl::StatusOr<bssl::UniquePtr<EVP_PKEY>> key = tls::GenerateKey(tls::KeyType::kEcdsaP256);
  if (!key.ok()) return key.status();
  tls::CertificateTemplate spec;
  spec.common_name = "localhost";
  spec.dns_names = {"localhost"};
  spec.ip_addresses = {"127.0.0.1", "::1"};
  spec.not_before = absl::Now() - absl::Hours(1);
  spec.not_after = absl::Now() + absl::Hours(48);
  spec.is_ca = true;  // as `openssl req -x509` makes it: a client may take the certificate as its CA
  absl::StatusOr<bssl::UniquePtr<X509>> x509 = tls::IssueCertificate(spec, key->get(), nullptr, key->get());
  if (!x509.ok()) return x509.status();
  absl::StatusOr<std::string> cert_pem = tls::CertificateToPem(x509->get());
  if (!cert_pem.ok()) return cert_pem.status();
  absl::StatusOr<std::string> key_pem = tls::PrivateKeyToPem(key->get(), tls::KeyEncoding::kPkcs8);
  if (!key_pem.ok()) return key_pem.status();
  if (absl::Status status = WriteFile(cert.cert_file, *cert_pem); !status.ok()) return status;
  if (absl::Status status = WriteFile(cert.key_file, *key_pem); !status.ok()) return status;
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
    const int error = errno;
    ::close(fd);
    errno = error;
    return -1;
  }
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  return fd;
}

int ServerEndOfConnection(int client) {
  sockaddr_in client_address{};
  socklen_t length = sizeof(client_address);
  if (::getsockname(client, reinterpret_cast<sockaddr*>(&client_address), &length) != 0) return -1;
  // The descriptors are probed by number rather than listed from /proc/self/fd: opening that directory would take a
  // descriptor on this thread, possibly the number the server's loop thread has just closed. libuv closes with a raw
  // close(2) syscall that ThreadSanitizer does not see, so it would report the reuse as a race with the loop's last
  // epoll_ctl on the old connection. getpeername creates no descriptor.
  rlimit limit{};
  const rlim_t highest = ::getrlimit(RLIMIT_NOFILE, &limit) == 0 ? std::min<rlim_t>(limit.rlim_cur, 65536) : 1024;
  int found = -1;
  for (int fd = 0; fd < static_cast<int>(highest); ++fd) {
    sockaddr_in peer{};
    length = sizeof(peer);
    if (fd == client || ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0) continue;
    if (peer.sin_family == AF_INET && peer.sin_port == client_address.sin_port &&
        peer.sin_addr.s_addr == client_address.sin_addr.s_addr) {
      found = fd;
    }
  }
  return found;
}

namespace {

int IntSocketOption(int fd, int level, int option) {
  int value = -1;
  socklen_t length = sizeof(value);
  return ::getsockopt(fd, level, option, &value, &length) == 0 ? value : -1;
}

}  // namespace

std::string ServerEndTcpOptions(int port) {
  const int client = ConnectTcp(port);
  if (client < 0) return "no connection";
  int accepted = -1;
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while ((accepted = ServerEndOfConnection(client)) < 0 && absl::Now() < deadline)
    absl::SleepFor(absl::Milliseconds(1));
  std::string summary = "no connection";
  if (accepted >= 0) {
    summary = absl::StrCat("nodelay=", IntSocketOption(accepted, IPPROTO_TCP, TCP_NODELAY),
                           " keepalive=", IntSocketOption(accepted, SOL_SOCKET, SO_KEEPALIVE),
                           " idle=", IntSocketOption(accepted, IPPROTO_TCP, TCP_KEEPIDLE),
                           " interval=", IntSocketOption(accepted, IPPROTO_TCP, TCP_KEEPINTVL));
  }
  ::close(client);
  return summary;
}

std::pair<int, int> TcpPair() {
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      !SetServingTcpOptions(listener).ok() || ::listen(listener, 1) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
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

namespace {

// HeaderValue returns the value of header `name` (lower case) in `head`, or nullopt.
std::optional<std::string> HeaderValue(absl::string_view head, absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(head);
  const std::string key = absl::StrCat("\r\n", name, ":");
  const size_t at = lower.find(key);
  if (at == std::string::npos) return std::nullopt;
  const size_t begin = at + key.size();
  const size_t end = head.find("\r\n", begin);
  return std::string(absl::StripAsciiWhitespace(head.substr(begin, end - begin)));
}

// DecodeChunked removes the chunked coding from `data` into `body`. Returns false while the last chunk has not
// arrived, an error if `data` is not chunked coding.
absl::StatusOr<bool> DecodeChunked(absl::string_view data, std::string* body) {
  body->clear();
  size_t at = 0;
  for (;;) {
    const size_t line_end = data.find("\r\n", at);
    if (line_end == absl::string_view::npos) return false;
    absl::string_view size_text = data.substr(at, line_end - at);
    size_text = size_text.substr(0, size_text.find(';'));
    uint64_t size = 0;
    if (!absl::SimpleHexAtoi(absl::StripAsciiWhitespace(size_text), &size)) {
      return absl::DataLossError(absl::StrCat("bad chunk size \"", size_text, "\""));
    }
    at = line_end + 2;
    if (size == 0) return data.find("\r\n", at) != absl::string_view::npos;  // no trailers are sent
    if (data.size() < at + size + 2) return false;
    body->append(data.data() + at, size);
    at += size + 2;
  }
}

// ParseResponse parses `data`, what arrived so far; nullopt while the response is not whole (`closed`: nothing
// more will arrive).
std::optional<absl::StatusOr<HttpResponse>> ParseResponse(absl::string_view data, bool closed,
                                                          const std::string& peer) {
  const size_t head_end = data.find("\r\n\r\n");
  auto incomplete = [&]() -> std::optional<absl::StatusOr<HttpResponse>> {
    if (!closed) return std::nullopt;
    return absl::UnavailableError(absl::StrCat(peer, " closed the connection before a whole response"));
  };
  if (head_end == absl::string_view::npos) return incomplete();
  HttpResponse response;
  response.head = std::string(data.substr(0, head_end));
  const absl::string_view rest = data.substr(head_end + 4);
  if (!absl::StartsWith(response.head, "HTTP/1.1 ") || response.head.size() < 12 ||
      !absl::SimpleAtoi(response.head.substr(9, 3), &response.status)) {
    return absl::DataLossError(absl::StrCat("malformed response from ", peer, ": bad status line"));
  }
  const std::optional<std::string> encoding = HeaderValue(response.head, "transfer-encoding");
  const std::optional<std::string> length = HeaderValue(response.head, "content-length");
  if (encoding.has_value() && absl::AsciiStrToLower(*encoding) == "chunked") {
    absl::StatusOr<bool> whole = DecodeChunked(rest, &response.body);
    if (!whole.ok()) {
      return absl::DataLossError(absl::StrCat("malformed response from ", peer, ": ", whole.status().message()));
    }
    if (!*whole) return incomplete();
    return response;
  }
  if (length.has_value()) {
    size_t size = 0;
    if (!absl::SimpleAtoi(*length, &size)) {
      return absl::DataLossError(absl::StrCat("malformed response from ", peer, ": bad Content-Length"));
    }
    if (rest.size() < size) return incomplete();
    response.body = std::string(rest.substr(0, size));
    return response;
  }
  if (!closed) return std::nullopt;  // the body runs until the close
  response.body = std::string(rest);
  return response;
}

}  // namespace

absl::StatusOr<HttpResponse> HttpsGet(int port, absl::string_view path, uint16_t max_tls_version) {
  const std::string peer = absl::StrCat("127.0.0.1:", port);
  const int fd = ConnectTcp(port);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("connect to ", peer, ": ", std::strerror(errno)));
  TlsClient client(fd, "http/1.1");
  if (max_tls_version != 0) client.SetMaxVersion(max_tls_version);
  if (!client.Handshake()) {
    if (!client.closed()) return absl::DeadlineExceededError(absl::StrCat("timed out waiting for ", peer));
    return absl::UnavailableError(absl::StrCat(peer, " closed the connection in the TLS handshake"));
  }
  if (!client.Write(absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: x\r\n\r\n"))) {
    return absl::UnavailableError(absl::StrCat(peer, " closed the connection before a whole response"));
  }
  for (;;) {
    const bool more = client.ReadSome();
    if (!more && !client.closed()) return absl::DeadlineExceededError(absl::StrCat("timed out waiting for ", peer));
    std::optional<absl::StatusOr<HttpResponse>> response = ParseResponse(client.received(), !more, peer);
    if (response.has_value()) return *std::move(response);
  }
}

}  // namespace apiserve::server
