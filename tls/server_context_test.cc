#include "tls/server_context.h"

#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/poll_until.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tls/handshake_info.h"
#include "tls/test_certs.h"
#include "tls/test_handshake.h"

namespace apiserve::tls {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using testing::ClientOptions;
using ::testing::ElementsAre;
using testing::Handshake;
using testing::HandshakeResult;
using ::testing::HasSubstr;
using testing::MakeCa;
using testing::MakeCert;
using testing::MakeServerCert;
using ::testing::StartsWith;
using testing::TempDir;
using testing::TestCert;

class ServerContextTest : public ::testing::Test {
 protected:
  // WritePair writes `cert` as <name>.crt/<name>.key and returns {cert path, key path}.
  std::pair<std::string, std::string> WritePair(const std::string& name, const TestCert& cert) {
    return {dir_.Write(name + ".crt", cert.cert_pem), dir_.Write(name + ".key", cert.key_pem)};
  }

  TlsOptions DefaultOptions(const std::string& cn = "default") {
    auto cert = MakeServerCert(cn, {"localhost"});
    EXPECT_THAT(cert, IsOk());
    auto [crt, key] = WritePair(cn, *cert);
    TlsOptions options;
    options.cert_file = crt;
    options.key_file = key;
    options.watch_files = false;
    return options;
  }

  std::unique_ptr<ServerContext> MustCreate(const TlsOptions& options) {
    auto context = ServerContext::Create(options);
    EXPECT_THAT(context, IsOk());
    return context.ok() ? *std::move(context) : nullptr;
  }

  void AddSni(TlsOptions& options, const std::string& file_name, const std::string& cn,
              std::vector<std::string> dns = {}, std::vector<std::string> explicit_names = {},
              std::vector<std::string> ips = {}) {
    auto cert = MakeServerCert(cn, std::move(dns), std::move(ips));
    ASSERT_THAT(cert, IsOk());
    auto [crt, key] = WritePair(file_name, *cert);
    options.sni_cert_keys.push_back({crt, key, std::move(explicit_names)});
  }

  TempDir dir_;
};

// --- ALPN and versions ---

TEST_F(ServerContextTest, AlpnPrefersH2ThenHttp11AndAcceptsNoAlpn) {
  auto context = MustCreate(DefaultOptions());
  ASSERT_NE(context, nullptr);
  HandshakeResult both = Handshake(*context, {.alpn = {"http/1.1", "h2"}});
  ASSERT_TRUE(both.ok);
  EXPECT_EQ(NegotiatedAlpn(both.server.get()), "h2");
  EXPECT_TRUE(testing::ExchangeData(both, "ping"));

  HandshakeResult http11 = Handshake(*context, {.alpn = {"http/1.1"}});
  ASSERT_TRUE(http11.ok);
  EXPECT_EQ(NegotiatedAlpn(http11.server.get()), "http/1.1");

  HandshakeResult none = Handshake(*context, {});
  ASSERT_TRUE(none.ok);
  EXPECT_EQ(NegotiatedAlpn(none.server.get()), "");
  EXPECT_EQ(context->handshake_errors().Total(), 0u);
}

TEST_F(ServerContextTest, AlpnMismatchIsRejectedAndCounted) {
  auto context = MustCreate(DefaultOptions());
  ASSERT_NE(context, nullptr);
  HandshakeResult result = Handshake(*context, {.alpn = {"spdy/3", "acme-tls/1"}});
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.server_error.kind, HandshakeErrorKind::kNoApplicationProtocol) << result.server_error.detail;
  EXPECT_EQ(context->handshake_errors().Count(HandshakeErrorKind::kNoApplicationProtocol), 1u);
}

TEST_F(ServerContextTest, DisabledHttp2NegotiatesOnlyHttp11) {
  TlsOptions options = DefaultOptions();
  options.disable_http2 = true;
  auto context = MustCreate(options);
  ASSERT_NE(context, nullptr);
  EXPECT_FALSE(context->http2_enabled());
  HandshakeResult result = Handshake(*context, {.alpn = {"h2", "http/1.1"}});
  ASSERT_TRUE(result.ok);
  EXPECT_EQ(NegotiatedAlpn(result.server.get()), "http/1.1");
  EXPECT_FALSE(Handshake(*context, {.alpn = {"h2"}}).ok);
}

