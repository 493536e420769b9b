// Request-header authentication end to end over a real TLS handshake (BoringSSL client and server over an
// in-memory BIO pair): certificates made with tls/x509_builder, the server's tls::ServerContext configured with a
// client CA and a request-header (front-proxy) CA, tls::InspectClientCertificate filling the connection, then the
// authenticator kube-apiserver's flags build (auth::BuildFromFlags).
#include <memory>
#include <string>

#include "auth/build.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/testing.h"
#include "tls/handshake_info.h"
#include "tls/server_context.h"
#include "tls/test_certs.h"
#include "tls/test_handshake.h"

namespace apiserve::auth {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

class RequestHeaderTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto client_ca = tls::testing::MakeCa("client-ca");
    auto front_proxy_ca = tls::testing::MakeCa("front-proxy-ca");
    auto serving = tls::testing::MakeServerCert("localhost", {"localhost"});
    ASSERT_THAT(client_ca, IsOk());
    ASSERT_THAT(front_proxy_ca, IsOk());
    ASSERT_THAT(serving, IsOk());
    client_ca_ = *std::move(client_ca);
    front_proxy_ca_ = *std::move(front_proxy_ca);

    tls::TlsOptions tls_options;
    tls_options.cert_file = dir_.Write("serving.crt", serving->cert_pem);
    tls_options.key_file = dir_.Write("serving.key", serving->key_pem);
    tls_options.client_ca_file = dir_.Write("client-ca.crt", client_ca_.cert_pem);
    tls_options.requestheader_client_ca_file = dir_.Write("front-proxy-ca.crt", front_proxy_ca_.cert_pem);
    tls_options.watch_files = false;
    auto context = tls::ServerContext::Create(tls_options);
    ASSERT_THAT(context, IsOk());
    tls_ = *std::move(context);

    // kube-apiserver's flags for an extension server behind the aggregator.
    AuthOptions options;
    options.client_ca_configured = true;
    options.anonymous_auth = true;
    options.request_header = RequestHeaderConfig::DelegatingDefaults();
    options.request_header.client_ca_file = tls_options.requestheader_client_ca_file;
    options.request_header.uid_headers = {"X-Remote-Uid"};
    options.request_header.allowed_names = {"front-proxy-client"};
    absl::StatusOr<AuthConfig> config = BuildFromFlags(options);
    ASSERT_THAT(config, IsOk());
    config_ = *std::move(config);
  }

  tls::testing::TestCert ClientCert(const std::string& cn, const tls::testing::TestCert& issuer) {
    tls::CertificateTemplate spec = tls::testing::Template(cn);
    spec.organizations = {"cert-group"};
    spec.client_auth = true;
    auto cert = tls::testing::MakeCert(spec, &issuer);
    EXPECT_THAT(cert, IsOk());
    return *std::move(cert);
  }

  // Request handshakes as `client_cert` (null: none) and returns a request on that connection carrying the
  // aggregator's identity headers.
  http::RequestPtr Request(const tls::testing::TestCert* client_cert) {
    tls::testing::HandshakeResult handshake = tls::testing::Handshake(*tls_, {.client_cert = client_cert});
    EXPECT_TRUE(handshake.ok);
    auto connection = std::make_shared<http::ConnectionInfo>();
    tls::InspectClientCertificate(handshake.server.get(), connection.get());
    http::RequestPtr request = http::NewRequest("GET", "/apis/notes.example.io/v1/notes");
    request->connection = std::move(connection);
    request->headers.Add("X-Remote-User", "alice");
    request->headers.Add("X-Remote-Uid", "1001");
    request->headers.Add("X-Remote-Group", "dev");
    request->headers.Add("X-Remote-Extra-Scopes", "view");
    return request;
  }

  tls::testing::TempDir dir_;
  tls::testing::TestCert client_ca_;
  tls::testing::TestCert front_proxy_ca_;
  std::unique_ptr<tls::ServerContext> tls_;
  AuthConfig config_;
};

TEST_F(RequestHeaderTlsTest, FrontProxyCertificateWithAnAllowedNameAuthenticatesTheHeaders) {
  tls::testing::TestCert proxy = ClientCert("front-proxy-client", front_proxy_ca_);
  absl::StatusOr<UserPtr> user = config_.authenticator->Authenticate(*Request(&proxy));
  ASSERT_THAT(user, IsOk());
  EXPECT_EQ((*user)->name, "alice");
  EXPECT_EQ((*user)->uid, "1001");
  EXPECT_THAT((*user)->groups, ElementsAre("dev", "system:authenticated"));
  EXPECT_THAT((*user)->extra, ElementsAre(Pair("scopes", ElementsAre("view"))));
  ASSERT_NE(config_.request_header_config, nullptr);
  ASSERT_NE(config_.request_header_config->Current(), nullptr);
  EXPECT_THAT(config_.request_header_config->Current()->username_headers, ElementsAre("X-Remote-User"));
}

TEST_F(RequestHeaderTlsTest, FrontProxyCertificateWithAnotherNameIsRejected) {
  tls::testing::TestCert other = ClientCert("someone-else", front_proxy_ca_);
  // Not allowed to assert identities, and not a client-CA user either: 401, never anonymous.
  EXPECT_THAT(config_.authenticator->Authenticate(*Request(&other)),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("x509: subject with cn=someone-else is not in the allowed list")));
}

TEST_F(RequestHeaderTlsTest, ClientCaCertificateIgnoresTheHeaders) {
  tls::testing::TestCert bob = ClientCert("bob", client_ca_);
  // The headers are not trusted: the x509 authenticator names the user from the certificate.
  absl::StatusOr<UserPtr> user = config_.authenticator->Authenticate(*Request(&bob));
  ASSERT_THAT(user, IsOk());
  EXPECT_EQ((*user)->name, "bob");
  EXPECT_THAT((*user)->groups, ElementsAre("cert-group", "system:authenticated"));
}

TEST_F(RequestHeaderTlsTest, NoCertificateIgnoresTheHeaders) {
  absl::StatusOr<UserPtr> user = config_.authenticator->Authenticate(*Request(nullptr));
  ASSERT_THAT(user, IsOk());
  EXPECT_EQ((*user)->name, "system:anonymous");
}

}  // namespace
}  // namespace apiserve::auth
