#include "tls/x509_builder.h"

#include <arpa/inet.h>

#include <cstdint>
#include <ctime>

#include "absl/strings/str_cat.h"
#include "openssl/bn.h"
#include "openssl/bytestring.h"
#include "openssl/ec_key.h"
#include "openssl/nid.h"
#include "openssl/obj.h"
#include "openssl/pem.h"
#include "openssl/rsa.h"
#include "openssl/x509v3.h"
#include "tls/ssl_error.h"

namespace apiserve::tls {
namespace {

absl::Status AddNameEntry(X509_NAME* name, int nid, const std::string& value) {
  if (X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8, reinterpret_cast<const uint8_t*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1) {
    return SslError("X509_NAME_add_entry_by_NID");
  }
  return absl::OkStatus();
}

absl::Status SetTime(ASN1_TIME* field, absl::Time time) {
  if (ASN1_TIME_set(field, absl::ToTimeT(time)) == nullptr) return SslError("ASN1_TIME_set");
  return absl::OkStatus();
}

absl::Status AddGeneralName(GENERAL_NAMES* names, int type, absl::string_view value) {
  bssl::UniquePtr<GENERAL_NAME> name(GENERAL_NAME_new());
  bssl::UniquePtr<ASN1_STRING> str(type == GEN_IPADD ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new());
  if (name == nullptr || str == nullptr ||
      ASN1_STRING_set(str.get(), value.data(), static_cast<int>(value.size())) != 1) {
    return SslError("GENERAL_NAME_new");
  }
  GENERAL_NAME_set0_value(name.get(), type, str.release());
  if (sk_GENERAL_NAME_push(names, name.get()) == 0) return SslError("sk_GENERAL_NAME_push");
  name.release();
  return absl::OkStatus();
}

absl::Status AddExtensions(X509* cert, const CertificateTemplate& spec) {
  bssl::UniquePtr<BASIC_CONSTRAINTS> constraints(BASIC_CONSTRAINTS_new());
  if (constraints == nullptr) return SslError("BASIC_CONSTRAINTS_new");
  constraints->ca = spec.is_ca ? 0xff : 0;
  if (X509_add1_ext_i2d(cert, NID_basic_constraints, constraints.get(), /*crit=*/1, X509V3_ADD_DEFAULT) != 1) {
    return SslError("X509_add1_ext_i2d(basicConstraints)");
  }

  bssl::UniquePtr<ASN1_BIT_STRING> usage(ASN1_BIT_STRING_new());
  if (usage == nullptr) return SslError("ASN1_BIT_STRING_new");
  // Bits: 0 digitalSignature, 2 keyEncipherment, 5 keyCertSign.
  bool ok = ASN1_BIT_STRING_set_bit(usage.get(), 0, 1) == 1;
  ok = ok && ASN1_BIT_STRING_set_bit(usage.get(), 2, 1) == 1;
  if (spec.is_ca) ok = ok && ASN1_BIT_STRING_set_bit(usage.get(), 5, 1) == 1;
  if (!ok || X509_add1_ext_i2d(cert, NID_key_usage, usage.get(), 1, X509V3_ADD_DEFAULT) != 1) {
    return SslError("X509_add1_ext_i2d(keyUsage)");
  }

  if (spec.server_auth || spec.client_auth) {
    bssl::UniquePtr<STACK_OF(ASN1_OBJECT)> eku(sk_ASN1_OBJECT_new_null());
    if (eku == nullptr) return SslError("sk_ASN1_OBJECT_new_null");
    if (spec.server_auth) sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(NID_server_auth));
    if (spec.client_auth) sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(NID_client_auth));
    if (X509_add1_ext_i2d(cert, NID_ext_key_usage, eku.get(), 0, X509V3_ADD_DEFAULT) != 1) {
      return SslError("X509_add1_ext_i2d(extKeyUsage)");
    }
  }

