#include "tls/cert_key.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tls/test_certs.h"

namespace apiserve::tls {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::HasSubstr;
using testing::MakeCa;
using testing::MakeCert;
using ::testing::StartsWith;
using testing::TempDir;

struct KeyCase {
  KeyType type;
  KeyEncoding encoding;
  const char* pem_header;
};

class CertKeyFormatsTest : public ::testing::TestWithParam<KeyCase> {};

TEST_P(CertKeyFormatsTest, LoadsEveryKeyTypeAndEncoding) {
  const KeyCase& c = GetParam();
  auto cert = MakeCert(testing::Template("server"), nullptr, c.type, c.encoding);
  ASSERT_THAT(cert, IsOk());
  EXPECT_THAT(cert->key_pem, StartsWith(c.pem_header));
  auto loaded = ParseCertKey(cert->cert_pem, cert->key_pem, "c.pem", "k.pem");
  ASSERT_THAT(loaded, IsOk());
  EXPECT_EQ((*loaded)->chain.size(), 1u);
  EXPECT_EQ(X509_cmp((*loaded)->leaf.get(), cert->cert.get()), 0);
}

INSTANTIATE_TEST_SUITE_P(
    All, CertKeyFormatsTest,
    ::testing::Values(KeyCase{KeyType::kRsa2048, KeyEncoding::kTraditional, "-----BEGIN RSA PRIVATE KEY-----"},
                      KeyCase{KeyType::kRsa2048, KeyEncoding::kPkcs8, "-----BEGIN PRIVATE KEY-----"},
                      KeyCase{KeyType::kEcdsaP256, KeyEncoding::kTraditional, "-----BEGIN EC PRIVATE KEY-----"},
                      KeyCase{KeyType::kEcdsaP256, KeyEncoding::kPkcs8, "-----BEGIN PRIVATE KEY-----"},
                      KeyCase{KeyType::kEcdsaP384, KeyEncoding::kTraditional, "-----BEGIN EC PRIVATE KEY-----"},
                      KeyCase{KeyType::kEd25519, KeyEncoding::kPkcs8, "-----BEGIN PRIVATE KEY-----"}));

TEST(CertKeyTest, ChainKeepsLeafFirst) {
  auto ca = MakeCa("ca");
  ASSERT_THAT(ca, IsOk());
  auto leaf = MakeCert(testing::Template("leaf"), &*ca);
  ASSERT_THAT(leaf, IsOk());
  auto loaded = ParseCertKey(absl::StrCat(leaf->cert_pem, ca->cert_pem), leaf->key_pem, "c", "k");
  ASSERT_THAT(loaded, IsOk());
  EXPECT_EQ((*loaded)->chain.size(), 2u);
  EXPECT_EQ(testing::CommonNameOf((*loaded)->leaf.get()), "leaf");
}

TEST(CertKeyTest, ExpiredCertificateIsAcceptedWithAWarning) {
  CertificateTemplate spec = testing::Template("old");
  spec.not_before = absl::Now() - absl::Hours(48);
  spec.not_after = absl::Now() - absl::Hours(24);
  auto cert = MakeCert(spec, nullptr);
  ASSERT_THAT(cert, IsOk());
  auto loaded = ParseCertKey(cert->cert_pem, cert->key_pem, "old.crt", "old.key");
  ASSERT_THAT(loaded, IsOk());
  EXPECT_LT(NotAfter((*loaded)->leaf.get()), absl::Now());
}

TEST(CertKeyTest, Errors) {
  auto a = MakeCert(testing::Template("a"), nullptr);
  auto b = MakeCert(testing::Template("b"), nullptr, KeyType::kRsa2048);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_THAT(ParseCertKey("", a->key_pem, "c.pem", "k.pem"),
              StatusIs(absl::StatusCode::kInvalidArgument, "missing content for serving cert \"c.pem\""));
  EXPECT_THAT(ParseCertKey(a->cert_pem, "", "c.pem", "k.pem"),
              StatusIs(absl::StatusCode::kInvalidArgument, "missing content for serving key \"k.pem\""));
  EXPECT_THAT(
      ParseCertKey("junk", a->key_pem, "c.pem", "k.pem"),
      StatusIs(absl::StatusCode::kInvalidArgument, "failed to parse certificate from \"c.pem\": NO_START_LINE"));
  EXPECT_THAT(ParseCertKey(a->cert_pem, a->cert_pem, "c.pem", "k.pem"),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("failed to parse private key from \"k.pem\"")));
  EXPECT_THAT(ParseCertKey(a->cert_pem, b->key_pem, "c.pem", "k.pem"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("certificate \"c.pem\" and private key \"k.pem\" do not match: ")));
  // A truncated second certificate is an error, not silently ignored.
  EXPECT_THAT(
      ParseCertKey(absl::StrCat(a->cert_pem, "-----BEGIN CERTIFICATE-----\nAAAA\n"), a->key_pem, "c.pem", "k.pem"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("failed to parse certificate from \"c.pem\"")));
}

TEST(CertKeyTest, LoadFromFiles) {
  TempDir dir;
  auto a = MakeCert(testing::Template("a"), nullptr);
  ASSERT_THAT(a, IsOk());
  const std::string crt = dir.Write("a.crt", a->cert_pem);
  const std::string key = dir.Write("a.key", a->key_pem);
  auto loaded = LoadCertKey(crt, key);
  ASSERT_THAT(loaded, IsOk());
  EXPECT_EQ((*loaded)->cert_file, crt);
  EXPECT_THAT(LoadCertKey(crt, dir.Join("nope.key")),
              StatusIs(absl::StatusCode::kNotFound,
                       absl::StrCat("open ", dir.Join("nope.key"), ": No such file or directory")));
}

}  // namespace
}  // namespace apiserve::tls