TEST_F(ServerContextTest, VersionFloorAndVersionStrings) {
  auto context = MustCreate(DefaultOptions());
  ASSERT_NE(context, nullptr);
  HandshakeResult tls13 = Handshake(*context, {});
  ASSERT_TRUE(tls13.ok);
  EXPECT_EQ(VersionString(tls13.server.get()), "TLSv1.3");
  HandshakeResult tls12 = Handshake(*context, {.max_version = TLS1_2_VERSION});
  ASSERT_TRUE(tls12.ok);
  EXPECT_EQ(VersionString(tls12.server.get()), "TLSv1.2");

  HandshakeResult old = Handshake(*context, {.max_version = TLS1_1_VERSION});
  EXPECT_FALSE(old.ok);
  EXPECT_EQ(old.server_error.kind, HandshakeErrorKind::kUnsupportedVersion) << old.server_error.detail;
  EXPECT_EQ(context->handshake_errors().Count(HandshakeErrorKind::kUnsupportedVersion), 1u);
}

// By default the server accepts every curve Go's does: a TLS 1.3 client offering only one of them gets it for the key
// exchange. (Over TLS 1.2 a BoringSSL client also requires the certificate's own curve among the offered ones, so a
// P-256-only offer is the TLS 1.2 case.)
TEST_F(ServerContextTest, AcceptsEveryCurveGoAccepts) {
  auto context = MustCreate(DefaultOptions());
  ASSERT_NE(context, nullptr);
  const std::pair<int, uint16_t> curves[] = {{NID_X25519, SSL_CURVE_X25519},
                                             {NID_X9_62_prime256v1, SSL_CURVE_SECP256R1},
                                             {NID_secp384r1, SSL_CURVE_SECP384R1},
                                             {NID_secp521r1, SSL_CURVE_SECP521R1}};
  for (const auto& [nid, curve_id] : curves) {
    HandshakeResult r = Handshake(*context, {.max_version = TLS1_3_VERSION, .curve_nids = {nid}});
    ASSERT_TRUE(r.ok) << OBJ_nid2sn(nid) << ": " << r.server_error.detail;
    EXPECT_EQ(SSL_get_curve_id(r.server.get()), curve_id) << OBJ_nid2sn(nid);
  }
  HandshakeResult tls12 = Handshake(*context, {.max_version = TLS1_2_VERSION, .curve_nids = {NID_X9_62_prime256v1}});
  EXPECT_TRUE(tls12.ok) << tls12.server_error.detail;
}

TEST_F(ServerContextTest, MinVersion13RejectsTls12Clients) {
  TlsOptions options = DefaultOptions();
  options.min_version = "VersionTLS13";
  auto context = MustCreate(options);
  ASSERT_NE(context, nullptr);
  EXPECT_EQ(Handshake(*context, {.max_version = TLS1_2_VERSION}).server_error.kind,
            HandshakeErrorKind::kUnsupportedVersion);
}

