#include "tls/versions.h"

#include "base/status_matchers.h"
#include "gtest/gtest.h"
#include "openssl/ssl.h"

namespace apiserve::tls {
namespace {

using ::apiserve::base::StatusIs;

static_assert(kTls10 == TLS1_VERSION && kTls11 == TLS1_1_VERSION && kTls12 == TLS1_2_VERSION &&
              kTls13 == TLS1_3_VERSION);

TEST(TlsVersionsTest, ParseFlagNames) {
  EXPECT_EQ(ParseTlsVersion("").value(), 0);
  EXPECT_EQ(ParseTlsVersion("VersionTLS10").value(), TLS1_VERSION);
  EXPECT_EQ(ParseTlsVersion("VersionTLS11").value(), TLS1_1_VERSION);
  EXPECT_EQ(ParseTlsVersion("VersionTLS12").value(), TLS1_2_VERSION);
  EXPECT_EQ(ParseTlsVersion("VersionTLS13").value(), TLS1_3_VERSION);
  EXPECT_THAT(ParseTlsVersion("VersionTLS14"),
              StatusIs(absl::StatusCode::kInvalidArgument, "unknown tls version \"VersionTLS14\""));
  EXPECT_THAT(ParseTlsVersion("versiontls12"),
              StatusIs(absl::StatusCode::kInvalidArgument, "unknown tls version \"versiontls12\""));
  EXPECT_THAT(ParseTlsVersion("TLSv1.2"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TlsVersionsTest, Names) {
  EXPECT_EQ(TlsVersionFlagName(TLS1_2_VERSION), "VersionTLS12");
  EXPECT_EQ(TlsVersionFlagName(0x1234), "");
  EXPECT_EQ(TlsProtocolName(TLS1_VERSION), "TLSv1");
  EXPECT_EQ(TlsProtocolName(TLS1_1_VERSION), "TLSv1.1");
  EXPECT_EQ(TlsProtocolName(TLS1_2_VERSION), "TLSv1.2");
  EXPECT_EQ(TlsProtocolName(TLS1_3_VERSION), "TLSv1.3");
  EXPECT_EQ(TlsProtocolName(0x1234), "unknown");
  EXPECT_FALSE(IsDeprecatedTlsVersion(0));
  EXPECT_TRUE(IsDeprecatedTlsVersion(TLS1_1_VERSION));
  EXPECT_FALSE(IsDeprecatedTlsVersion(TLS1_2_VERSION));
}

}  // namespace
}  // namespace apiserve::tls
