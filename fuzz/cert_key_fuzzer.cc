// Fuzzes PEM loading: tls::ParseCertKey on a random certificate and key text, and tls::ParseCertificateChain on the
// certificate text. BoringSSL's PEM and DER parsers are not instrumented; the target is our handling of what they
// return (chains, key matching, expiry, error messages), reached by mutating real PEM files from the seed corpus.
//
// Input: the certificate text, a NUL byte, then the key text (no NUL: the whole input is both).
//
// Checks beyond the sanitizers: errors are InvalidArgument and name the source; a success has a leaf, a key and a
// chain that starts with the leaf.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "openssl/err.h"
#include "tls/cert_key.h"

namespace apiserve::tls {
namespace {

void Check(bool condition, const std::string& what) {
  if (!condition) {
    fprintf(stderr, "cert_key_fuzzer: check failed: %s\n", what.c_str());
    abort();
  }
}

void FuzzOne(absl::string_view data) {
  absl::string_view cert = data;
  absl::string_view key = data;
  if (const size_t nul = data.find('\0'); nul != absl::string_view::npos) {
    cert = data.substr(0, nul);
    key = data.substr(nul + 1);
  }
  auto pair = ParseCertKey(std::string(cert), std::string(key), "fuzz.crt", "fuzz.key");
  if (pair.ok()) {
    const CertKey& ck = **pair;
    Check(ck.leaf != nullptr && ck.key != nullptr && !ck.chain.empty(), "a parsed pair has a leaf, key and chain");
    NotAfter(ck.leaf.get());
  } else {
    Check(pair.status().code() == absl::StatusCode::kInvalidArgument, pair.status().ToString());
    Check(absl::StrContains(pair.status().message(), "fuzz.crt") ||
              absl::StrContains(pair.status().message(), "fuzz.key"),
          "the error names the file: " + pair.status().ToString());
  }
  auto chain = ParseCertificateChain(cert, "fuzz.crt");
  if (chain.ok()) {
    Check(!chain->empty(), "a parsed chain is not empty");
    for (const auto& x509 : *chain) Check(x509 != nullptr, "no null certificate in a chain");
  } else {
    Check(chain.status().code() == absl::StatusCode::kInvalidArgument, chain.status().ToString());
  }
  ERR_clear_error();
}

}  // namespace
}  // namespace apiserve::tls

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  apiserve::tls::FuzzOne(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
