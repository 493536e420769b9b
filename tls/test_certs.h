#ifndef APISERVE_TLS_TEST_CERTS_H_
#define APISERVE_TLS_TEST_CERTS_H_

// Test-only helpers: CA and leaf certificates made with BoringSSL (x509_builder.h), and a temporary directory.
// Thread-compatible.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "openssl/evp.h"
#include "openssl/x509.h"
#include "tls/x509_builder.h"

namespace apiserve::tls::testing {

// TestCert is a certificate with its key, as objects and as PEM.
struct TestCert {
  bssl::UniquePtr<X509> cert;
  bssl::UniquePtr<EVP_PKEY> key;
  std::string cert_pem;
  std::string key_pem;  // PKCS#8 unless asked otherwise
};

// Template returns a template valid from now−1h for a day, with `common_name`, `dns_names` and `ip_addresses`.
CertificateTemplate Template(const std::string& common_name, std::vector<std::string> dns_names = {},
                             std::vector<std::string> ip_addresses = {});

// MakeCa makes a self-signed CA.
absl::StatusOr<TestCert> MakeCa(const std::string& common_name, KeyType type = KeyType::kEcdsaP256);

// MakeCert makes a certificate from `spec` signed by `issuer` (null: self-signed), with a new `type` key.
absl::StatusOr<TestCert> MakeCert(const CertificateTemplate& spec, const TestCert* issuer,
                                  KeyType type = KeyType::kEcdsaP256, KeyEncoding encoding = KeyEncoding::kPkcs8);

// MakeServerCert is MakeCert with serverAuth, self-signed, named `common_name` with the given SANs.
absl::StatusOr<TestCert> MakeServerCert(const std::string& common_name, std::vector<std::string> dns_names = {},
                                        std::vector<std::string> ip_addresses = {}, KeyType type = KeyType::kEcdsaP256);

// CommonNameOf returns the subject CN of `cert` ("" if none).
std::string CommonNameOf(const X509* cert);

// TempDir is a fresh directory under $TEST_TMPDIR (or /tmp), removed with its content on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Write writes `content` to <path>/<name> atomically and returns the full path. Aborts the test on failure.
  std::string Write(absl::string_view name, absl::string_view content) const;
  std::string Join(absl::string_view name) const;

 private:
  std::string path_;
};

}  // namespace apiserve::tls::testing

#endif  // APISERVE_TLS_TEST_CERTS_H_
