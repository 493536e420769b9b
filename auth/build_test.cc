// BuildFromFlags composed with chain/filters' WithAuthentication and WithAuthorization: the answers a client sees,
// including the HTTP/2 DoS mitigation's `Connection: close`.
#include "auth/build.h"

#include "base/status_matchers.h"
#include "chain/filters/auth.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/response.h"
#include "http/testing.h"
#include "tls/test_certs.h"

namespace apiserve::auth {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;

constexpr char kUnauthorizedBody[] =
    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"Unauthorized\","
    "\"reason\":\"Unauthorized\",\"code\":401}\n";

class BuildFromFlagsTest : public ::testing::Test {
 protected:
  http::HandlerPtr Chain(AuthOptions options) {
    options.token_auth_file = dir_.Write("tokens.csv", "secret,alice,1001,dev\nroot,admin,0,system:masters\n");
    absl::StatusOr<AuthConfig> config = BuildFromFlags(options);
    EXPECT_THAT(config, IsOk());
    if (!config.ok()) return nullptr;
    http::HandlerPtr ok = http::StaticHandler(http::Shared(http::TextResponse(200, "ok")));
    return chain::WithAuthentication(chain::WithAuthorization(ok, config->authorizer), config->authenticator);
  }

  static http::RequestPtr Request(absl::string_view target, http::Protocol protocol = http::Protocol::kHttp11,
                                  absl::string_view authorization = "", bool bad_cert = false) {
    http::RequestPtr request = http::NewRequest("GET", target);
    request->protocol = protocol;
    if (!authorization.empty()) request->headers.Add("Authorization", authorization);
    auto connection = std::make_shared<http::ConnectionInfo>();
    if (bad_cert) connection->client_certificate_error = "x509: certificate signed by unknown authority";
    request->connection = std::move(connection);
    return request;
  }