TEST_F(ServerContextTest, ConfiguredCipherSuitesApplyToTls12) {
  TlsOptions options = DefaultOptions();
  options.cipher_suites = {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"};
  auto context = MustCreate(options);
  ASSERT_NE(context, nullptr);
  HandshakeResult ok = Handshake(*context, {.max_version = TLS1_2_VERSION});
  ASSERT_TRUE(ok.ok);
  EXPECT_STREQ(SSL_CIPHER_standard_name(SSL_get_current_cipher(ok.server.get())),
               "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
  HandshakeResult no_shared =
      Handshake(*context, {.max_version = TLS1_2_VERSION, .cipher_list = "ECDHE-ECDSA-CHACHA20-POLY1305"});
  EXPECT_EQ(no_shared.server_error.kind, HandshakeErrorKind::kNoSharedCipher) << no_shared.server_error.detail;
}

TEST_F(ServerContextTest, InvalidOptionsAreRejectedByCreate) {
  TlsOptions options = DefaultOptions();
  options.min_version = "VersionTLS99";
  options.cipher_suites = {"TLS_FOO"};
  EXPECT_THAT(ServerContext::Create(options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "[unknown tls version \"VersionTLS99\", Cipher suite TLS_FOO not supported or doesn't exist]"));
}

TEST_F(ServerContextTest, GarbageIsClassifiedAsNotTls) {
  auto context = MustCreate(DefaultOptions());
  ASSERT_NE(context, nullptr);
  HandshakeResult http = Handshake(*context, {.garbage = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"});
  EXPECT_FALSE(http.ok);
  EXPECT_EQ(http.server_error.kind, HandshakeErrorKind::kNotTls) << http.server_error.detail;
  HandshakeResult closed = Handshake(*context, {.garbage = std::string("\x16\x03\x01", 3)});
  EXPECT_FALSE(closed.ok);
  EXPECT_EQ(closed.server_error.kind, HandshakeErrorKind::kConnectionClosed) << closed.server_error.detail;
  EXPECT_EQ(context->handshake_errors().Total(), 2u);
}

TEST_F(ServerContextTest, NoCertificateAtAllFailsTheHandshake) {
  TlsOptions options;
  options.generate_self_signed = false;
  options.watch_files = false;
  auto context = MustCreate(options);
  ASSERT_NE(context, nullptr);
  HandshakeResult result = Handshake(*context, {});
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.server_error.kind, HandshakeErrorKind::kNoCertificate) << result.server_error.detail;
}

// --- Certificates: self-signed default and bad files ---

TEST_F(ServerContextTest, SelfSignedInCertDirServesLocalhost) {
  TlsOptions options;
  options.watch_files = false;
  options.self_signed.cert_directory = dir_.Join("certs");
  auto context = MustCreate(options);
  ASSERT_NE(context, nullptr);
  HandshakeResult result = Handshake(*context, {.server_name = "localhost"});
  ASSERT_TRUE(result.ok);
  EXPECT_THAT(result.served_common_name, StartsWith("localhost@"));
  EXPECT_TRUE(access(dir_.Join("certs/apiserver.crt").c_str(), R_OK) == 0);
}

TEST_F(ServerContextTest, BadFilesNameTheFile) {
  auto good = MakeServerCert("good");
  auto other = MakeServerCert("other");
  ASSERT_THAT(good, IsOk());
  ASSERT_THAT(other, IsOk());
  const std::string crt = dir_.Write("good.crt", good->cert_pem);
  const std::string key = dir_.Write("good.key", good->key_pem);
  const std::string other_key = dir_.Write("other.key", other->key_pem);
  const std::string empty = dir_.Write("empty.pem", "");
  const std::string garbage = dir_.Write("garbage.pem", "not a pem file\n");
  const std::string missing = dir_.Join("missing.crt");

  auto create = [](const std::string& c, const std::string& k) {
    TlsOptions options;
    options.cert_file = c;
    options.key_file = k;
    options.watch_files = false;
    return ServerContext::Create(options).status();
  };
  EXPECT_THAT(create(missing, key),
              StatusIs(absl::StatusCode::kNotFound, absl::StrCat("open ", missing, ": No such file or directory")));
  EXPECT_THAT(create(empty, key), StatusIs(absl::StatusCode::kInvalidArgument,
                                           absl::StrCat("missing content for serving cert \"", empty, "\"")));
  EXPECT_THAT(create(crt, empty), StatusIs(absl::StatusCode::kInvalidArgument,
                                           absl::StrCat("missing content for serving key \"", empty, "\"")));
  EXPECT_THAT(create(garbage, key),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith(absl::StrCat("failed to parse certificate from \"", garbage, "\": "))));
  EXPECT_THAT(create(crt, garbage),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith(absl::StrCat("failed to parse private key from \"", garbage, "\": "))));
  EXPECT_THAT(create(crt, other_key), StatusIs(absl::StatusCode::kInvalidArgument,
                                               absl::StrCat("certificate \"", crt, "\" and private key \"", other_key,
                                                            "\" do not match: KEY_VALUES_MISMATCH")));
  EXPECT_THAT(create(crt, ""), StatusIs(absl::StatusCode::kInvalidArgument,
                                        "--tls-cert-file and --tls-private-key-file must be specified together"));

  // One of the pair in the cert dir.
  TlsOptions options;
  options.watch_files = false;
  options.self_signed.cert_directory = dir_.path();
  dir_.Write("apiserver.crt", good->cert_pem);
  EXPECT_THAT(
      ServerContext::Create(options).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, absl::StrCat("error reading ", dir_.Join("apiserver.key"),
                                                                ", certificate and key must be supplied as a pair")));
}

