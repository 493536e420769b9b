#include "client/ssl_context.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "openssl/err.h"
#include "openssl/pem.h"
#include "openssl/x509.h"
#include "openssl/x509v3.h"
#include "tls/file_util.h"
#include "tls/ssl_error.h"

namespace apiserve::client::internal {

namespace {

absl::StatusOr<std::vector<bssl::UniquePtr<X509>>> ParseCertificates(absl::string_view pem, absl::string_view what) {
  bssl::UniquePtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return tls::SslError("BIO_new_mem_buf");
  std::vector<bssl::UniquePtr<X509>> certs;
  for (;;) {
    bssl::UniquePtr<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    certs.push_back(std::move(cert));
  }
  ERR_clear_error();  // the loop ends on "no start line"
  if (certs.empty()) return absl::InvalidArgumentError(absl::StrCat(what, ": no PEM certificate found"));
  return certs;
}

absl::StatusOr<std::string> PemFrom(const std::string& pem, const std::string& file, absl::string_view pem_field,
                                    absl::string_view file_field) {
  if (!pem.empty() && !file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("both ", pem_field, " and ", file_field, " are set"));
  }
  if (!file.empty()) return tls::ReadFileToString(file);
  return pem;
}

}  // namespace

absl::StatusOr<bssl::UniquePtr<SSL_CTX>> NewSslCtx(const ClientConfig& config) {
  bssl::UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_method()));
  if (!ctx) return tls::SslError("SSL_CTX_new");
  if (SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1) {
    return tls::SslError("SSL_CTX_set_min_proto_version");
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);

  ASSIGN_OR_RETURN(const std::string ca_pem, PemFrom(config.ca_pem, config.ca_file, "ca_pem", "ca_file"));
  if (!ca_pem.empty()) {
    const std::string what = config.ca_file.empty() ? "ca_pem" : absl::StrCat("ca_file ", config.ca_file);
    ASSIGN_OR_RETURN(std::vector<bssl::UniquePtr<X509>> cas, ParseCertificates(ca_pem, what));
    X509_STORE* store = SSL_CTX_get_cert_store(ctx.get());
    for (const auto& ca : cas) {
      if (X509_STORE_add_cert(store, ca.get()) != 1) {
        const uint32_t error = ERR_peek_last_error();
        if (ERR_GET_LIB(error) == ERR_LIB_X509 && ERR_GET_REASON(error) == X509_R_CERT_ALREADY_IN_HASH_TABLE) {
          ERR_clear_error();
          continue;
        }
        return tls::SslError("X509_STORE_add_cert");
      }
    }
  } else if (SSL_CTX_load_verify_locations(ctx.get(), "/etc/ssl/certs/ca-certificates.crt", nullptr) != 1) {
    return tls::SslError("SSL_CTX_load_verify_locations(/etc/ssl/certs/ca-certificates.crt)");
  }

  ASSIGN_OR_RETURN(const std::string cert_pem, PemFrom(config.cert_pem, config.cert_file, "cert_pem", "cert_file"));
  ASSIGN_OR_RETURN(const std::string key_pem, PemFrom(config.key_pem, config.key_file, "key_pem", "key_file"));
  if (cert_pem.empty() != key_pem.empty()) {
    return absl::InvalidArgumentError("a client certificate needs a key and a key needs a certificate");
  }
  if (!cert_pem.empty()) {
    const std::string what = config.cert_file.empty() ? "cert_pem" : absl::StrCat("cert_file ", config.cert_file);
    ASSIGN_OR_RETURN(std::vector<bssl::UniquePtr<X509>> chain, ParseCertificates(cert_pem, what));
    if (SSL_CTX_use_certificate(ctx.get(), chain[0].get()) != 1) {
      return tls::SslError(absl::StrCat("SSL_CTX_use_certificate(", what, ")"), absl::StatusCode::kInvalidArgument);
    }
    for (size_t i = 1; i < chain.size(); ++i) {
      if (SSL_CTX_add1_chain_cert(ctx.get(), chain[i].get()) != 1) return tls::SslError("SSL_CTX_add1_chain_cert");
    }
    const std::string key_what = config.key_file.empty() ? "key_pem" : absl::StrCat("key_file ", config.key_file);
    bssl::UniquePtr<BIO> bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
    if (!bio) return tls::SslError("BIO_new_mem_buf");
    bssl::UniquePtr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) return tls::SslError(absl::StrCat(key_what, ": no PEM private key"), absl::StatusCode::kInvalidArgument);
    if (X509_check_private_key(chain[0].get(), key.get()) != 1) {
      return tls::SslError(absl::StrCat(key_what, " does not match the client certificate in ", what),
                           absl::StatusCode::kInvalidArgument);
    }
    if (SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1) {
      return tls::SslError(absl::StrCat("SSL_CTX_use_PrivateKey(", key_what, ")"), absl::StatusCode::kInvalidArgument);
    }
    if (SSL_CTX_check_private_key(ctx.get()) != 1) {
      return tls::SslError(absl::StrCat(key_what, " does not match the client certificate"),
                           absl::StatusCode::kInvalidArgument);
    }
  }

  static constexpr uint8_t kAlpnBoth[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  const uint8_t* alpn = config.disable_http2 ? kAlpnBoth + 3 : kAlpnBoth;
  const size_t alpn_len = config.disable_http2 ? sizeof(kAlpnBoth) - 3 : sizeof(kAlpnBoth);
  if (SSL_CTX_set_alpn_protos(ctx.get(), alpn, alpn_len) != 0) return tls::SslError("SSL_CTX_set_alpn_protos");
  return ctx;
}

}  // namespace apiserve::client::internal
