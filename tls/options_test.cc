#include "tls/options.h"

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "openssl/nid.h"
#include "openssl/ssl.h"

namespace apiserve::tls {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(TlsOptionsTest, DefaultsAreValid) {
  TlsOptions options;
  EXPECT_THAT(options.Validate(), IsOk());
  EXPECT_THAT(options.Warnings(), IsEmpty());
  auto params = ResolveTlsParameters(options);
  ASSERT_THAT(params, IsOk());
  EXPECT_EQ(params->min_version, TLS1_2_VERSION);
  EXPECT_TRUE(params->http2);
  EXPECT_EQ(params->cipher_list,
            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
            "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  EXPECT_THAT(params->curve_nids, ElementsAre(NID_X25519, NID_X9_62_prime256v1, NID_secp384r1, NID_secp521r1));
}

TEST(TlsOptionsTest, MinVersions) {
  TlsOptions options;
  options.min_version = "VersionTLS13";
  EXPECT_EQ(ResolveTlsParameters(options)->min_version, TLS1_3_VERSION);
  options.min_version = "VersionTLS10";
  EXPECT_EQ(ResolveTlsParameters(options)->min_version, TLS1_VERSION);
  EXPECT_THAT(options.Warnings(), ElementsAre(HasSubstr("--tls-min-version=VersionTLS10 allows a deprecated")));
  options.min_version = "VersionTLS11";
  EXPECT_EQ(ResolveTlsParameters(options)->min_version, TLS1_1_VERSION);
  options.min_version = "TLS1.2";
  EXPECT_THAT(options.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, "unknown tls version \"TLS1.2\""));
}

TEST(TlsOptionsTest, CipherSuitesByGoName) {
  TlsOptions options;
  options.cipher_suites = {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
                           "TLS_AES_128_GCM_SHA256", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"};
  auto params = ResolveTlsParameters(options);
  ASSERT_THAT(params, IsOk());
  EXPECT_EQ(params->cipher_list, "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:DES-CBC3-SHA");
  EXPECT_THAT(options.Warnings(), ElementsAre("Use of insecure cipher 'TLS_RSA_WITH_3DES_EDE_CBC_SHA' detected."));
}

TEST(TlsOptionsTest, UnknownAndUnimplementedCipherSuites) {
  TlsOptions options;
  options.cipher_suites = {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_NOPE"};
  EXPECT_THAT(options.Validate(),
              StatusIs(absl::StatusCode::kInvalidArgument, "Cipher suite TLS_NOPE not supported or doesn't exist"));
  options.cipher_suites = {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_RC4_128_SHA"};
  EXPECT_THAT(options.Validate(), StatusIs(absl::StatusCode::kInvalidArgument,
                                           "Cipher suite TLS_RSA_WITH_RC4_128_SHA not supported or doesn't exist"));
}

TEST(TlsOptionsTest, Http2RequiresAes128GcmBelowTls13) {
  TlsOptions options;
  options.cipher_suites = {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"};
  EXPECT_THAT(options.Validate(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "error configuring http2: http2: TLSConfig.CipherSuites is missing an HTTP/2-required "
                       "AES_128_GCM_SHA256 cipher (need at least one of TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 or "
                       "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)"));
  options.disable_http2 = true;
  EXPECT_THAT(options.Validate(), IsOk());
  options.disable_http2 = false;
  options.min_version = "VersionTLS13";
  EXPECT_THAT(options.Validate(), IsOk());
}

TEST(TlsOptionsTest, Curves) {
  TlsOptions options;
  options.curve_preferences = {23, 29};
  EXPECT_THAT(ResolveTlsParameters(options)->curve_nids, ElementsAre(NID_X9_62_prime256v1, NID_X25519));
  options.curve_preferences = {23, 4588};
  EXPECT_THAT(options.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, "unsupported curve preference 4588"));
}

TEST(TlsOptionsTest, ValidateReportsEveryProblemAtOnce) {
  TlsOptions options;
  options.min_version = "VersionTLS14";
  options.cipher_suites = {"TLS_BOGUS"};
  options.curve_preferences = {1};
  options.cert_file = "/only/cert.pem";
  options.sni_cert_keys.push_back({"", "key.pem", {}});
  options.reload_check_interval = absl::ZeroDuration();
  options.ticket_key_rotation = absl::Seconds(-1);
  EXPECT_THAT(options.Validate(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "[unknown tls version \"VersionTLS14\", "
                       "Cipher suite TLS_BOGUS not supported or doesn't exist, "
                       "unsupported curve preference 1, "
                       "--tls-cert-file and --tls-private-key-file must be specified together, "
                       "--tls-sni-cert-key \",key.pem\": expected comma separated certificate and key file paths, "
                       "the certificate reload interval must be positive, "
                       "the session ticket key rotation interval must be positive]"));
  EXPECT_THAT(ResolveTlsParameters(options), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TlsOptionsTest, SelfSignedAddresses) {
  TlsOptions options;
  options.self_signed.bind_address = "not-an-ip";
  options.self_signed.alternate_ips = {"10.0.0.1", "x"};
  EXPECT_THAT(options.Validate(), StatusIs(absl::StatusCode::kInvalidArgument,
                                           "[invalid bind address \"not-an-ip\", invalid alternate IP \"x\"]"));
}

}  // namespace
}  // namespace apiserve::tls