// --- SNI (reference §4.3, kube's TestServerRunWithSNI) ---

TEST_F(ServerContextTest, SniOnlyOneCertServesItForAnyName) {
  auto context = MustCreate(DefaultOptions("default"));
  ASSERT_NE(context, nullptr);
  EXPECT_EQ(Handshake(*context, {.server_name = "anything.example"}).served_common_name, "default");
  EXPECT_EQ(Handshake(*context, {}).served_common_name, "default");
}

TEST_F(ServerContextTest, SniCertWithSameNameAsDefaultWins) {
  TlsOptions options = DefaultOptions("test.com");
  AddSni(options, "sni", "test.com", {"test.com"});
  auto context = MustCreate(options);
  ASSERT_NE(context, nullptr);
  HandshakeResult result = Handshake(*context, {.server_name = "test.com"});
  ASSERT_TRUE(result.ok);
  // Both are CN test.com: tell them apart by the served chain's key.
  bssl::UniquePtr<X509> served(SSL_get_peer_certificate(result.client.get()));
  const auto snapshot = context->certificates().Current();
  EXPECT_EQ(X509_cmp(served.get(), snapshot->sni()[0].cert->leaf.get()), 0);
  EXPECT_EQ(ServerName(result.server.get()), "test.com");
}

TEST_F(ServerContextTest, SniPrecedence) {
  TlsOptions options = DefaultOptions("default");
  AddSni(options, "a", "a.test.com", {"alt-a.test.com"});                            // names from CN and SAN
  AddSni(options, "explicit", "ignored.test.com", {}, {"b.test.com", "127.0.0.2"});  // explicit names only
  AddSni(options, "b", "b.test.com");  // loses b.test.com to the explicit one
  AddSni(options, "wild", "*.wild.com");
  AddSni(options, "a2", "a.test.com");                       // later duplicate loses
  AddSni(options, "ip", "10.0.0.9", {}, {}, {"127.0.0.1"});  // IP CN and IP SAN: no names
  auto context = MustCreate(options);
  ASSERT_NE(context, nullptr);
  auto served = [&](std::string name, std::string local_ip = "") {
    return Handshake(*context, {.server_name = std::move(name), .local_ip = std::move(local_ip)}).served_common_name;
  };
  EXPECT_EQ(served("a.test.com"), "a.test.com");
  EXPECT_EQ(served("ALT-A.test.com"), "a.test.com");
  EXPECT_EQ(served("b.test.com"), "ignored.test.com");
  EXPECT_EQ(served("ignored.test.com"), "default");  // explicit names replace the certificate's own
  EXPECT_EQ(served("www.wild.com"), "*.wild.com");
  EXPECT_EQ(served("a.b.wild.com"), "default");  // one level only
  EXPECT_EQ(served("unknown.com"), "default");
  EXPECT_EQ(served("10.0.0.9"), "default");
  // No SNI: the local IP picks a certificate only through explicit names.
  EXPECT_EQ(served("", "127.0.0.2"), "ignored.test.com");
  EXPECT_EQ(served("", "127.0.0.1"), "default");
  EXPECT_EQ(served(""), "default");
}

TEST_F(ServerContextTest, WithoutDefaultTheFirstSniCertIsTheFallback) {
  TlsOptions options;
  options.watch_files = false;
  options.generate_self_signed = false;
  AddSni(options, "first", "first.com");
  AddSni(options, "second", "second.com");
  auto context = MustCreate(options);
  ASSERT_NE(context, nullptr);
  EXPECT_EQ(Handshake(*context, {.server_name = "second.com"}).served_common_name, "second.com");
  EXPECT_EQ(Handshake(*context, {.server_name = "other.com"}).served_common_name, "first.com");
  EXPECT_EQ(Handshake(*context, {}).served_common_name, "first.com");
}

// --- Client certificates ---

class ClientCaTest : public ServerContextTest {
 protected:
  void SetUp() override {
    auto ca = MakeCa("client-ca");
    ASSERT_THAT(ca, IsOk());
    ca_ = *std::move(ca);
    options_ = DefaultOptions();
    options_.client_ca_file = dir_.Write("ca.crt", ca_.cert_pem);
  }
  TestCert ClientCert(const std::string& cn, const TestCert* issuer) {
    CertificateTemplate spec = testing::Template(cn, {"client.example"}, {"10.1.2.3"});
    spec.organizations = {"system:masters", "dev"};
    spec.emails = {"alice@example.com"};
    spec.uris = {"spiffe://cluster/alice"};
    spec.client_auth = true;
    auto cert = MakeCert(spec, issuer);
    EXPECT_THAT(cert, IsOk());
    return *std::move(cert);
  }
  TestCert ca_;
  TlsOptions options_;
};

