#ifndef APISERVE_TLS_TEST_HANDSHAKE_H_
#define APISERVE_TLS_TEST_HANDSHAKE_H_

// Test-only: a BoringSSL client handshaking with a ServerContext over an in-memory BIO pair, on the calling thread.

#include <cstdint>
#include <string>
#include <vector>

#include "openssl/ssl.h"
#include "tls/server_context.h"
#include "tls/test_certs.h"

namespace apiserve::tls::testing {

struct ClientOptions {
  std::string server_name = {};        // SNI; empty: none
  std::vector<std::string> alpn = {};  // empty: no ALPN extension
  uint16_t min_version = TLS1_VERSION;
  uint16_t max_version = TLS1_3_VERSION;
  std::string cipher_list = {};            // empty: BoringSSL's default
  std::vector<int> curve_nids = {};        // the only groups the client offers; empty: BoringSSL's default
  const TestCert* client_cert = nullptr;   // borrowed
  const TestCert* client_chain = nullptr;  // an intermediate sent after the leaf; borrowed
  SSL_SESSION* session = nullptr;          // to resume; borrowed
  std::string local_ip = {};               // recorded on the server SSL
  std::string garbage = {};                // if set, sent to the server instead of a ClientHello
};

struct HandshakeResult {
  bool ok = false;
  int server_rc = 0;
  HandshakeError server_error;  // when !ok: the server's classified failure (counted by the context)
  bssl::UniquePtr<SSL> client;
  bssl::UniquePtr<SSL> server;
  std::string served_common_name;            // CN of the certificate the client received
  bssl::UniquePtr<SSL_SESSION> ticket;       // a resumable session the client received, if any
  std::vector<std::string> client_ca_names;  // CNs of the CA names the server advertised
};

// Handshake runs a full handshake between a fresh client and a fresh server SSL from `server`.
HandshakeResult Handshake(ServerContext& server, const ClientOptions& options);

// ExchangeData sends `request` from client to server and back; true if both sides read it. Keeps the pair usable.
bool ExchangeData(HandshakeResult& result, const std::string& message);

}  // namespace apiserve::tls::testing

#endif  // APISERVE_TLS_TEST_HANDSHAKE_H_
