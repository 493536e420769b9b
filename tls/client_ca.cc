#include "tls/client_ca.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "openssl/err.h"
#include "openssl/mem.h"
#include "openssl/x509v3.h"
#include "tls/cert_key.h"
#include "tls/file_util.h"
#include "tls/ssl_error.h"
#include "tls/x509_builder.h"

namespace apiserve::tls {
namespace {

std::string AsnString(const ASN1_STRING* str) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(str)),
                     static_cast<size_t>(ASN1_STRING_length(str)));
}

}  // namespace

absl::StatusOr<std::shared_ptr<const ClientCaBundle>> ParseClientCaBundle(std::string pem, absl::string_view name) {
  auto bundle = std::make_shared<ClientCaBundle>();
  bundle->file = std::string(name);
  bundle->store.reset(X509_STORE_new());
  if (bundle->store == nullptr) return SslError("X509_STORE_new");
  if (absl::StripAsciiWhitespace(pem).empty()) {
    bundle->pem = std::move(pem);
    return std::shared_ptr<const ClientCaBundle>(std::move(bundle));
  }
  auto certs = ParseCertificateChain(pem, name);
  if (!certs.ok()) return certs.status();
  std::vector<std::string> seen;  // DER of the certificates added: the same CA twice is advertised once
  for (const bssl::UniquePtr<X509>& cert : *certs) {
    uint8_t* cert_der = nullptr;
    const int cert_length = i2d_X509(cert.get(), &cert_der);
    if (cert_length <= 0) return SslError("i2d_X509");
    std::string der(reinterpret_cast<const char*>(cert_der), static_cast<size_t>(cert_length));
    OPENSSL_free(cert_der);
    if (std::find(seen.begin(), seen.end(), der) != seen.end()) continue;
    seen.push_back(std::move(der));
    if (X509_STORE_add_cert(bundle->store.get(), cert.get()) != 1) {
      return SslError(absl::StrCat("X509_STORE_add_cert(\"", name, "\")"));
    }
    uint8_t* name_der = nullptr;
    const int length = i2d_X509_NAME(X509_get_subject_name(cert.get()), &name_der);
    if (length <= 0) return SslError("i2d_X509_NAME");
    bundle->subject_names.emplace_back(CRYPTO_BUFFER_new(name_der, static_cast<size_t>(length), nullptr));
    OPENSSL_free(name_der);
    if (bundle->subject_names.back() == nullptr) return SslError("CRYPTO_BUFFER_new");
  }
  bundle->pem = std::move(pem);
  return std::shared_ptr<const ClientCaBundle>(std::move(bundle));
}

absl::StatusOr<std::shared_ptr<const ClientCaBundle>> LoadClientCaBundle(const std::string& file) {
  auto pem = ReadFileToString(file);
  if (!pem.ok()) return pem.status();
  return ParseClientCaBundle(*std::move(pem), file);
}

http::ClientCertificate ExtractIdentity(const X509* cert) {
  http::ClientCertificate identity;
  const X509_NAME* subject = X509_get_subject_name(cert);
  for (int i = 0; i < X509_NAME_entry_count(subject); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(subject, i);
    const int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
    if (nid == NID_commonName) identity.common_name = AsnString(X509_NAME_ENTRY_get_data(entry));
    if (nid == NID_organizationName) identity.organizations.push_back(AsnString(X509_NAME_ENTRY_get_data(entry)));
  }
  bssl::UniquePtr<GENERAL_NAMES> sans(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(const_cast<X509*>(cert), NID_subject_alt_name, nullptr, nullptr)));
  if (sans == nullptr) return identity;
  for (size_t i = 0; i < sk_GENERAL_NAME_num(sans.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans.get(), i);
    switch (name->type) {
      case GEN_DNS:
        identity.dns_names.push_back(AsnString(name->d.dNSName));
        break;
      case GEN_IPADD:
        identity.ip_addresses.push_back(FormatIpAddress(AsnString(name->d.iPAddress)));
        break;
      case GEN_EMAIL:
        identity.emails.push_back(AsnString(name->d.rfc822Name));
        break;
      case GEN_URI:
        identity.uris.push_back(AsnString(name->d.uniformResourceIdentifier));
        break;
      default:
        break;
    }
  }
  return identity;
}

ClientCertificateResult VerifyClientChain(const ClientCaBundle& bundle, X509* leaf, STACK_OF(X509) * intermediates) {
  ClientCertificateResult result;
  result.presented = true;
  http::ClientCertificate identity = ExtractIdentity(leaf);
  bssl::UniquePtr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  if (ctx == nullptr || X509_STORE_CTX_init(ctx.get(), bundle.store.get(), leaf, intermediates) != 1 ||
      X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT) != 1) {
    result.error = absl::StrCat("verifying certificate CN=\"", identity.common_name, "\" failed: ", ConsumeSslErrors());
    return result;
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    result.error = absl::StrCat("verifying certificate CN=\"", identity.common_name,
                                "\" failed: ", X509_verify_cert_error_string(error));
    return result;
  }
  result.identity = std::move(identity);
  return result;
}

}  // namespace apiserve::tls