TEST_F(ClientCaTest, VerifiedIdentity) {
  auto context = MustCreate(options_);
  ASSERT_NE(context, nullptr);
  TestCert alice = ClientCert("alice", &ca_);
  HandshakeResult result = Handshake(*context, {.client_cert = &alice});
  ASSERT_TRUE(result.ok);
  EXPECT_THAT(result.client_ca_names, ElementsAre("client-ca"));
  ClientCertificateResult verified = VerifyPeerCertificate(result.server.get());
  EXPECT_TRUE(verified.presented);
  EXPECT_EQ(verified.error, "");
  ASSERT_TRUE(verified.identity.has_value());
  EXPECT_EQ(verified.identity->common_name, "alice");
  EXPECT_THAT(verified.identity->organizations, ElementsAre("system:masters", "dev"));
  EXPECT_THAT(verified.identity->dns_names, ElementsAre("client.example"));
  EXPECT_THAT(verified.identity->ip_addresses, ElementsAre("10.1.2.3"));
  EXPECT_THAT(verified.identity->emails, ElementsAre("alice@example.com"));
  EXPECT_THAT(verified.identity->uris, ElementsAre("spiffe://cluster/alice"));
}

TEST_F(ClientCaTest, ChainThroughIntermediate) {
  CertificateTemplate spec = testing::Template("intermediate");
  spec.is_ca = true;
  auto intermediate = MakeCert(spec, &ca_);
  ASSERT_THAT(intermediate, IsOk());
  TestCert bob = ClientCert("bob", &*intermediate);
  auto context = MustCreate(options_);
  ASSERT_NE(context, nullptr);
  HandshakeResult result = Handshake(*context, {.client_cert = &bob, .client_chain = &*intermediate});
  ASSERT_TRUE(result.ok);
  ClientCertificateResult verified = VerifyPeerCertificate(result.server.get());
  ASSERT_TRUE(verified.identity.has_value()) << verified.error;
  EXPECT_EQ(verified.identity->common_name, "bob");
}

TEST_F(ClientCaTest, UntrustedCertificateCompletesHandshakeButFailsVerification) {
  auto other_ca = MakeCa("other-ca");
  ASSERT_THAT(other_ca, IsOk());
  TestCert mallory = ClientCert("mallory", &*other_ca);
  auto context = MustCreate(options_);
  ASSERT_NE(context, nullptr);
  HandshakeResult result = Handshake(*context, {.client_cert = &mallory});
  ASSERT_TRUE(result.ok);
  ClientCertificateResult verified = VerifyPeerCertificate(result.server.get());
  EXPECT_TRUE(verified.presented);
  EXPECT_FALSE(verified.identity.has_value());
  EXPECT_EQ(verified.error, "verifying certificate CN=\"mallory\" failed: unable to get local issuer certificate");
}

TEST_F(ClientCaTest, NoClientCertificateIsAllowed) {
  auto context = MustCreate(options_);
  ASSERT_NE(context, nullptr);
  HandshakeResult result = Handshake(*context, {});
  ASSERT_TRUE(result.ok);
  ClientCertificateResult verified = VerifyPeerCertificate(result.server.get());
  EXPECT_FALSE(verified.presented);
  EXPECT_FALSE(verified.identity.has_value());
  EXPECT_EQ(verified.error, "");
}

TEST_F(ClientCaTest, WithoutClientCaNoCertificateIsRequested) {
  options_.client_ca_file.clear();
  auto context = MustCreate(options_);
  ASSERT_NE(context, nullptr);
  TestCert alice = ClientCert("alice", &ca_);
  HandshakeResult result = Handshake(*context, {.client_cert = &alice});
  ASSERT_TRUE(result.ok);
  EXPECT_TRUE(result.client_ca_names.empty());
  EXPECT_FALSE(VerifyPeerCertificate(result.server.get()).presented);
}

