#include "tls/self_signed.h"

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "openssl/x509v3.h"
#include "tls/cert_key.h"
#include "tls/client_ca.h"
#include "tls/file_util.h"
#include "tls/test_certs.h"

namespace apiserve::tls {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;
using ::testing::StartsWith;
using testing::TempDir;

int Mode(const std::string& path) {
  struct stat st;
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST(SelfSignedTest, GeneratesLeafThenCaAsKube) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  auto generated =
      GenerateSelfSignedCertKey("10.0.0.5", {"10.0.0.1"}, {"kubernetes", "localhost"}, KeyType::kEcdsaP256, now);
  ASSERT_THAT(generated, IsOk());
  EXPECT_THAT(generated->key_pem, StartsWith("-----BEGIN EC PRIVATE KEY-----"));
  auto chain = ParseCertificateChain(generated->cert_pem, "generated");
  ASSERT_THAT(chain, IsOk());
  ASSERT_EQ(chain->size(), 2u);
  X509* leaf = (*chain)[0].get();
  X509* ca = (*chain)[1].get();
  EXPECT_EQ(testing::CommonNameOf(leaf), "10.0.0.5@1700000000");
  EXPECT_EQ(testing::CommonNameOf(ca), "10.0.0.5-ca@1700000000");
  EXPECT_EQ(NotAfter(leaf), now - absl::Hours(1) + absl::Hours(24 * 365));

  http::ClientCertificate names = ExtractIdentity(leaf);
  EXPECT_THAT(names.ip_addresses, ElementsAre("10.0.0.5", "10.0.0.1"));
  EXPECT_THAT(names.dns_names, ElementsAre("kubernetes", "localhost"));

  // The leaf verifies against its CA for server use.
  EXPECT_EQ(X509_check_issued(ca, leaf), X509_V_OK);
  auto key = ParseCertKey(generated->cert_pem, generated->key_pem, "c", "k");
  EXPECT_THAT(key, IsOk());
}

TEST(SelfSignedTest, RsaKeysArePkcs1) {
  auto generated = GenerateSelfSignedCertKey("localhost", {}, {}, KeyType::kRsa2048, absl::Now());
  ASSERT_THAT(generated, IsOk());
  EXPECT_THAT(generated->key_pem, StartsWith("-----BEGIN RSA PRIVATE KEY-----"));
}

TEST(SelfSignedTest, WritesFilesWithModesAndReusesThem) {
  TempDir dir;
  SelfSignedOptions options;
  options.cert_directory = dir.Join("a/b");
  auto source = EnsureSelfSignedCertKey(options);
  ASSERT_THAT(source, IsOk());
  EXPECT_EQ(source->cert_file, dir.Join("a/b/apiserver.crt"));
  EXPECT_EQ(source->key_file, dir.Join("a/b/apiserver.key"));
  EXPECT_EQ(Mode(dir.Join("a/b")), 0755);
  EXPECT_EQ(Mode(source->cert_file), 0644);
  EXPECT_EQ(Mode(source->key_file), 0600);
  auto loaded = LoadCertKey(source->cert_file, source->key_file);
  ASSERT_THAT(loaded, IsOk());
  EXPECT_THAT(testing::CommonNameOf((*loaded)->leaf.get()), StartsWith("localhost@"));
  EXPECT_THAT(ExtractIdentity((*loaded)->leaf.get()).dns_names, ElementsAre("localhost", "localhost"));

  // Second call: reused as is.
  const std::string before = *ReadFileToString(source->cert_file);
  ASSERT_THAT(EnsureSelfSignedCertKey(options), IsOk());
  EXPECT_EQ(*ReadFileToString(source->cert_file), before);
}

TEST(SelfSignedTest, SpecifiedBindAddressGoesToIpSans) {
  SelfSignedOptions options;
  options.bind_address = "127.0.0.1";
  auto source = EnsureSelfSignedCertKey(options);
  ASSERT_THAT(source, IsOk());
  EXPECT_TRUE(source->cert_file.empty());
  auto loaded = ParseCertKey(source->cert_pem, source->key_pem, "c", "k");
  ASSERT_THAT(loaded, IsOk());
  http::ClientCertificate names = ExtractIdentity((*loaded)->leaf.get());
  EXPECT_THAT(names.ip_addresses, ElementsAre("127.0.0.1", "127.0.0.1"));
  EXPECT_THAT(testing::CommonNameOf((*loaded)->leaf.get()), StartsWith("127.0.0.1@"));
}

TEST(SelfSignedTest, OneOfThePairIsAnError) {
  TempDir dir;
  SelfSignedOptions options;
  options.cert_directory = dir.path();
  dir.Write("apiserver.key", "key");
  EXPECT_THAT(
      EnsureSelfSignedCertKey(options),
      StatusIs(absl::StatusCode::kInvalidArgument, absl::StrCat("error reading ", dir.Join("apiserver.crt"),
                                                                ", certificate and key must be supplied as a pair")));
}

}  // namespace
}  // namespace apiserve::tls
