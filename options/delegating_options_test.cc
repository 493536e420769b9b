// kube's delegating authentication and authorization flags: registered by NewDelegatingRecommendedOptions only, their
// defaults, validation, and ApplyTo asking the client factory for the webhooks' clients.
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "auth/authorizer.h"
#include "auth/user_info.h"
#include "base/status_matchers.h"
#include "client/fake_http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "options/recommended_options.h"

namespace apiserve::options {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// A factory that records the paths it is asked for and hands out fake clients (NotFound for "" unless in_cluster).
struct Factory {
  std::vector<std::string> asked;
  bool in_cluster = false;
  ClientFactory Get() {
    return [this](const std::string& path) -> absl::StatusOr<std::shared_ptr<client::HttpClient>> {
      asked.push_back(path);
      if (path.empty() && !in_cluster) return absl::NotFoundError("not running in a cluster");
      if (path == "/broken") return absl::InvalidArgumentError("invalid configuration: no server found for cluster");
      return std::make_shared<client::FakeHttpClient>(client::FakeHttpClient::JsonAnswer(201, "{}"));
    };
  }
};

class DelegatingOptionsTest : public testing::Test {
 protected:
  DelegatingOptionsTest() : options_(NewDelegatingRecommendedOptions()), fs_("sample-apiserver") {
    options_.AddFlags(&fs_);
  }

  absl::Status Parse(std::vector<std::string> args) {
    absl::Status parsed = fs_.ParseArgs(std::move(args));
    if (!parsed.ok()) return parsed;
    return options_.Validate();
  }