TEST_F(ClientCaTest, ReloadedBundleChangesAdvertisedNamesAndVerification) {
  auto context = MustCreate(options_);
  ASSERT_NE(context, nullptr);
  auto new_ca = MakeCa("new-ca");
  ASSERT_THAT(new_ca, IsOk());
  TestCert carol = ClientCert("carol", &*new_ca);
  EXPECT_FALSE(VerifyPeerCertificate(Handshake(*context, {.client_cert = &carol}).server.get()).identity);

  dir_.Write("ca.crt", absl::StrCat(ca_.cert_pem, new_ca->cert_pem));
  ASSERT_THAT(context->certificates().Reload(), IsOk());
  HandshakeResult result = Handshake(*context, {.client_cert = &carol});
  ASSERT_TRUE(result.ok);
  EXPECT_THAT(result.client_ca_names, ElementsAre("client-ca", "new-ca"));
  EXPECT_TRUE(VerifyPeerCertificate(result.server.get()).identity.has_value());
}

// --- Request-header (front-proxy) CA ---

TEST_F(ClientCaTest, RequestHeaderCaIsAdvertisedAndVerifiedSeparately) {
  auto front_proxy_ca = MakeCa("front-proxy-ca");
  ASSERT_THAT(front_proxy_ca, IsOk());
  // The same CA in both files is advertised once.
  options_.requestheader_client_ca_file =
      dir_.Write("front-proxy-ca.crt", absl::StrCat(front_proxy_ca->cert_pem, ca_.cert_pem));
  auto context = MustCreate(options_);
  ASSERT_NE(context, nullptr);

  TestCert proxy = ClientCert("front-proxy-client", &*front_proxy_ca);
  HandshakeResult result = Handshake(*context, {.client_cert = &proxy});
  ASSERT_TRUE(result.ok);
  EXPECT_THAT(result.client_ca_names, ElementsAre("client-ca", "front-proxy-ca"));
  http::ConnectionInfo info;
  InspectClientCertificate(result.server.get(), &info);
  ASSERT_TRUE(info.requestheader_client_certificate.has_value()) << info.requestheader_client_certificate_error;
  EXPECT_EQ(info.requestheader_client_certificate->common_name, "front-proxy-client");
  EXPECT_EQ(info.requestheader_client_certificate_error, "");
  EXPECT_FALSE(info.client_certificate.has_value());
  EXPECT_EQ(info.client_certificate_error,
            "verifying certificate CN=\"front-proxy-client\" failed: unable to get local issuer certificate");

  TestCert alice = ClientCert("alice", &ca_);  // the client CA is in both bundles here
  HandshakeResult as_alice = Handshake(*context, {.client_cert = &alice});
  ASSERT_TRUE(as_alice.ok);
  http::ConnectionInfo alice_info;
  InspectClientCertificate(as_alice.server.get(), &alice_info);
  ASSERT_TRUE(alice_info.client_certificate.has_value());
  EXPECT_EQ(alice_info.client_certificate->common_name, "alice");
  EXPECT_THAT(alice_info.client_certificate->organizations, ElementsAre("system:masters", "dev"));
  EXPECT_THAT(alice_info.client_certificate->uris, ElementsAre("spiffe://cluster/alice"));
  EXPECT_TRUE(alice_info.requestheader_client_certificate.has_value());
}

TEST_F(ClientCaTest, RequestHeaderCaAloneRequestsCertificates) {
  auto front_proxy_ca = MakeCa("front-proxy-ca");
  ASSERT_THAT(front_proxy_ca, IsOk());
  options_.client_ca_file.clear();
  options_.requestheader_client_ca_file = dir_.Write("front-proxy-ca.crt", front_proxy_ca->cert_pem);
  auto context = MustCreate(options_);
  ASSERT_NE(context, nullptr);

  TestCert alice = ClientCert("alice", &ca_);
  HandshakeResult result = Handshake(*context, {.client_cert = &alice});
  ASSERT_TRUE(result.ok);
  EXPECT_THAT(result.client_ca_names, ElementsAre("front-proxy-ca"));
  http::ConnectionInfo info;
  InspectClientCertificate(result.server.get(), &info);
  EXPECT_FALSE(info.client_certificate.has_value());  // no client CA: the x509 fields stay empty
  EXPECT_EQ(info.client_certificate_error, "");
  EXPECT_FALSE(info.requestheader_client_certificate.has_value());
  EXPECT_EQ(info.requestheader_client_certificate_error,
            "verifying certificate CN=\"alice\" failed: unable to get local issuer certificate");

  HandshakeResult anonymous = Handshake(*context, {});
  ASSERT_TRUE(anonymous.ok);
  http::ConnectionInfo anonymous_info;
  InspectClientCertificate(anonymous.server.get(), &anonymous_info);
  EXPECT_FALSE(anonymous_info.requestheader_client_certificate.has_value());
  EXPECT_EQ(anonymous_info.requestheader_client_certificate_error, "");
}