  tls::testing::TempDir dir_;
};

TEST_F(BuildFromFlagsTest, BootstrapAnswers) {
  http::HandlerPtr chain = Chain({true, "", absl::Minutes(1), true, {"Bootstrap"}});
  EXPECT_EQ(http::ServeForTest(*chain, Request("/readyz")).status, 200);
  EXPECT_EQ(http::ServeForTest(*chain, Request("/api", http::Protocol::kHttp11, "Bearer secret")).status, 200);
  EXPECT_EQ(http::ServeForTest(*chain, Request("/anything", http::Protocol::kHttp11, "Bearer root")).status, 200);

  http::RecordedResponse forbidden = http::ServeForTest(*chain, Request("/api"));
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(forbidden.body,
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
            "\"forbidden: User \\\"system:anonymous\\\" cannot get path \\\"/api\\\"\",\"reason\":\"Forbidden\","
            "\"details\":{},\"code\":403}\n");
  EXPECT_EQ(http::ServeForTest(*chain, Request("/readyz/etcd")).status, 403);

  http::RecordedResponse bad_token =
      http::ServeForTest(*chain, Request("/readyz", http::Protocol::kHttp11, "Bearer x"));
  EXPECT_EQ(bad_token.status, 401);
  EXPECT_EQ(bad_token.body, kUnauthorizedBody);
  EXPECT_EQ(http::ServeForTest(*chain, Request("/readyz", http::Protocol::kHttp11, "", /*bad_cert=*/true)).status, 401);
}

TEST_F(BuildFromFlagsTest, AnonymousDisabledIs401) {
  http::HandlerPtr chain = Chain({true, "", absl::Minutes(1), false, {"AlwaysAllow"}});
  http::RecordedResponse r = http::ServeForTest(*chain, Request("/readyz"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, kUnauthorizedBody);
  EXPECT_EQ(http::ServeForTest(*chain, Request("/readyz", http::Protocol::kHttp11, "Bearer secret")).status, 200);
}

TEST_F(BuildFromFlagsTest, NoAuthenticatorAndAnonymousDisabledIs401) {
  absl::StatusOr<AuthConfig> config = BuildFromFlags({false, "", absl::Minutes(1), false, {"AlwaysAllow"}});
  ASSERT_THAT(config, IsOk());
  EXPECT_THAT(config->authenticator->Authenticate(*Request("/")), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(BuildFromFlagsTest, Errors) {
  EXPECT_THAT(BuildFromFlags({false, dir_.Join("missing.csv"), absl::Minutes(1), true, {"AlwaysAllow"}}).status(),
              StatusIs(absl::StatusCode::kNotFound, ::testing::HasSubstr("missing.csv")));
  EXPECT_THAT(BuildFromFlags({false, "", absl::Minutes(1), true, {"Webhook"}}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// A dynamic request-header source takes the flags' place; both at once, or half of one, is a wiring bug.
TEST_F(BuildFromFlagsTest, DynamicRequestHeaderSeam) {
  class Named : public Authenticator {
   public:
    absl::StatusOr<UserPtr> Authenticate(const http::Request&) const override {
      return absl::NotFoundError("nothing here");
    }
  };
  auto settings = std::make_shared<RequestHeaderConfig>(RequestHeaderConfig::DelegatingDefaults());
  settings->client_ca_file = "client-ca::kube-system::extension-apiserver-authentication::requestheader-client-ca-file";
  AuthOptions options;
  options.dynamic.request_header = std::make_shared<Named>();
  options.dynamic.request_header_config = StaticRequestHeaderConfig(settings);
  absl::StatusOr<AuthConfig> built = BuildFromFlags(options);
  ASSERT_THAT(built, IsOk());
  EXPECT_EQ(built->request_header_config, options.dynamic.request_header_config);

  options.request_header.client_ca_file = dir_.Write("front-proxy-ca.crt", "");
  EXPECT_THAT(BuildFromFlags(options).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::HasSubstr("--requestheader-client-ca-file")));
  options.request_header.client_ca_file.clear();
  options.dynamic.request_header_config = nullptr;
  EXPECT_THAT(BuildFromFlags(options).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::HasSubstr("settings provider")));
}

TEST_F(BuildFromFlagsTest, Http2MitigationClosesAnonymousAnd401OnHttp2Only) {
  http::HandlerPtr chain = Chain({true, "", absl::Minutes(1), true, {"Bootstrap"}});
  // HTTP/2: anonymous (200 or 403) and 401 get Connection: close; an authenticated user does not.
  EXPECT_EQ(http::ServeForTest(*chain, Request("/readyz", http::Protocol::kHttp2)).headers.Get("Connection"), "close");
  EXPECT_EQ(http::ServeForTest(*chain, Request("/api", http::Protocol::kHttp2)).headers.Get("Connection"), "close");
  http::RecordedResponse unauthorized = http::ServeForTest(*chain, Request("/api", http::Protocol::kHttp2, "Bearer x"));
  EXPECT_EQ(unauthorized.status, 401);
  EXPECT_EQ(unauthorized.headers.Get("Connection"), "close");
  http::RecordedResponse user = http::ServeForTest(*chain, Request("/api", http::Protocol::kHttp2, "Bearer secret"));
  EXPECT_EQ(user.status, 200);
  EXPECT_FALSE(user.headers.Has("Connection"));
  // HTTP/1.1: never.
  EXPECT_FALSE(http::ServeForTest(*chain, Request("/readyz")).headers.Has("Connection"));
  EXPECT_FALSE(
      http::ServeForTest(*chain, Request("/api", http::Protocol::kHttp11, "Bearer x")).headers.Has("Connection"));
}

TEST_F(BuildFromFlagsTest, Http2MitigationCanBeTurnedOff) {
  http::HandlerPtr ok = http::StaticHandler(http::Shared(http::TextResponse(200, "ok")));
  http::HandlerPtr chain = chain::WithAuthentication(ok, AnonymousAuthenticator(), false);
  http::RecordedResponse r = http::ServeForTest(*chain, Request("/readyz", http::Protocol::kHttp2));
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.headers.Has("Connection"));
}

}  // namespace
}  // namespace apiserve::auth