  RecommendedOptions options_;
  flags::FlagSet fs_;
};

TEST_F(DelegatingOptionsTest, KubesDefaults) {
  ASSERT_THAT(Parse({}), IsOk());
  const DelegatingAuthenticationOptions& authn = *options_.authentication.delegating;
  EXPECT_EQ(authn.remote_kubeconfig_file, "");
  EXPECT_EQ(authn.cache_ttl, absl::Seconds(10));
  EXPECT_EQ(authn.token_request_timeout, absl::Seconds(10));
  EXPECT_FALSE(authn.skip_in_cluster_lookup);
  EXPECT_FALSE(authn.tolerate_in_cluster_lookup_failure);
  const DelegatingAuthorizationOptions& authz = *options_.authorization.delegating;
  EXPECT_EQ(authz.allow_cache_ttl, absl::Seconds(10));
  EXPECT_EQ(authz.deny_cache_ttl, absl::Seconds(10));
  EXPECT_EQ(authz.client_timeout, absl::Seconds(10));
  EXPECT_THAT(authz.always_allow_paths, ElementsAre("/healthz", "/readyz", "/livez"));
  EXPECT_THAT(authz.always_allow_groups, ElementsAre("system:masters"));
  const std::string usage = fs_.Usage();
  EXPECT_THAT(usage, HasSubstr("--authentication-token-webhook-cache-ttl duration"));
  EXPECT_THAT(usage, HasSubstr("--authorization-always-allow-paths strings"));
  EXPECT_THAT(usage, HasSubstr("(default [/healthz,/readyz,/livez])"));
}

TEST_F(DelegatingOptionsTest, FlagsParse) {
  ASSERT_THAT(
      Parse({"--authentication-kubeconfig=/etc/kube/authn", "--authentication-token-webhook-cache-ttl=30s",
             "--authentication-skip-lookup", "--authentication-tolerate-lookup-failure",
             "--authorization-kubeconfig=/etc/kube/authz", "--authorization-webhook-cache-authorized-ttl=1m",
             "--authorization-webhook-cache-unauthorized-ttl=5s",
             "--authorization-always-allow-paths=/healthz,/debug/*", "--authorization-always-allow-groups=ops"}),
      IsOk());
  const DelegatingAuthenticationOptions& authn = *options_.authentication.delegating;
  EXPECT_EQ(authn.remote_kubeconfig_file, "/etc/kube/authn");
  EXPECT_EQ(authn.cache_ttl, absl::Seconds(30));
  EXPECT_TRUE(authn.skip_in_cluster_lookup);
  EXPECT_TRUE(authn.tolerate_in_cluster_lookup_failure);
  const DelegatingAuthorizationOptions& authz = *options_.authorization.delegating;
  EXPECT_EQ(authz.remote_kubeconfig_file, "/etc/kube/authz");
  EXPECT_EQ(authz.allow_cache_ttl, absl::Minutes(1));
  EXPECT_EQ(authz.deny_cache_ttl, absl::Seconds(5));
  EXPECT_THAT(authz.always_allow_paths, ElementsAre("/healthz", "/debug/*"));
  EXPECT_THAT(authz.always_allow_groups, ElementsAre("ops"));
}

TEST_F(DelegatingOptionsTest, AlwaysAllowPathsAreValidated) {
  EXPECT_THAT(Parse({"--authorization-always-allow-paths=/healthz,/a*b"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "only trailing * allowed in \"a*b\""));
}

TEST(KubeApiserverOptionsTest, HasNoDelegatingFlags) {
  RecommendedOptions options;
  flags::FlagSet fs("apiserver");
  options.AddFlags(&fs);
  EXPECT_THAT(fs.ParseArgs({"--authentication-kubeconfig=/k"}), Not(IsOk()));
  EXPECT_THAT(fs.Usage(), Not(HasSubstr("authorization-always-allow-paths")));
}

TEST_F(DelegatingOptionsTest, KubeconfigsBuildTheWebhooksWithOneClientForOneFile) {
  ASSERT_THAT(Parse({"--authentication-kubeconfig=/etc/kube/config", "--authorization-kubeconfig=/etc/kube/config"}),
              IsOk());
  Factory factory;
  options_.client_factory = factory.Get();
  server::Config config;
  ASSERT_THAT(options_.ApplyTo(&config), IsOk());
  EXPECT_THAT(factory.asked, ElementsAre("/etc/kube/config"));
  EXPECT_TRUE(config.chain.authenticator->IsAsync());
  EXPECT_TRUE(config.chain.authorizer->IsAsync());
}

TEST_F(DelegatingOptionsTest, InClusterWhenNoKubeconfig) {
  ASSERT_THAT(Parse({}), IsOk());
  Factory factory;
  factory.in_cluster = true;
  options_.client_factory = factory.Get();
  server::Config config;
  ASSERT_THAT(options_.ApplyTo(&config), IsOk());
  EXPECT_THAT(factory.asked, ElementsAre(""));
  EXPECT_TRUE(config.chain.authenticator->IsAsync());
  EXPECT_TRUE(config.chain.authorizer->IsAsync());
}

TEST_F(DelegatingOptionsTest, OutsideAClusterWithoutKubeconfigNoWebhooks) {
  ASSERT_THAT(Parse({}), IsOk());
  Factory factory;
  options_.client_factory = factory.Get();
  server::Config config;
  ASSERT_THAT(options_.ApplyTo(&config), IsOk());
  EXPECT_THAT(factory.asked, ElementsAre("", ""));
  EXPECT_FALSE(config.chain.authenticator->IsAsync());
  // Fails closed, as kube's delegating authorizer without a kubeconfig: the always-allow groups and paths only.
  EXPECT_FALSE(config.chain.authorizer->IsAsync());
  auth::UserInfo alice;
  alice.name = "alice";
  alice.groups = {"system:authenticated"};
  auth::UserInfo admin;
  admin.name = "admin";
  admin.groups = {auth::kMastersGroup};
  auth::Attributes attributes;
  attributes.verb = "get";
  attributes.path = "/version";
  attributes.user = &alice;
  std::string reason;
  EXPECT_EQ(config.chain.authorizer->Authorize(attributes, &reason), auth::Decision::kNoOpinion);
  attributes.path = "/healthz";
  EXPECT_EQ(config.chain.authorizer->Authorize(attributes, &reason), auth::Decision::kAllow);
  attributes.path = "/version";
  attributes.user = &admin;
  EXPECT_EQ(config.chain.authorizer->Authorize(attributes, &reason), auth::Decision::kAllow);

  RecommendedOptions no_factory = NewDelegatingRecommendedOptions();
  no_factory.client_factory = nullptr;
  server::Config plain;
  ASSERT_THAT(no_factory.ApplyTo(&plain), IsOk());
  EXPECT_FALSE(plain.chain.authenticator->IsAsync());
}

TEST_F(DelegatingOptionsTest, OutsideAClusterAnAuthorizationModeGivenApplies) {
  ASSERT_THAT(Parse({"--authorization-mode=AlwaysAllow"}), IsOk());
  Factory factory;
  options_.client_factory = factory.Get();
  server::Config config;
  ASSERT_THAT(options_.ApplyTo(&config), IsOk());
  auth::UserInfo alice;
  alice.name = "alice";
  auth::Attributes attributes;
  attributes.verb = "get";
  attributes.path = "/version";
  attributes.user = &alice;
  std::string reason;
  EXPECT_EQ(config.chain.authorizer->Authorize(attributes, &reason), auth::Decision::kAllow);
}

TEST_F(DelegatingOptionsTest, KubeconfigWithoutClientIsAnError) {
  ASSERT_THAT(Parse({"--authentication-kubeconfig=/broken"}), IsOk());
  Factory factory;
  options_.client_factory = factory.Get();
  server::Config config;
  EXPECT_THAT(options_.ApplyTo(&config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "failed to get delegated authentication kubeconfig: invalid configuration: no server found for "
                       "cluster"));

  RecommendedOptions no_factory = NewDelegatingRecommendedOptions();
  no_factory.client_factory = nullptr;
  no_factory.authorization.delegating->remote_kubeconfig_file = "/etc/kube/authz";
  EXPECT_THAT(no_factory.ApplyTo(&config),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("failed to get delegated authorization kubeconfig: /etc/kube/authz")));
}

// apiserve's own client from a kubeconfig file (nothing is dialled until a review is asked for).
TEST_F(DelegatingOptionsTest, KubeconfigClientFactoryBuildsTheWebhooks) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/delegating.kubeconfig";
  std::ofstream(path) << "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: "
                         "https://127.0.0.1:1\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\n"
                         "users:\n- name: u\n  user:\n    token: abc\ncurrent-context: x\n";
  ASSERT_THAT(Parse({"--authentication-kubeconfig=" + path, "--authorization-kubeconfig=" + path}), IsOk());
  server::Config config;
  ASSERT_THAT(options_.ApplyTo(&config), IsOk());
  EXPECT_TRUE(config.chain.authenticator->IsAsync());
  EXPECT_TRUE(config.chain.authorizer->IsAsync());

  RecommendedOptions missing = NewDelegatingRecommendedOptions();
  missing.authentication.delegating->remote_kubeconfig_file = "/nonexistent/kubeconfig";
  absl::Status applied = missing.ApplyTo(&config);
  EXPECT_THAT(applied,
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("failed to get delegated authentication kubeconfig: ")));
  EXPECT_THAT(applied.message(), HasSubstr("/nonexistent/kubeconfig"));
}

}  // namespace
}  // namespace apiserve::options
