#include "tls/named_certificates.h"

#include <map>
#include <string>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tls/certificate_snapshot.h"
#include "tls/test_certs.h"

namespace apiserve::tls {
namespace {

using ::apiserve::base::IsOk;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(NamedCertificatesTest, Dns1123) {
  EXPECT_TRUE(IsDns1123Subdomain("test.com"));
  EXPECT_TRUE(IsDns1123Subdomain("a-b.c0"));
  EXPECT_FALSE(IsDns1123Subdomain("Test.com"));
  EXPECT_FALSE(IsDns1123Subdomain("-a.com"));
  EXPECT_FALSE(IsDns1123Subdomain("a..com"));
  EXPECT_FALSE(IsDns1123Subdomain("*.com"));
  EXPECT_FALSE(IsDns1123Subdomain(""));
  EXPECT_FALSE(IsDns1123Subdomain(std::string(254, 'a')));
}

struct Cert {
  std::string cn;
  std::vector<std::string> dns;
  std::vector<std::string> ips;
  std::vector<std::string> explicit_names;
};

// Mirrors kube's TestBuiltNamedCertificates: expected name → index.
std::map<std::string, size_t> Build(const std::vector<Cert>& certs) {
  std::vector<testing::TestCert> made;
  std::vector<NamedCertificateInput> inputs;
  for (const Cert& c : certs) {
    auto cert = testing::MakeServerCert(c.cn, c.dns, c.ips);
    EXPECT_THAT(cert, IsOk());
    made.push_back(*std::move(cert));
  }
  for (size_t i = 0; i < certs.size(); ++i) inputs.push_back({made[i].cert.get(), certs[i].explicit_names});
  auto map = BuildNameToIndex(inputs);
  return std::map<std::string, size_t>(map.begin(), map.end());
}

using Expected = std::map<std::string, size_t>;

TEST(NamedCertificatesTest, BuiltNamedCertificatesCases) {
  EXPECT_THAT(Build({}), IsEmpty());
  // Only one cert: CN and SANs.
  EXPECT_EQ(Build({{"test.com", {"a.test.com"}, {}, {}}}), (Expected{{"test.com", 0}, {"a.test.com", 0}}));
  // IP CN and IP SANs are ignored.
  EXPECT_EQ(Build({{"1.2.3.4", {}, {"1.2.3.4"}, {}}}), Expected{});
  // Invalid CN ignored, SAN kept.
  EXPECT_EQ(Build({{"not a domain", {"ok.com"}, {}, {}}}), (Expected{{"ok.com", 0}}));
  // "*" CN and wildcard CN are names.
  EXPECT_EQ(Build({{"*", {}, {}, {}}}), (Expected{{"*", 0}}));
  EXPECT_EQ(Build({{"*.test.com", {}, {}, {}}}), (Expected{{"*.test.com", 0}}));
  // Same extracted name twice: the first wins.
  EXPECT_EQ(Build({{"test.com", {}, {}, {}}, {"test.com", {}, {}, {}}}), (Expected{{"test.com", 0}}));
  // Explicit names trump extracted ones, even from a later certificate; explicit names replace the cert's own.
  EXPECT_EQ(Build({{"test.com", {}, {}, {}}, {"other.com", {}, {}, {"test.com"}}}), (Expected{{"test.com", 1}}));
  // Explicit names, first wins; IPs allowed (normalized).
  EXPECT_EQ(Build({{"a", {}, {}, {"x.com", "::0:1"}}, {"b", {}, {}, {"x.com"}}}), (Expected{{"x.com", 0}, {"::1", 0}}));
  // Names are case-insensitive.
  EXPECT_EQ(Build({{"c", {}, {}, {"Upper.COM"}}}), (Expected{{"upper.com", 0}}));
}

TEST(CertificateSnapshotTest, SelectionRules) {
  auto make = [](const std::string& cn, std::vector<std::string> dns = {}) {
    auto cert = testing::MakeServerCert(cn, std::move(dns));
    EXPECT_THAT(cert, IsOk());
    auto key = ParseCertKey(cert->cert_pem, cert->key_pem, cn, cn);
    EXPECT_THAT(key, IsOk());
    return *std::move(key);
  };
  auto def = make("default");
  std::vector<SniCertificate> sni = {{make("*.test.com"), {}}, {make("single"), {}}, {make("byip"), {"10.0.0.1"}}};
  auto snapshot = CertificateSnapshot::Build(def, sni, nullptr, nullptr, 7);
  EXPECT_EQ(snapshot->generation(), 7u);
  auto cn = [&](absl::string_view name, absl::string_view ip) {
    const CertKey* c = snapshot->Select(name, ip);
    return c == nullptr ? std::string("null") : testing::CommonNameOf(c->leaf.get());
  };
  EXPECT_EQ(cn("www.test.com", ""), "*.test.com");
  EXPECT_EQ(cn("WWW.Test.Com", ""), "*.test.com");
  EXPECT_EQ(cn("test.com", ""), "default");
  EXPECT_EQ(cn("single", ""), "single");
  EXPECT_EQ(cn("", "10.0.0.1"), "byip");
  EXPECT_EQ(cn("", "10.0.0.2"), "default");
  // An IP sent as SNI (Go clients never do) is looked up like any name, as Go's server does.
  EXPECT_EQ(cn("10.0.0.1", ""), "byip");
  EXPECT_EQ(cn("10.0.0.2", "10.0.0.1"), "default");  // with SNI, the local IP is not consulted

  EXPECT_EQ(CertificateSnapshot::Build(nullptr, {}, nullptr, nullptr, 1)->Select("x", ""), nullptr);
}

}  // namespace
}  // namespace apiserve::tls
