#include "tls/test_handshake.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "openssl/err.h"

namespace apiserve::tls::testing {
namespace {

int CaptureSession(SSL* ssl, SSL_SESSION* session) {
  auto* result = static_cast<HandshakeResult*>(SSL_get_app_data(ssl));
  if (result == nullptr || !SSL_SESSION_is_resumable(session)) return 0;
  result->ticket.reset(session);
  return 1;  // we took ownership
}

// CaptureRequestedCas records the CA names a server sent in its CertificateRequest (only visible during the
// handshake).
int CaptureRequestedCas(SSL* ssl, void* arg) {
  auto* result = static_cast<HandshakeResult*>(SSL_get_app_data(ssl));
  const STACK_OF(CRYPTO_BUFFER)* names = SSL_get0_server_requested_CAs(ssl);
  if (result == nullptr || names == nullptr) return 1;
  for (size_t i = 0; i < sk_CRYPTO_BUFFER_num(names); ++i) {
    const CRYPTO_BUFFER* der = sk_CRYPTO_BUFFER_value(names, i);
    const uint8_t* data = CRYPTO_BUFFER_data(der);
    bssl::UniquePtr<X509_NAME> name(d2i_X509_NAME(nullptr, &data, static_cast<long>(CRYPTO_BUFFER_len(der))));
    char buffer[256];
    const int n = name == nullptr ? -1 : X509_NAME_get_text_by_NID(name.get(), NID_commonName, buffer, sizeof(buffer));
    result->client_ca_names.emplace_back(buffer, n > 0 ? static_cast<size_t>(n) : 0);
  }
  return 1;
}

bool Done(SSL* ssl) { return SSL_is_init_finished(ssl) == 1; }

}  // namespace

HandshakeResult Handshake(ServerContext& server, const ClientOptions& options) {
  HandshakeResult result;
  ERR_clear_error();
  bssl::UniquePtr<SSL_CTX> client_ctx(SSL_CTX_new(TLS_method()));
  SSL_CTX_set_min_proto_version(client_ctx.get(), options.min_version);
  SSL_CTX_set_max_proto_version(client_ctx.get(), options.max_version);
  if (!options.cipher_list.empty()) SSL_CTX_set_strict_cipher_list(client_ctx.get(), options.cipher_list.c_str());
  if (!options.curve_nids.empty()) {
    SSL_CTX_set1_curves(client_ctx.get(), options.curve_nids.data(), options.curve_nids.size());
  }
  SSL_CTX_set_session_cache_mode(client_ctx.get(), SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
  SSL_CTX_sess_set_new_cb(client_ctx.get(), CaptureSession);
  SSL_CTX_set_cert_cb(client_ctx.get(), CaptureRequestedCas, nullptr);

  result.client.reset(SSL_new(client_ctx.get()));
  result.server = server.NewSsl(options.local_ip);
  SSL* client = result.client.get();
  SSL* srv = result.server.get();
  SSL_set_app_data(client, &result);
  // Sessions arriving after this function returns are not captured (`result` is moved out).
  struct ClearAppData {
    SSL* ssl;
    ~ClearAppData() { SSL_set_app_data(ssl, nullptr); }
  } clear_app_data{client};
  SSL_set_connect_state(client);
  if (!options.server_name.empty()) SSL_set_tlsext_host_name(client, options.server_name.c_str());
  if (!options.alpn.empty()) {
    std::string wire;
    for (const std::string& proto : options.alpn) absl::StrAppend(&wire, std::string(1, char(proto.size())), proto);
    SSL_set_alpn_protos(client, reinterpret_cast<const uint8_t*>(wire.data()), wire.size());
  }
  if (options.client_cert != nullptr) {
    SSL_use_certificate(client, options.client_cert->cert.get());
    SSL_use_PrivateKey(client, options.client_cert->key.get());
    if (options.client_chain != nullptr) SSL_add1_chain_cert(client, options.client_chain->cert.get());
  }
  if (options.session != nullptr) SSL_set_session(client, options.session);

  BIO* client_bio = nullptr;
  BIO* server_bio = nullptr;
  BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
  SSL_set_bio(client, client_bio, client_bio);
  SSL_set_bio(srv, server_bio, server_bio);

  if (!options.garbage.empty()) {
    BIO_write(client_bio, options.garbage.data(), static_cast<int>(options.garbage.size()));
    BIO_shutdown_wr(client_bio);
  }

  bool client_failed = false;
  for (int round = 0; round < 50; ++round) {
    if (options.garbage.empty() && !Done(client) && !client_failed) {
      const int rc = SSL_do_handshake(client);
      if (rc <= 0 && SSL_get_error(client, rc) != SSL_ERROR_WANT_READ) {
        client_failed = true;
        ERR_clear_error();
      }
    }
    if (!Done(srv)) {
      result.server_rc = SSL_do_handshake(srv);
      if (result.server_rc <= 0) {
        const int error = SSL_get_error(srv, result.server_rc);
        if (error != SSL_ERROR_WANT_READ || client_failed || !options.garbage.empty()) {
          if (error == SSL_ERROR_WANT_READ) {
            // The client gave up (or sent all its garbage): nothing more will come.
            BIO_shutdown_wr(client_bio);
            result.server_rc = SSL_do_handshake(srv);
            if (result.server_rc > 0) continue;
            if (SSL_get_error(srv, result.server_rc) == SSL_ERROR_WANT_READ) continue;
          }
          result.server_error = server.OnHandshakeFailure(srv, result.server_rc);
          return result;
        }
      }
    }
    if (Done(client) && Done(srv)) break;
  }
  result.ok = Done(client) && Done(srv);
  if (!result.ok) return result;

  // BoringSSL holds TLS 1.3 tickets until the server's first write: send one byte so the client reads them.
  uint8_t byte = '!';
  if (SSL_write(srv, &byte, 1) != 1 || SSL_read(client, &byte, 1) != 1) {
    ADD_FAILURE() << "post-handshake byte was not delivered";
    ERR_clear_error();
  }
  bssl::UniquePtr<X509> peer(SSL_get_peer_certificate(client));
  result.served_common_name = CommonNameOf(peer.get());
  return result;
}

bool ExchangeData(HandshakeResult& result, const std::string& message) {
  SSL* client = result.client.get();
  SSL* srv = result.server.get();
  if (SSL_write(client, message.data(), static_cast<int>(message.size())) != static_cast<int>(message.size())) {
    return false;
  }
  std::string buffer(message.size(), '\0');
  if (SSL_read(srv, buffer.data(), static_cast<int>(buffer.size())) != static_cast<int>(buffer.size()) ||
      buffer != message) {
    return false;
  }
  if (SSL_write(srv, message.data(), static_cast<int>(message.size())) != static_cast<int>(message.size())) {
    return false;
  }
  return SSL_read(client, buffer.data(), static_cast<int>(buffer.size())) == static_cast<int>(buffer.size()) &&
         buffer == message;
}

}  // namespace apiserve::tls::testing