TEST_F(ClientCaTest, RequestHeaderCaReloads) {
  auto front_proxy_ca = MakeCa("front-proxy-ca");
  auto rotated_ca = MakeCa("rotated-front-proxy-ca");
  ASSERT_THAT(front_proxy_ca, IsOk());
  ASSERT_THAT(rotated_ca, IsOk());
  options_.requestheader_client_ca_file = dir_.Write("front-proxy-ca.crt", front_proxy_ca->cert_pem);
  auto context = MustCreate(options_);
  ASSERT_NE(context, nullptr);
  TestCert proxy = ClientCert("front-proxy-client", &*rotated_ca);
  EXPECT_FALSE(VerifyRequestHeaderCertificate(Handshake(*context, {.client_cert = &proxy}).server.get()).identity);

  dir_.Write("front-proxy-ca.crt", rotated_ca->cert_pem);
  ASSERT_THAT(context->certificates().Reload(), IsOk());
  HandshakeResult result = Handshake(*context, {.client_cert = &proxy});
  ASSERT_TRUE(result.ok);
  EXPECT_THAT(result.client_ca_names, ElementsAre("client-ca", "rotated-front-proxy-ca"));
  EXPECT_TRUE(VerifyRequestHeaderCertificate(result.server.get()).identity.has_value());
}

// --- Reload ---

TEST_F(ServerContextTest, WatchedReloadServesNewCertWithoutDisturbingOldConnections) {
  TlsOptions options = DefaultOptions("one");
  options.watch_files = true;
  options.reload_check_interval = absl::Seconds(30);  // the inotify path must do it
  options.reload_debounce = absl::Milliseconds(5);
  auto context = MustCreate(options);
  ASSERT_NE(context, nullptr);
  HandshakeResult old = Handshake(*context, {});
  ASSERT_EQ(old.served_common_name, "one");

  auto two = MakeServerCert("two");
  ASSERT_THAT(two, IsOk());
  dir_.Write("one.key", two->key_pem);
  dir_.Write("one.crt", two->cert_pem);
  EXPECT_TRUE(base::PollUntil([&] { return Handshake(*context, {}).served_common_name == "two"; }));
  EXPECT_TRUE(testing::ExchangeData(old, "still here"));

  // A broken file is rejected; the previous certificate keeps serving.
  dir_.Write("one.crt", "garbage");
  EXPECT_THAT(context->certificates().Reload(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("failed to parse certificate from")));
  EXPECT_EQ(Handshake(*context, {}).served_common_name, "two");
}

TEST_F(ServerContextTest, PeriodicCheckReloadsWithoutInotifyEvents) {
  // Files in a directory that does not exist at start cannot be watched; the periodic check still reloads them once
  // they are readable.
  TlsOptions options = DefaultOptions("one");
  options.watch_files = true;
  options.reload_check_interval = absl::Milliseconds(20);
  options.reload_debounce = absl::Milliseconds(1);
  auto context = MustCreate(options);
  ASSERT_NE(context, nullptr);
  auto two = MakeServerCert("two");
  ASSERT_THAT(two, IsOk());
  // Overwrite in place (same inode) — any event or the timer will do.
  dir_.Write("one.key", two->key_pem);
  dir_.Write("one.crt", two->cert_pem);
  EXPECT_TRUE(base::PollUntil([&] { return Handshake(*context, {}).served_common_name == "two"; }));
}

