#include "tls/cert_key.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/logger.h"
#include "openssl/err.h"
#include "openssl/mem.h"
#include "openssl/pem.h"
#include "tls/file_util.h"
#include "tls/ssl_error.h"

namespace apiserve::tls {
namespace {

absl::Time AsnTimeToTime(const ASN1_TIME* time) {
  int days = 0;
  int seconds = 0;
  bssl::UniquePtr<ASN1_TIME> epoch(ASN1_TIME_set(nullptr, 0));
  if (epoch == nullptr || ASN1_TIME_diff(&days, &seconds, epoch.get(), time) != 1) {
    ERR_clear_error();
    return absl::InfinitePast();
  }
  return absl::UnixEpoch() + absl::Hours(24) * days + absl::Seconds(seconds);
}

}  // namespace

absl::Time NotAfter(const X509* cert) { return AsnTimeToTime(X509_get0_notAfter(cert)); }

absl::StatusOr<std::vector<bssl::UniquePtr<X509>>> ParseCertificateChain(absl::string_view pem,
                                                                         absl::string_view name) {
  ERR_clear_error();
  bssl::UniquePtr<BIO> bio(BIO_new_mem_buf(pem.data(), pem.size()));
  if (bio == nullptr) return SslError("BIO_new_mem_buf");
  std::vector<bssl::UniquePtr<X509>> chain;
  while (true) {
    bssl::UniquePtr<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (cert == nullptr) {
      const uint32_t error = ERR_peek_last_error();
      // Running out of PEM blocks after at least one certificate is the normal end.
      if (!chain.empty() && ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE) {
        ERR_clear_error();
        break;
      }
      return SslError(absl::StrCat("failed to parse certificate from \"", name, "\""),
                      absl::StatusCode::kInvalidArgument);
    }
    chain.push_back(std::move(cert));
  }
  return chain;
}

absl::StatusOr<std::shared_ptr<const CertKey>> ParseCertKey(std::string cert_pem, std::string key_pem,
                                                            absl::string_view cert_name, absl::string_view key_name) {
  if (cert_pem.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("missing content for serving cert \"", cert_name, "\""));
  }
  if (key_pem.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("missing content for serving key \"", key_name, "\""));
  }
  auto result = std::make_shared<CertKey>();
  result->cert_file = std::string(cert_name);
  result->key_file = std::string(key_name);

  auto chain = ParseCertificateChain(cert_pem, cert_name);
  if (!chain.ok()) return chain.status();
  for (const bssl::UniquePtr<X509>& cert : *chain) {
    uint8_t* der = nullptr;
    const int length = i2d_X509(cert.get(), &der);
    if (length <= 0) return SslError(absl::StrCat("i2d_X509(\"", cert_name, "\")"));
    result->chain.emplace_back(CRYPTO_BUFFER_new(der, static_cast<size_t>(length), nullptr));
    OPENSSL_free(der);
    if (result->chain.back() == nullptr) return SslError("CRYPTO_BUFFER_new");
  }
  result->leaf = std::move(chain->front());

  ERR_clear_error();
  bssl::UniquePtr<BIO> key_bio(BIO_new_mem_buf(key_pem.data(), key_pem.size()));
  if (key_bio == nullptr) return SslError("BIO_new_mem_buf");
  result->key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (result->key == nullptr) {
    return SslError(absl::StrCat("failed to parse private key from \"", key_name, "\""),
                    absl::StatusCode::kInvalidArgument);
  }
  if (X509_check_private_key(result->leaf.get(), result->key.get()) != 1) {
    return SslError(absl::StrCat("certificate \"", cert_name, "\" and private key \"", key_name, "\" do not match"),
                    absl::StatusCode::kInvalidArgument);
  }

  const absl::Time now = absl::Now();
  const absl::Time not_after = NotAfter(result->leaf.get());
  if (not_after < now) {
    LOG(WARNING) << "Serving certificate \"" << cert_name << "\" expired at "
                 << absl::FormatTime(absl::RFC3339_sec, not_after, absl::UTCTimeZone()) << "; serving it anyway";
  }
  result->cert_pem = std::move(cert_pem);
  result->key_pem = std::move(key_pem);
  return std::shared_ptr<const CertKey>(std::move(result));
}

absl::StatusOr<std::shared_ptr<const CertKey>> LoadCertKey(const std::string& cert_file, const std::string& key_file) {
  auto cert_pem = ReadFileToString(cert_file);
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = ReadFileToString(key_file);
  if (!key_pem.ok()) return key_pem.status();
  return ParseCertKey(*std::move(cert_pem), *std::move(key_pem), cert_file, key_file);
}

}  // namespace apiserve::tls
