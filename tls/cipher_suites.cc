#include "tls/cipher_suites.h"

#include <iterator>

namespace apiserve::tls {
namespace {

constexpr CipherSuite kSuites[] = {
    // TLS 1.3 (not configurable).
    {"TLS_AES_128_GCM_SHA256", 0x1301, "", false, true},
    {"TLS_AES_256_GCM_SHA384", 0x1302, "", false, true},
    {"TLS_CHACHA20_POLY1305_SHA256", 0x1303, "", false, true},
    // Go's secure list.
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 0xc009, "ECDHE-ECDSA-AES128-SHA", false, false},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 0xc00a, "ECDHE-ECDSA-AES256-SHA", false, false},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xc013, "ECDHE-RSA-AES128-SHA", false, false},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 0xc014, "ECDHE-RSA-AES256-SHA", false, false},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xc02b, "ECDHE-ECDSA-AES128-GCM-SHA256", false, false},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xc02f, "ECDHE-RSA-AES128-GCM-SHA256", false, false},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xc02c, "ECDHE-ECDSA-AES256-GCM-SHA384", false, false},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xc030, "ECDHE-RSA-AES256-GCM-SHA384", false, false},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca8, "ECDHE-RSA-CHACHA20-POLY1305", false, false},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca9, "ECDHE-ECDSA-CHACHA20-POLY1305", false, false},
    {"TLS_RSA_WITH_AES_128_CBC_SHA", 0x002f, "AES128-SHA", false, false},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", 0x0035, "AES256-SHA", false, false},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009c, "AES128-GCM-SHA256", false, false},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", 0x009d, "AES256-GCM-SHA384", false, false},
    // kube's aliases (k8s.io/component-base/cli/flag/ciphersuites_flag.go).
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", 0xcca8, "ECDHE-RSA-CHACHA20-POLY1305", false, false},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", 0xcca9, "ECDHE-ECDSA-CHACHA20-POLY1305", false, false},
    // Go's insecure list.
    {"TLS_RSA_WITH_RC4_128_SHA", 0x0005, "", true, false},
    {"TLS_RSA_WITH_3DES_EDE_CBC_SHA", 0x000a, "DES-CBC3-SHA", true, false},
    {"TLS_RSA_WITH_AES_128_CBC_SHA256", 0x003c, "", true, false},
    {"TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", 0xc007, "", true, false},
    {"TLS_ECDHE_RSA_WITH_RC4_128_SHA", 0xc011, "", true, false},
    {"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", 0xc012, "", true, false},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 0xc023, "", true, false},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 0xc027, "", true, false},
};

}  // namespace

const CipherSuite* FindCipherSuite(absl::string_view name) {
  for (const CipherSuite& suite : kSuites) {
    if (suite.name == name) return &suite;
  }
  return nullptr;
}

absl::string_view DefaultCipherList() {
  return "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
         "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
         "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
}

bool IsHttp2RequiredSuite(const CipherSuite& suite) { return suite.id == 0xc02f || suite.id == 0xc02b; }

}  // namespace apiserve::tls
