// Fuzzes the server side of a TLS handshake: arbitrary bytes arrive as the client's first flight on an SSL from
// tls::ServerContext, through memory BIOs. BoringSSL is not instrumented: the target is our callbacks (certificate
// selection by SNI and local address, ALPN, session tickets, client-CA names) and the handshake-error
// classification, reached by mutating real ClientHellos from the seed corpus.
//
// Input: 1 byte of options (bit 0: the connection has a local address matching an SNI certificate's IP; bit 1:
// feed the bytes one TLS record header at a time), then the client's bytes.

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "openssl/bio.h"
#include "openssl/err.h"
#include "openssl/ssl.h"
#include "tls/handshake_info.h"
#include "tls/self_signed.h"
#include "tls/server_context.h"

namespace apiserve::tls {
namespace {

void Die(const std::string& what) {
  fprintf(stderr, "tls_client_hello_fuzzer: setup failed: %s\n", what.c_str());
  abort();
}

std::string WriteFile(const std::string& dir, const std::string& name, const std::string& content) {
  const std::string path = absl::StrCat(dir, "/", name);
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size())) Die(path);
  close(fd);
  return path;
}

// Context builds, once, a server context with a default pair, two SNI pairs (names and an IP) and a client CA, from
// files in a fresh temporary directory.
ServerContext& Context() {
  static ServerContext* const context = [] {
    char dir_template[] = "/tmp/apiserve-tls-fuzz-XXXXXX";
    const char* dir_name = mkdtemp(dir_template);
    if (dir_name == nullptr) Die("mkdtemp");
    const std::string dir = dir_name;
    auto make = [&](const std::string& name, const std::string& host, std::vector<std::string> ips,
                    std::vector<std::string> dns) {
      auto pair = GenerateSelfSignedCertKey(host, ips, dns, KeyType::kEcdsaP256, absl::Now());
      if (!pair.ok()) Die(pair.status().ToString());
      return std::make_pair(WriteFile(dir, name + ".crt", pair->cert_pem),
                            WriteFile(dir, name + ".key", pair->key_pem));
    };
    TlsOptions options;
    std::tie(options.cert_file, options.key_file) = make("default", "localhost", {}, {});
    auto [api_crt, api_key] = make("api", "api.example.com", {"10.0.0.1"}, {"*.example.com"});
    options.sni_cert_keys.push_back({api_crt, api_key, {}});
    auto [named_crt, named_key] = make("named", "named", {}, {});
    options.sni_cert_keys.push_back({named_crt, named_key, {"*.internal", "kubernetes.default.svc", "10.0.0.2"}});
    options.client_ca_file = api_crt;
    options.watch_files = false;
    auto created = ServerContext::Create(options);
    if (!created.ok()) Die(created.status().ToString());
    return created->release();
  }();
  return *context;
}

void FuzzOne(absl::string_view data) {
  if (data.empty()) return;
  const uint8_t flags = static_cast<uint8_t>(data[0]);
  data.remove_prefix(1);
  ServerContext& context = Context();
  bssl::UniquePtr<SSL> ssl = context.NewSsl((flags & 1) ? "10.0.0.1" : "");
  if (ssl == nullptr) Die("NewSsl");
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  BIO_set_mem_eof_return(in, -1);
  SSL_set_bio(ssl.get(), in, out);  // the SSL owns both

  // Feed the input whole, or in pieces cut after each 5-byte record header and its body.
  bool done = false;
  while (!data.empty() && !done) {
    size_t piece = data.size();
    if ((flags & 2) && data.size() >= 5) {
      piece = std::min(data.size(), 5 + ((size_t{static_cast<uint8_t>(data[3])} << 8) | static_cast<uint8_t>(data[4])));
    }
    BIO_write(in, data.data(), static_cast<int>(piece));
    data.remove_prefix(piece);
    const int rc = SSL_do_handshake(ssl.get());
    if (rc == 1) {
      done = true;
    } else if (SSL_get_error(ssl.get(), rc) != SSL_ERROR_WANT_READ) {
      context.OnHandshakeFailure(ssl.get(), rc, "192.0.2.1:1234");
      done = true;
    }
  }
  // What the server reads off a connection, handshake finished or not.
  NegotiatedAlpn(ssl.get());
  VersionString(ssl.get());
  ServerName(ssl.get());
  SessionResumed(ssl.get());
  ERR_clear_error();
}

}  // namespace
}  // namespace apiserve::tls

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  apiserve::tls::FuzzOne(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
