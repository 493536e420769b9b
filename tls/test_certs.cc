#include "tls/test_certs.h"

#include <ftw.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "openssl/nid.h"
#include "tls/file_util.h"

namespace apiserve::tls::testing {

CertificateTemplate Template(const std::string& common_name, std::vector<std::string> dns_names,
                             std::vector<std::string> ip_addresses) {
  CertificateTemplate spec;
  spec.common_name = common_name;
  spec.dns_names = std::move(dns_names);
  spec.ip_addresses = std::move(ip_addresses);
  spec.not_before = absl::Now() - absl::Hours(1);
  spec.not_after = absl::Now() + absl::Hours(24);
  return spec;
}

absl::StatusOr<TestCert> MakeCert(const CertificateTemplate& spec, const TestCert* issuer, KeyType type,
                                  KeyEncoding encoding) {
  TestCert result;
  auto key = GenerateKey(type);
  if (!key.ok()) return key.status();
  result.key = *std::move(key);
  auto cert = IssueCertificate(spec, result.key.get(), issuer != nullptr ? issuer->cert.get() : nullptr,
                               issuer != nullptr ? issuer->key.get() : result.key.get());
  if (!cert.ok()) return cert.status();
  result.cert = *std::move(cert);
  auto cert_pem = CertificateToPem(result.cert.get());
  if (!cert_pem.ok()) return cert_pem.status();
  result.cert_pem = *std::move(cert_pem);
  auto key_pem = PrivateKeyToPem(result.key.get(), encoding);
  if (!key_pem.ok()) return key_pem.status();
  result.key_pem = *std::move(key_pem);
  return result;
}

absl::StatusOr<TestCert> MakeCa(const std::string& common_name, KeyType type) {
  CertificateTemplate spec = Template(common_name);
  spec.is_ca = true;
  return MakeCert(spec, nullptr, type);
}

absl::StatusOr<TestCert> MakeServerCert(const std::string& common_name, std::vector<std::string> dns_names,
                                        std::vector<std::string> ip_addresses, KeyType type) {
  CertificateTemplate spec = Template(common_name, std::move(dns_names), std::move(ip_addresses));
  spec.server_auth = true;
  return MakeCert(spec, nullptr, type);
}

std::string CommonNameOf(const X509* cert) {
  if (cert == nullptr) return "";
  char buffer[256];
  const int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buffer, sizeof(buffer));
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "";
}

TempDir::TempDir() {
  const char* base = getenv("TEST_TMPDIR");
  std::string pattern = absl::StrCat(base != nullptr ? base : "/tmp", "/tls_test_XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
  path_ = pattern;
}

TempDir::~TempDir() {
  nftw(
      path_.c_str(), [](const char* path, const struct stat*, int, struct FTW*) { return std::remove(path); }, 16,
      FTW_DEPTH | FTW_PHYS);
}

std::string TempDir::Join(absl::string_view name) const { return absl::StrCat(path_, "/", name); }

std::string TempDir::Write(absl::string_view name, absl::string_view content) const {
  const std::string path = Join(name);
  const absl::Status status = WriteFileAtomically(path, content, 0644);
  EXPECT_TRUE(status.ok()) << status;
  return path;
}

}  // namespace apiserve::tls::testing
