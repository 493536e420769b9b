// handshake_bench: CPU cost of server handshakes over in-memory BIO pairs, client and server on one thread.
//
//   bazel run -c opt //tls:handshake_bench [-- iterations]
//
// Prints µs per handshake (client + server work together) for full and ticket-resumed handshakes, with ECDSA P-256
// and RSA-2048 serving keys, at TLS 1.3 and TLS 1.2.

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tls/handshake_info.h"
#include "tls/server_context.h"
#include "tls/test_certs.h"
#include "tls/test_handshake.h"

namespace apiserve::tls {
namespace {

int Run(int iterations) {
  testing::TempDir dir;
  std::printf("%-12s %-8s %-8s %12s\n", "key", "version", "mode", "us/handshake");
  for (KeyType type : {KeyType::kEcdsaP256, KeyType::kRsa2048}) {
    auto cert = testing::MakeServerCert("bench", {"localhost"}, {}, type);
    if (!cert.ok()) {
      std::fprintf(stderr, "%s\n", cert.status().ToString().c_str());
      return 1;
    }
    const std::string name(KeyTypeName(type));
    TlsOptions options;
    options.cert_file = dir.Write(absl::StrCat(name.size(), ".crt"), cert->cert_pem);
    options.key_file = dir.Write(absl::StrCat(name.size(), ".key"), cert->key_pem);
    options.watch_files = false;
    auto context = ServerContext::Create(options);
    if (!context.ok()) {
      std::fprintf(stderr, "%s\n", context.status().ToString().c_str());
      return 1;
    }
    for (uint16_t version : {TLS1_3_VERSION, TLS1_2_VERSION}) {
      testing::ClientOptions client;
      client.max_version = version;
      client.alpn = {"h2", "http/1.1"};
      client.server_name = "localhost";
      testing::HandshakeResult seed = testing::Handshake(**context, client);
      if (!seed.ok || seed.ticket == nullptr) {
        std::fprintf(stderr, "seed handshake failed\n");
        return 1;
      }
      for (bool resume : {false, true}) {
        client.session = resume ? seed.ticket.get() : nullptr;
        int resumed = 0;
        const absl::Time start = absl::Now();
        for (int i = 0; i < iterations; ++i) {
          testing::HandshakeResult r = testing::Handshake(**context, client);
          if (!r.ok) {
            std::fprintf(stderr, "handshake failed: %s\n", r.server_error.detail.c_str());
            return 1;
          }
          resumed += SessionResumed(r.server.get()) ? 1 : 0;
        }
        const double us = absl::ToDoubleMicroseconds(absl::Now() - start) / iterations;
        std::printf("%-12s %-8s %-8s %12.1f%s\n", name.c_str(), version == TLS1_3_VERSION ? "TLS1.3" : "TLS1.2",
                    resume ? "resumed" : "full", us,
                    resume && resumed != iterations ? "  (some handshakes did not resume!)" : "");
      }
    }
  }
  return 0;
}

}  // namespace
}  // namespace apiserve::tls

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 500;
  return apiserve::tls::Run(iterations > 0 ? iterations : 500);
}