  bssl::UniquePtr<GENERAL_NAMES> names(GENERAL_NAMES_new());
  if (names == nullptr) return SslError("GENERAL_NAMES_new");
  for (const std::string& dns : spec.dns_names) {
    if (absl::Status s = AddGeneralName(names.get(), GEN_DNS, dns); !s.ok()) return s;
  }
  for (const std::string& ip : spec.ip_addresses) {
    const std::string bytes = ParseIpAddress(ip);
    if (bytes.empty()) return absl::InvalidArgumentError(absl::StrCat("invalid IP address \"", ip, "\""));
    if (absl::Status s = AddGeneralName(names.get(), GEN_IPADD, bytes); !s.ok()) return s;
  }
  for (const std::string& email : spec.emails) {
    if (absl::Status s = AddGeneralName(names.get(), GEN_EMAIL, email); !s.ok()) return s;
  }
  for (const std::string& uri : spec.uris) {
    if (absl::Status s = AddGeneralName(names.get(), GEN_URI, uri); !s.ok()) return s;
  }
  if (sk_GENERAL_NAME_num(names.get()) > 0 &&
      X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return SslError("X509_add1_ext_i2d(subjectAltName)");
  }
  return absl::OkStatus();
}

}  // namespace

absl::string_view KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kEcdsaP256:
      return "ECDSA P-256";
    case KeyType::kEcdsaP384:
      return "ECDSA P-384";
    case KeyType::kRsa2048:
      return "RSA-2048";
    case KeyType::kEd25519:
      return "Ed25519";
  }
  return "unknown";
}

absl::StatusOr<bssl::UniquePtr<EVP_PKEY>> GenerateKey(KeyType type) {
  bssl::UniquePtr<EVP_PKEY> key(EVP_PKEY_new());
  if (key == nullptr) return SslError("EVP_PKEY_new");
  switch (type) {
    case KeyType::kEcdsaP256:
    case KeyType::kEcdsaP384: {
      bssl::UniquePtr<EC_KEY> ec(
          EC_KEY_new_by_curve_name(type == KeyType::kEcdsaP256 ? NID_X9_62_prime256v1 : NID_secp384r1));
      if (ec == nullptr || EC_KEY_generate_key(ec.get()) != 1) return SslError("EC_KEY_generate_key");
      if (EVP_PKEY_assign_EC_KEY(key.get(), ec.release()) != 1) return SslError("EVP_PKEY_assign_EC_KEY");
      return key;
    }
    case KeyType::kRsa2048: {
      bssl::UniquePtr<RSA> rsa(RSA_new());
      bssl::UniquePtr<BIGNUM> exponent(BN_new());
      if (rsa == nullptr || exponent == nullptr || BN_set_word(exponent.get(), RSA_F4) != 1 ||
          RSA_generate_key_ex(rsa.get(), 2048, exponent.get(), nullptr) != 1) {
        return SslError("RSA_generate_key_ex");
      }
      if (EVP_PKEY_assign_RSA(key.get(), rsa.release()) != 1) return SslError("EVP_PKEY_assign_RSA");
      return key;
    }
    case KeyType::kEd25519: {
      bssl::UniquePtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
      EVP_PKEY* raw = nullptr;
      if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
        return SslError("EVP_PKEY_keygen(Ed25519)");
      }
      return bssl::UniquePtr<EVP_PKEY>(raw);
    }
  }
  return absl::InvalidArgumentError("unknown key type");
}

