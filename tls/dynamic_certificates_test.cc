#include "tls/dynamic_certificates.h"

#include <atomic>
#include <thread>

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

TEST(DynamicCertificatesTest, ValidChangesPublishInvalidOnesAreKept) {
  testing::TempDir dir;
  auto one = testing::MakeServerCert("one");
  auto two = testing::MakeServerCert("two");
  ASSERT_THAT(one, IsOk());
  ASSERT_THAT(two, IsOk());
  DynamicCertificates::Options options;
  options.default_cert.cert_file = dir.Write("tls.crt", one->cert_pem);
  options.default_cert.key_file = dir.Write("tls.key", one->key_pem);
  options.watch = false;
  auto certs = DynamicCertificates::Create(options);
  ASSERT_THAT(certs, IsOk());
  auto first = (*certs)->Current();
  EXPECT_EQ(testing::CommonNameOf(first->default_cert()->leaf.get()), "one");

  // Unchanged content: same snapshot.
  ASSERT_THAT((*certs)->Reload(), IsOk());
  EXPECT_EQ((*certs)->Current(), first);

  // Mismatched pair (cert swapped, key not yet): rejected, old one kept.
  dir.Write("tls.crt", two->cert_pem);
  EXPECT_THAT((*certs)->Reload(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("do not match")));
  EXPECT_EQ((*certs)->Current(), first);

  dir.Write("tls.key", two->key_pem);
  ASSERT_THAT((*certs)->Reload(), IsOk());
  auto second = (*certs)->Current();
  EXPECT_EQ(testing::CommonNameOf(second->default_cert()->leaf.get()), "two");
  EXPECT_GT(second->generation(), first->generation());
  // The old snapshot stays valid for whoever holds it.
  EXPECT_EQ(testing::CommonNameOf(first->default_cert()->leaf.get()), "one");

  // Deleted file: rejected, kept.
  ASSERT_EQ(unlink(options.default_cert.key_file.c_str()), 0);
  EXPECT_THAT((*certs)->Reload(), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ((*certs)->Current(), second);
}

TEST(DynamicCertificatesTest, ConcurrentReadersDuringReloads) {
  testing::TempDir dir;
  auto one = testing::MakeServerCert("one");
  auto two = testing::MakeServerCert("two");
  ASSERT_THAT(one, IsOk());
  ASSERT_THAT(two, IsOk());
  DynamicCertificates::Options options;
  options.default_cert.cert_file = dir.Write("tls.crt", one->cert_pem);
  options.default_cert.key_file = dir.Write("tls.key", one->key_pem);
  options.check_interval = absl::Milliseconds(1);
  options.debounce = absl::Milliseconds(1);
  auto certs = DynamicCertificates::Create(options);
  ASSERT_THAT(certs, IsOk());
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load()) {
      auto snapshot = (*certs)->Current();
      ASSERT_NE(snapshot->default_cert(), nullptr);
    }
  });
  for (int i = 0; i < 20; ++i) {
    const testing::TestCert& next = i % 2 == 0 ? *two : *one;
    dir.Write("tls.key", next.key_pem);
    dir.Write("tls.crt", next.cert_pem);
    (*certs)->Reload().IgnoreError();
  }
  stop = true;
  reader.join();
}

TEST(DynamicCertificatesTest, InitialLoadFailureNamesTheFile) {
  DynamicCertificates::Options options;
  options.sni.push_back({"/nonexistent/sni.crt", "/nonexistent/sni.key", {}});
  EXPECT_THAT(DynamicCertificates::Create(options),
              StatusIs(absl::StatusCode::kNotFound, "open /nonexistent/sni.crt: No such file or directory"));
  DynamicCertificates::Options ca;
  ca.client_ca_file = "/nonexistent/ca.crt";
  EXPECT_THAT(DynamicCertificates::Create(ca),
              StatusIs(absl::StatusCode::kNotFound, "open /nonexistent/ca.crt: No such file or directory"));
}

TEST(DynamicCertificatesTest, ClientCasSetAtRunTime) {
  auto one = testing::MakeCa("ca-one");
  auto two = testing::MakeCa("ca-two");
  ASSERT_THAT(one, IsOk());
  ASSERT_THAT(two, IsOk());
  DynamicCertificates::Options options;
  options.watch = false;
  auto certs = DynamicCertificates::Create(options);
  ASSERT_THAT(certs, IsOk());
  EXPECT_EQ((*certs)->Current()->client_ca(), nullptr);

  ASSERT_THAT((*certs)->SetClientCa(one->cert_pem, "client-ca::test"), IsOk());
  auto first = (*certs)->Current();
  ASSERT_NE(first->client_ca(), nullptr);
  EXPECT_EQ(first->client_ca()->pem, one->cert_pem);
  EXPECT_EQ(first->requestheader_client_ca(), nullptr);

  // The same content: nothing new is published.
  ASSERT_THAT((*certs)->SetClientCa(one->cert_pem, "client-ca::test"), IsOk());
  EXPECT_EQ((*certs)->Current(), first);

  // Garbage: rejected, the previous bundle stays.
  EXPECT_THAT(
      (*certs)->SetClientCa("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n", "client-ca::test"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("client-ca::test")));
  EXPECT_EQ((*certs)->Current(), first);

  ASSERT_THAT((*certs)->SetRequestHeaderClientCa(two->cert_pem, "request-header::test"), IsOk());
  auto second = (*certs)->Current();
  EXPECT_GT(second->generation(), first->generation());
  EXPECT_EQ(second->client_ca()->pem, one->cert_pem);
  EXPECT_EQ(second->requestheader_client_ca()->pem, two->cert_pem);

  ASSERT_THAT((*certs)->SetClientCa("", "client-ca::test"), IsOk());
  EXPECT_EQ((*certs)->Current()->client_ca(), nullptr);
  EXPECT_NE((*certs)->Current()->requestheader_client_ca(), nullptr);
}

TEST(DynamicCertificatesTest, AFileConfiguredCaCannotBeSetAtRunTime) {
  testing::TempDir dir;
  auto one = testing::MakeCa("ca-one");
  ASSERT_THAT(one, IsOk());
  DynamicCertificates::Options options;
  options.client_ca_file = dir.Write("ca.crt", one->cert_pem);
  options.watch = false;
  auto certs = DynamicCertificates::Create(options);
  ASSERT_THAT(certs, IsOk());
  EXPECT_THAT((*certs)->SetClientCa(one->cert_pem, "client-ca::test"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("ca.crt")));
  EXPECT_THAT((*certs)->SetRequestHeaderClientCa(one->cert_pem, "request-header::test"), IsOk());
}

}  // namespace
}  // namespace apiserve::tls
