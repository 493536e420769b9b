#include "server/tls_transport.h"

#include <algorithm>
#include <utility>

#include "openssl/err.h"
#include "tls/handshake_info.h"
#include "tls/ssl_error.h"

namespace apiserve::server {

absl::Status TlsTransport::Init(bssl::UniquePtr<SSL> ssl, Role role) {
  if (ssl == nullptr) return absl::InvalidArgumentError("TlsTransport::Init: no SSL");
  ssl_ = std::move(ssl);
  read_bio_ = BIO_new(BIO_s_mem());
  if (read_bio_ == nullptr) return tls::SslError("BIO_new");
  write_bio_ = BIO_new(BIO_s_mem());
  if (write_bio_ == nullptr) {
    BIO_free(read_bio_);
    read_bio_ = nullptr;
    return tls::SslError("BIO_new");
  }
  SSL_set_bio(ssl_.get(), read_bio_, write_bio_);  // takes both
  if (role == Role::kClient) {
    SSL_set_connect_state(ssl_.get());
    return absl::OkStatus();
  }
  SSL_set_accept_state(ssl_.get());
  // Free the handshake configuration (certificate chain references, cipher and ALPN lists, ...) once the handshake
  // is done: an idle connection then holds only what the session needs. Nothing after it queries the configuration.
  SSL_set_shed_handshake_config(ssl_.get(), 1);
  return absl::OkStatus();
}

absl::Status TlsTransport::Receive(absl::string_view ciphertext) {
  if (first_bytes_.size() < 5) {
    const absl::string_view head = ciphertext.substr(0, 5 - first_bytes_.size());
    first_bytes_.append(head.data(), head.size());
  }
  if (BIO_write(read_bio_, ciphertext.data(), static_cast<int>(ciphertext.size())) !=
      static_cast<int>(ciphertext.size())) {
    return tls::SslError("BIO_write");
  }
  return absl::OkStatus();
}

TlsTransport::HandshakeResult TlsTransport::Handshake() {
  last_result_ = SSL_do_handshake(ssl_.get());
  if (last_result_ == 1) return HandshakeResult::kDone;
  if (SSL_get_error(ssl_.get(), last_result_) == SSL_ERROR_WANT_READ) return HandshakeResult::kWantRead;
  return HandshakeResult::kFailed;
}

TlsTransport::ReadResult TlsTransport::Read(char* buffer, size_t size) {
  const int n = SSL_read(ssl_.get(), buffer, static_cast<int>(std::min<size_t>(size, INT32_MAX)));
  if (n > 0) return {ReadStatus::kData, static_cast<size_t>(n)};
  switch (SSL_get_error(ssl_.get(), n)) {
    case SSL_ERROR_WANT_READ:
      return {ReadStatus::kWantRead};
    case SSL_ERROR_ZERO_RETURN:
      return {ReadStatus::kClosed};
    default:
      return {ReadStatus::kError};
  }
}

bool TlsTransport::HasBufferedInput() const {
  // SSL_has_pending: decrypted plaintext, or ciphertext the library has read from the BIO but not yet processed.
  return BIO_pending(read_bio_) > 0 || SSL_has_pending(ssl_.get()) != 0;
}

bool TlsTransport::Seal(absl::string_view plaintext) {
  if (plaintext.empty()) return true;
  const int n = SSL_write(ssl_.get(), plaintext.data(), static_cast<int>(plaintext.size()));
  return n == static_cast<int>(plaintext.size());
}

size_t TlsTransport::PendingCiphertext() const {
  const int pending = BIO_pending(write_bio_);
  return pending > 0 ? static_cast<size_t>(pending) : 0;
}

absl::Status TlsTransport::TakeCiphertext(char* out, size_t size) {
  if (BIO_read(write_bio_, out, static_cast<int>(size)) != static_cast<int>(size)) return tls::SslError("BIO_read");
  return absl::OkStatus();
}

absl::Status TlsTransport::Shutdown() {
  // 0: close_notify sent, the peer's not yet seen; 1: both; < 0: failed.
  if (SSL_shutdown(ssl_.get()) < 0) return tls::SslError("SSL_shutdown");
  return absl::OkStatus();
}

bool TlsTransport::ReleaseIdleMemory() {
  if (ssl_ == nullptr || BIO_pending(read_bio_) > 0 || BIO_pending(write_bio_) > 0) return false;
  bssl::UniquePtr<BIO> read(BIO_new(BIO_s_mem()));
  bssl::UniquePtr<BIO> write(BIO_new(BIO_s_mem()));
  if (read == nullptr || write == nullptr) {
    ERR_clear_error();  // the old pair stays: nothing lost but the memory
    return false;
  }
  read_bio_ = read.release();
  write_bio_ = write.release();
  SSL_set_bio(ssl_.get(), read_bio_, write_bio_);  // takes both, frees the old pair
  return true;
}

void TlsTransport::FillConnectionInfo(http::ConnectionInfo* info) const {
  info->alpn = tls::NegotiatedAlpn(ssl_.get());
  info->tls_version = tls::VersionString(ssl_.get());
  info->sni = tls::ServerName(ssl_.get());
}

bool TlsTransport::LooksLikePlainHttp() const {
  for (absl::string_view method : {"GET /", "HEAD ", "POST ", "PUT /", "OPTIO"}) {
    if (first_bytes_ == method) return true;
  }
  return false;
}

}  // namespace apiserve::server