absl::StatusOr<bssl::UniquePtr<X509>> IssueCertificate(const CertificateTemplate& spec, EVP_PKEY* subject_key,
                                                       const X509* issuer, EVP_PKEY* issuer_key) {
  bssl::UniquePtr<X509> cert(X509_new());
  if (cert == nullptr) return SslError("X509_new");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) return SslError("X509_set_version");

  bssl::UniquePtr<BIGNUM> serial(BN_new());
  if (serial == nullptr || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return SslError("serial number");
  }

  bssl::UniquePtr<X509_NAME> subject(X509_NAME_new());
  if (subject == nullptr) return SslError("X509_NAME_new");
  for (const std::string& org : spec.organizations) {
    if (absl::Status s = AddNameEntry(subject.get(), NID_organizationName, org); !s.ok()) return s;
  }
  if (!spec.common_name.empty()) {
    if (absl::Status s = AddNameEntry(subject.get(), NID_commonName, spec.common_name); !s.ok()) return s;
  }
  if (X509_set_subject_name(cert.get(), subject.get()) != 1) return SslError("X509_set_subject_name");
  X509_NAME* issuer_name = issuer != nullptr ? X509_get_subject_name(issuer) : subject.get();
  if (X509_set_issuer_name(cert.get(), issuer_name) != 1) return SslError("X509_set_issuer_name");

  if (absl::Status s = SetTime(X509_getm_notBefore(cert.get()), spec.not_before); !s.ok()) return s;
  if (absl::Status s = SetTime(X509_getm_notAfter(cert.get()), spec.not_after); !s.ok()) return s;
  if (X509_set_pubkey(cert.get(), subject_key) != 1) return SslError("X509_set_pubkey");
  if (absl::Status s = AddExtensions(cert.get(), spec); !s.ok()) return s;

  const EVP_MD* digest = EVP_PKEY_id(issuer_key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
  if (X509_sign(cert.get(), issuer_key, digest) == 0) return SslError("X509_sign");
  return cert;
}

absl::StatusOr<std::string> CertificateToPem(const X509* cert) {
  bssl::UniquePtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_X509(bio.get(), const_cast<X509*>(cert)) != 1) {
    return SslError("PEM_write_bio_X509");
  }
  const uint8_t* data = nullptr;
  size_t length = 0;
  BIO_mem_contents(bio.get(), &data, &length);
  return std::string(reinterpret_cast<const char*>(data), length);
}

absl::StatusOr<std::string> PrivateKeyToPem(const EVP_PKEY* key, KeyEncoding encoding) {
  bssl::UniquePtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr) return SslError("BIO_new");
  EVP_PKEY* mutable_key = const_cast<EVP_PKEY*>(key);
  int ok = 0;
  const int id = EVP_PKEY_id(key);
  if (encoding == KeyEncoding::kTraditional && id == EVP_PKEY_RSA) {
    ok = PEM_write_bio_RSAPrivateKey(bio.get(), EVP_PKEY_get0_RSA(key), nullptr, nullptr, 0, nullptr, nullptr);
  } else if (encoding == KeyEncoding::kTraditional && id == EVP_PKEY_EC) {
    ok = PEM_write_bio_ECPrivateKey(bio.get(), EVP_PKEY_get0_EC_KEY(key), nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    ok = PEM_write_bio_PKCS8PrivateKey(bio.get(), mutable_key, nullptr, nullptr, 0, nullptr, nullptr);
  }
  if (ok != 1) return SslError("PEM_write_bio private key");
  const uint8_t* data = nullptr;
  size_t length = 0;
  BIO_mem_contents(bio.get(), &data, &length);
  return std::string(reinterpret_cast<const char*>(data), length);
}

std::string ParseIpAddress(absl::string_view text) {
  const std::string str(text);
  unsigned char buffer[16];
  if (inet_pton(AF_INET, str.c_str(), buffer) == 1) return std::string(reinterpret_cast<char*>(buffer), 4);
  if (inet_pton(AF_INET6, str.c_str(), buffer) == 1) return std::string(reinterpret_cast<char*>(buffer), 16);
  return "";
}

std::string FormatIpAddress(absl::string_view bytes) {
  char out[INET6_ADDRSTRLEN];
  if (bytes.size() == 4 && inet_ntop(AF_INET, bytes.data(), out, sizeof(out)) != nullptr) return out;
  if (bytes.size() == 16 && inet_ntop(AF_INET6, bytes.data(), out, sizeof(out)) != nullptr) return out;
  return "";
}

}  // namespace apiserve::tls
