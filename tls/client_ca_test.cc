#include "tls/client_ca.h"

#include "absl/strings/str_cat.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tls/test_certs.h"

namespace apiserve::tls {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::StartsWith;

TEST(ClientCaTest, VerifiesChainsAndReportsErrors) {
  auto ca = testing::MakeCa("ca");
  auto other = testing::MakeCa("other");
  ASSERT_THAT(ca, IsOk());
  ASSERT_THAT(other, IsOk());
  auto bundle = ParseClientCaBundle(absl::StrCat(ca->cert_pem, ca->cert_pem), "bundle.pem");
  ASSERT_THAT(bundle, IsOk());
  EXPECT_EQ((*bundle)->subject_names.size(), 1u);  // duplicates are harmless

  CertificateTemplate spec = testing::Template("user");
  spec.client_auth = true;
  auto good = testing::MakeCert(spec, &*ca);
  ASSERT_THAT(good, IsOk());
  ClientCertificateResult ok = VerifyClientChain(**bundle, good->cert.get(), nullptr);
  ASSERT_TRUE(ok.identity.has_value()) << ok.error;
  EXPECT_EQ(ok.identity->common_name, "user");

  auto bad = testing::MakeCert(spec, &*other);
  ASSERT_THAT(bad, IsOk());
  EXPECT_EQ(VerifyClientChain(**bundle, bad->cert.get(), nullptr).error,
            "verifying certificate CN=\"user\" failed: unable to get local issuer certificate");

  // A server-only certificate is not valid for client auth.
  CertificateTemplate server_spec = testing::Template("server-only");
  server_spec.server_auth = true;
  auto server_only = testing::MakeCert(server_spec, &*ca);
  ASSERT_THAT(server_only, IsOk());
  EXPECT_EQ(VerifyClientChain(**bundle, server_only->cert.get(), nullptr).error,
            "verifying certificate CN=\"server-only\" failed: unsupported certificate purpose");

  CertificateTemplate expired_spec = testing::Template("expired");
  expired_spec.not_before = absl::Now() - absl::Hours(3);
  expired_spec.not_after = absl::Now() - absl::Hours(2);
  auto expired = testing::MakeCert(expired_spec, &*ca);
  ASSERT_THAT(expired, IsOk());
  EXPECT_EQ(VerifyClientChain(**bundle, expired->cert.get(), nullptr).error,
            "verifying certificate CN=\"expired\" failed: certificate has expired");
}

TEST(ClientCaTest, EmptyBundleIsAllowedGarbageIsNot) {
  auto empty = ParseClientCaBundle("", "empty.pem");
  ASSERT_THAT(empty, IsOk());
  EXPECT_TRUE((*empty)->subject_names.empty());
  EXPECT_THAT(ParseClientCaBundle("garbage", "ca.pem"),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("failed to parse certificate from \"ca.pem\"")));
  EXPECT_THAT(LoadClientCaBundle("/nonexistent/ca.pem"),
              StatusIs(absl::StatusCode::kNotFound, "open /nonexistent/ca.pem: No such file or directory"));
}

}  // namespace
}  // namespace apiserve::tls