TEST_F(ServerContextTest, KubernetesSymlinkSwapIsDetected) {
  // Kubernetes secret volume layout: tls.crt -> ..data/tls.crt, ..data -> ..v1; an update creates ..v2 and renames
  // a new ..data symlink over the old one.
  auto one = MakeServerCert("one");
  auto two = MakeServerCert("two");
  ASSERT_THAT(one, IsOk());
  ASSERT_THAT(two, IsOk());
  ASSERT_EQ(mkdir(dir_.Join("..v1").c_str(), 0755), 0);
  ASSERT_EQ(mkdir(dir_.Join("..v2").c_str(), 0755), 0);
  dir_.Write("..v1/tls.crt", one->cert_pem);
  dir_.Write("..v1/tls.key", one->key_pem);
  dir_.Write("..v2/tls.crt", two->cert_pem);
  dir_.Write("..v2/tls.key", two->key_pem);
  ASSERT_EQ(symlink("..v1", dir_.Join("..data").c_str()), 0);
  ASSERT_EQ(symlink("..data/tls.crt", dir_.Join("tls.crt").c_str()), 0);
  ASSERT_EQ(symlink("..data/tls.key", dir_.Join("tls.key").c_str()), 0);

  TlsOptions options;
  options.cert_file = dir_.Join("tls.crt");
  options.key_file = dir_.Join("tls.key");
  options.reload_check_interval = absl::Seconds(30);
  options.reload_debounce = absl::Milliseconds(5);
  auto context = MustCreate(options);
  ASSERT_NE(context, nullptr);
  EXPECT_EQ(Handshake(*context, {}).served_common_name, "one");

  ASSERT_EQ(symlink("..v2", dir_.Join("..data_tmp").c_str()), 0);
  ASSERT_EQ(rename(dir_.Join("..data_tmp").c_str(), dir_.Join("..data").c_str()), 0);
  EXPECT_TRUE(base::PollUntil([&] { return Handshake(*context, {}).served_common_name == "two"; }));
}

// --- Session resumption ---

TEST_F(ServerContextTest, TicketsResumeTls13AndTls12AcrossCertificateReloads) {
  auto context = MustCreate(DefaultOptions("one"));
  ASSERT_NE(context, nullptr);
  for (uint16_t version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    SCOPED_TRACE(version);
    HandshakeResult first = Handshake(*context, {.max_version = version});
    ASSERT_TRUE(first.ok);
    EXPECT_FALSE(SessionResumed(first.server.get()));
    ASSERT_NE(first.ticket, nullptr);
    HandshakeResult second = Handshake(*context, {.max_version = version, .session = first.ticket.get()});
    ASSERT_TRUE(second.ok);
    EXPECT_TRUE(SessionResumed(second.server.get()));
  }

  HandshakeResult before = Handshake(*context, {});
  ASSERT_NE(before.ticket, nullptr);
  auto two = MakeServerCert("two");
  ASSERT_THAT(two, IsOk());
  WritePair("one", *two);
  ASSERT_THAT(context->certificates().Reload(), IsOk());
  HandshakeResult after = Handshake(*context, {.session = before.ticket.get()});
  ASSERT_TRUE(after.ok);
  EXPECT_TRUE(SessionResumed(after.server.get()));
}

TEST_F(ServerContextTest, RotatedOutTicketKeyMeansFullHandshake) {
  auto context = MustCreate(DefaultOptions());
  ASSERT_NE(context, nullptr);
  HandshakeResult first = Handshake(*context, {});
  ASSERT_NE(first.ticket, nullptr);
  context->ticket_keys()->RotateNow();  // previous key still decrypts
  HandshakeResult second = Handshake(*context, {.session = first.ticket.get()});
  EXPECT_TRUE(SessionResumed(second.server.get()));
  context->ticket_keys()->RotateNow();
  context->ticket_keys()->RotateNow();  // the first key is gone (2 retained)
  HandshakeResult third = Handshake(*context, {.session = first.ticket.get()});
  ASSERT_TRUE(third.ok);
  EXPECT_FALSE(SessionResumed(third.server.get()));
}

TEST_F(ServerContextTest, TicketsCanBeDisabled) {
  TlsOptions options = DefaultOptions();
  options.session_tickets = false;
  auto context = MustCreate(options);
  ASSERT_NE(context, nullptr);
  EXPECT_EQ(context->ticket_keys(), nullptr);
  HandshakeResult first = Handshake(*context, {.max_version = TLS1_2_VERSION});
  ASSERT_TRUE(first.ok);
  EXPECT_EQ(first.ticket, nullptr);
}

}  // namespace
}  // namespace apiserve::tls
