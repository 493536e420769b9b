#ifndef APISERVE_SERVER_TEST_TLS_H_
#define APISERVE_SERVER_TEST_TLS_H_

// Test helpers: a throwaway self-signed certificate (made with the `openssl` command) and a server SSL_CTX over it
// that negotiates ALPN h2/http/1.1. Test-only.

#include <string>

#include "absl/status/statusor.h"
#include "openssl/ssl.h"

namespace apiserve::server {

struct TestCertificate {
  std::string dir;
  std::string cert_file;
  std::string key_file;
};

// MakeTestCertificate writes an ECDSA P-256 certificate for localhost / 127.0.0.1 / ::1 into a new temp directory.
absl::StatusOr<TestCertificate> MakeTestCertificate();

// MakeTestSslCtx loads the certificate; ALPN prefers h2 when `http2` is true, else only http/1.1.
absl::StatusOr<bssl::UniquePtr<SSL_CTX>> MakeTestSslCtx(const TestCertificate& cert, bool http2);

// MakeTestServerSslCtx does both: a fresh certificate, then a server context serving it.
absl::StatusOr<bssl::UniquePtr<SSL_CTX>> MakeTestServerSslCtx(bool http2);

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_TEST_TLS_H_
