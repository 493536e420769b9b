// authconfig::ApplyTo over a fake cluster client: one client for TokenReview, SubjectAccessReview and the ConfigMap,
// and the ConfigMap's authenticators inside the options' union at kube's places (request-header, x509, then the
// TokenReview webhook, then anonymous).
#include "authconfig/install.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/user_info.h"
#include "base/fake_executor.h"
#include "base/status_matchers.h"
#include "client/fake_http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/connection_info.h"
#include "http/testing.h"
#include "options/recommended_options.h"

namespace apiserve::authconfig {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;

constexpr char kGetPath[] = "/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication";
constexpr char kTokenReviewPath[] = "/apis/authentication.k8s.io/v1/tokenreviews";

class ApplyToTest : public ::testing::Test {
 protected:
  ApplyToTest() : options_(options::NewDelegatingRecommendedOptions()), fs_("extension-apiserver") {
    options_.AddFlags(&fs_);
    options_.client_factory = [this](const std::string& path) -> absl::StatusOr<std::shared_ptr<client::HttpClient>> {
      asked_.push_back(path);
      return std::shared_ptr<client::HttpClient>(client_);
    };
  }

  absl::StatusOr<std::unique_ptr<ConfigMapAuthentication>> Apply(std::vector<std::string> args) {
    if (absl::Status parsed = fs_.ParseArgs(std::move(args)); !parsed.ok()) return parsed;
    return ApplyTo(options_, &loop_, &config_);
  }

  // Authenticate runs the chain's authenticator on `request` and the loop until it answers.
  absl::StatusOr<auth::UserPtr> Authenticate(const http::Request& request) {
    std::optional<absl::StatusOr<auth::UserPtr>> result;
    config_.chain.authenticator->AuthenticateAsync(request, [&](absl::StatusOr<auth::UserPtr> user) { result = user; });
    loop_.RunUntilIdle();
    if (!result.has_value()) return absl::InternalError("no answer");
    return *result;
  }

  http::RequestPtr Request(const std::string& token = "") {
    http::RequestPtr request = http::NewRequest("GET", "/apis/notes.example.io/v1/notes", &loop_);
    if (!token.empty()) request->headers.Add("Authorization", "Bearer " + token);
    request->connection = connection_;
    return request;
  }

  base::FakeExecutor loop_;
  std::shared_ptr<client::FakeHttpClient> client_ = std::make_shared<client::FakeHttpClient>();
  std::vector<std::string> asked_;
  options::RecommendedOptions options_;
  flags::FlagSet fs_;
  server::Config config_;
  std::shared_ptr<http::ConnectionInfo> connection_ = std::make_shared<http::ConnectionInfo>();
};

TEST_F(ApplyToTest, OneClientForTheReviewsAndTheConfigMap) {
  auto configmap = Apply({"--authentication-kubeconfig=/etc/cluster", "--authorization-kubeconfig=/etc/cluster"});
  ASSERT_THAT(configmap, IsOk());
  EXPECT_THAT(asked_, ElementsAre("/etc/cluster"));  // TokenReview's client, shared by the SAR and the ConfigMap
  EXPECT_TRUE((*configmap)->reads_client_ca());
  EXPECT_TRUE((*configmap)->reads_request_header());
  EXPECT_TRUE(config_.tls.dynamic_client_cas);
  (*configmap)->StartAsync(nullptr, [](absl::Status) {});
  loop_.RunUntilIdle();
  EXPECT_EQ(client_->NextHeldPath(), kGetPath);  // the ConfigMap is read through that client
  (*configmap)->Stop();
}

TEST_F(ApplyToTest, AnotherKubeconfigGetsItsOwnClient) {
  auto configmap = Apply({"--authentication-kubeconfig=/etc/authn", "--authorization-kubeconfig=/etc/authz"});
  ASSERT_THAT(configmap, IsOk());
  EXPECT_THAT(asked_, ElementsAre("/etc/authn", "/etc/authz"));  // the ConfigMap shares the authentication one
}

TEST_F(ApplyToTest, SkipLookupReadsNothing) {
  auto configmap = Apply({"--authentication-kubeconfig=/etc/cluster", "--authentication-skip-lookup"});
  ASSERT_THAT(configmap, IsOk());
  EXPECT_FALSE((*configmap)->reads_client_ca());
  EXPECT_FALSE((*configmap)->reads_request_header());
  EXPECT_FALSE(config_.tls.dynamic_client_cas);
  EXPECT_EQ(config_.chain.request_header_config, nullptr);
}

TEST_F(ApplyToTest, OptionErrorsAreApplyToErrors) {
  options_.client_factory = nullptr;
  EXPECT_THAT(Apply({"--authentication-kubeconfig=/etc/cluster"}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       ::testing::HasSubstr("failed to get delegated authentication kubeconfig: /etc/cluster")));
}

// kube's order: request-header, x509 client certificate, (token file,) TokenReview webhook, then anonymous.
TEST_F(ApplyToTest, ConfigMapAuthenticatorsSitInTheUnionAtKubesPlaces) {
  auto configmap = Apply({"--authentication-kubeconfig=/etc/cluster", "--authorization-kubeconfig=/etc/cluster"});
  ASSERT_THAT(configmap, IsOk());
  ConfigMapObject object;
  object.resource_version = "1";
  object.data = {{"requestheader-client-ca-file", "-----BEGIN CERTIFICATE-----"},  // tls/ verifies it, not this
                 {"requestheader-username-headers", R"(["X-Custom-User"])"},
                 {"requestheader-group-headers", R"(["X-Custom-Group"])"},
                 {"requestheader-extra-headers-prefix", "[]"},
                 {"requestheader-allowed-names", "[]"}};
  (*configmap)->Apply(&object);
  ASSERT_NE(config_.chain.request_header_config, nullptr);
  ASSERT_NE(config_.chain.request_header_config->Current(), nullptr);
  EXPECT_THAT(config_.chain.request_header_config->Current()->username_headers, ElementsAre("X-Custom-User"));

  // A front proxy's headers, a client certificate and a token: request-header wins, nothing is reviewed.
  http::ClientCertificate proxy_cert;
  proxy_cert.common_name = "front-proxy";
  http::ClientCertificate client_cert;
  client_cert.common_name = "cert-user";
  client_cert.organizations = {"certs"};
  connection_->requestheader_client_certificate = proxy_cert;
  connection_->client_certificate = client_cert;
  http::RequestPtr proxied = Request("alice-token");
  proxied->headers.Add("X-Custom-User", "carol");
  proxied->headers.Add("X-Custom-Group", "ops");
  absl::StatusOr<auth::UserPtr> user = Authenticate(*proxied);
  ASSERT_THAT(user, IsOk());
  EXPECT_EQ((*user)->name, "carol");
  EXPECT_THAT((*user)->groups, ElementsAre("ops", "system:authenticated"));

  // Without the proxy's headers: the client certificate, before the token.
  user = Authenticate(*Request("alice-token"));
  ASSERT_THAT(user, IsOk());
  EXPECT_EQ((*user)->name, "cert-user");
  EXPECT_THAT((*user)->groups, ElementsAre("certs", "system:authenticated"));
  EXPECT_EQ(client_->held(), 0u);

  // Only the token: reviewed by the cluster.
  connection_->requestheader_client_certificate.reset();
  connection_->client_certificate.reset();
  std::optional<absl::StatusOr<auth::UserPtr>> reviewed;
  config_.chain.authenticator->AuthenticateAsync(*Request("alice-token"),
                                                 [&](absl::StatusOr<auth::UserPtr> u) { reviewed = u; });
  loop_.RunUntilIdle();
  ASSERT_EQ(client_->NextHeldPath(), kTokenReviewPath);
  client_->Answer(201, R"({"status":{"authenticated":true,"user":{"username":"alice","groups":["dev"]}}})");
  loop_.RunUntilIdle();
  ASSERT_TRUE(reviewed.has_value());
  ASSERT_THAT(*reviewed, IsOk());
  EXPECT_EQ((**reviewed)->name, "alice");

  // Nothing: anonymous. A certificate that failed verification: 401, never anonymous.
  user = Authenticate(*Request());
  ASSERT_THAT(user, IsOk());
  EXPECT_TRUE(auth::IsAnonymous(**user));
  connection_->client_certificate_error = "x509: certificate signed by unknown authority";
  EXPECT_THAT(Authenticate(*Request()),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::HasSubstr("unknown authority")));
}

}  // namespace
}  // namespace apiserve::authconfig
