#include "kubeconfig/kubeconfig.h"

#include <cstdlib>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/status_matchers.h"
#include "client/https_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tls/test_certs.h"

namespace apiserve::kubeconfig {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::HasSubstr;

class KubeconfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = tls::testing::MakeCa("cluster-ca");
    ASSERT_THAT(ca, IsOk());
    ca_pem_ = ca->cert_pem;
    auto client = tls::testing::MakeCert(tls::testing::Template("system:auth-delegator-test"), &*ca);
    ASSERT_THAT(client, IsOk());
    cert_pem_ = client->cert_pem;
    key_pem_ = client->key_pem;
  }

  // Kubeconfig returns a kubeconfig with two contexts; `cluster` and `user` are the bodies of the "main" ones.
  static std::string Kubeconfig(const std::string& cluster, const std::string& user,
                                const std::string& current = "main") {
    return absl::StrCat(R"(apiVersion: v1
kind: Config
current-context: )",
                        current, R"(
clusters:
- name: other
  cluster:
    server: https://other:1
- name: main-cluster
  cluster:
)",
                        cluster, R"(
contexts:
- name: other
  context: {cluster: other, user: other}
- name: main
  context:
    cluster: main-cluster
    user: main-user
    namespace: kube-system
users:
- name: other
  user: {token: nope}
- name: main-user
  user:
)",
                        user, "\n");
  }

  static std::string B64(const std::string& s) { return absl::Base64Escape(s); }

  tls::testing::TempDir dir_;
  std::string ca_pem_;
  std::string cert_pem_;
  std::string key_pem_;
};

TEST_F(KubeconfigTest, DataForm) {
  const std::string path = dir_.Write(
      "kubeconfig", Kubeconfig(absl::StrCat("    server: https://10.0.0.1:6443\n"
                                            "    certificate-authority-data: ",
                                            B64(ca_pem_),
                                            "\n"
                                            "    tls-server-name: kubernetes.default.svc"),
                               absl::StrCat("    client-certificate-data: ", B64(cert_pem_), "\n",
                                            "    client-key-data: ", B64(key_pem_), "\n", "    token: abc.def")));
  auto config = LoadKubeconfig(path);
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->host, "https://10.0.0.1:6443");
  EXPECT_EQ(config->ca_pem, ca_pem_);
  EXPECT_EQ(config->ca_file, "");
  EXPECT_EQ(config->cert_pem, cert_pem_);
  EXPECT_EQ(config->key_pem, key_pem_);
  EXPECT_EQ(config->bearer_token, "abc.def");
  EXPECT_EQ(config->tls_server_name, "kubernetes.default.svc");
  // And the client accepts it.
  EXPECT_THAT(client::NewHttpClient(*config), IsOk());
}

TEST_F(KubeconfigTest, FileFormWithRelativePaths) {
  dir_.Write("ca.crt", ca_pem_);
  dir_.Write("client.crt", cert_pem_);
  dir_.Write("client.key", key_pem_);
  dir_.Write("token", "from-file\n");
  const std::string path =
      dir_.Write("kubeconfig", Kubeconfig("    server: https://api.example:443\n"
                                          "    certificate-authority: ca.crt",
                                          absl::StrCat("    client-certificate: client.crt\n"
                                                       "    client-key: ",
                                                       dir_.Join("client.key"), "\n", "    tokenFile: ./token")));
  auto config = LoadKubeconfig(path);
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->ca_file, dir_.path() + "/ca.crt");
  EXPECT_EQ(config->cert_file, dir_.path() + "/client.crt");
  EXPECT_EQ(config->key_file, dir_.path() + "/client.key");  // absolute stays as is
  EXPECT_EQ(config->bearer_token_file, dir_.path() + "/./token");
  EXPECT_THAT(client::NewHttpClient(*config), IsOk());
}

TEST_F(KubeconfigTest, MissingReferencedFileIsNotFound) {
  const std::string path = dir_.Write(
      "kubeconfig", Kubeconfig("    server: https://a:1\n    certificate-authority: nowhere/ca.crt", "    token: x"));
  EXPECT_THAT(LoadKubeconfig(path), StatusIs(absl::StatusCode::kNotFound, HasSubstr(dir_.path() + "/nowhere/ca.crt")));
  EXPECT_THAT(LoadKubeconfig(dir_.Join("absent")), StatusIs(absl::StatusCode::kNotFound, HasSubstr("absent")));
}

TEST_F(KubeconfigTest, MissingContextIsNamed) {
  const std::string path =
      dir_.Write("kubeconfig", Kubeconfig("    server: https://a:1", "    token: x", /*current=*/"gone"));
  EXPECT_THAT(LoadKubeconfig(path), StatusIs(absl::StatusCode::kInvalidArgument,
                                             path + ": current-context: no context named \"gone\" in contexts"));
  const std::string unset = dir_.Write("unset", "apiVersion: v1\nclusters: []\n");
  EXPECT_THAT(LoadKubeconfig(unset),
              StatusIs(absl::StatusCode::kInvalidArgument, unset + ": current-context: not set"));
}

TEST_F(KubeconfigTest, MissingServerIsNamed) {
  const std::string path = dir_.Write("kubeconfig", Kubeconfig("    tls-server-name: x", "    token: x"));
  EXPECT_THAT(LoadKubeconfig(path), StatusIs(absl::StatusCode::kInvalidArgument,
                                             path + ": clusters[\"main-cluster\"].cluster.server: not set"));
}

TEST_F(KubeconfigTest, BadYamlNamesTheLine) {
  const std::string path = dir_.Write("kubeconfig", "apiVersion: v1\ncurrent-context: [oops\n");
  EXPECT_THAT(LoadKubeconfig(path),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::StartsWith(path + ": yaml: line ")));
  const std::string list = dir_.Write("list", "- a\n- b\n");
  EXPECT_THAT(LoadKubeconfig(list), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("(root): want a mapping")));
  const std::string wrong_type = dir_.Write("wrong", "current-context: main\ncontexts: {a: b}\n");
  EXPECT_THAT(LoadKubeconfig(wrong_type),
              StatusIs(absl::StatusCode::kInvalidArgument, wrong_type + ": contexts: want a list (line 2)"));
}

TEST_F(KubeconfigTest, BadBase64NamesTheField) {
  const std::string path = dir_.Write(
      "kubeconfig", Kubeconfig("    server: https://a:1\n    certificate-authority-data: '!!notbase64'", ""));
  EXPECT_THAT(LoadKubeconfig(path),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       path + ": clusters[\"main-cluster\"].cluster.certificate-authority-data: illegal base64 data"));
}

TEST_F(KubeconfigTest, InsecureSkipVerifyIsRejected) {
  const std::string path =
      dir_.Write("kubeconfig", Kubeconfig("    server: https://a:1\n    insecure-skip-tls-verify: true", ""));
  EXPECT_THAT(LoadKubeconfig(path),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("clusters[\"main-cluster\"].cluster.insecure-skip-tls-verify: not supported")));
  const std::string off =
      dir_.Write("off", Kubeconfig("    server: https://a:1\n    insecure-skip-tls-verify: false", ""));
  EXPECT_THAT(LoadKubeconfig(off), IsOk());
}

TEST_F(KubeconfigTest, ExecCredentialsAreRejected) {
  const std::string path = dir_.Write(
      "kubeconfig", Kubeconfig("    server: https://a:1", "    exec:\n      command: aws\n      apiVersion: v1"));
  EXPECT_THAT(LoadKubeconfig(path),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("users[\"main-user\"].user.exec: not supported")));
}

TEST_F(KubeconfigTest, CertificateWithoutKeyIsRejected) {
  const std::string path =
      dir_.Write("kubeconfig",
                 Kubeconfig("    server: https://a:1", absl::StrCat("    client-certificate-data: ", B64(cert_pem_))));
  EXPECT_THAT(LoadKubeconfig(path),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("users[\"main-user\"].user.client-key: missing")));
}

class InClusterTest : public KubeconfigTest {
 protected:
  void TearDown() override {
    unsetenv("KUBERNETES_SERVICE_HOST");
    unsetenv("KUBERNETES_SERVICE_PORT");
  }
};

TEST_F(InClusterTest, ReadsTheServiceAccount) {
  dir_.Write("token", "sa-token");
  dir_.Write("ca.crt", ca_pem_);
  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  auto config = InClusterConfig(dir_.path());
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->host, "https://10.96.0.1:443");
  EXPECT_EQ(config->bearer_token_file, dir_.path() + "/token");
  EXPECT_EQ(config->ca_file, dir_.path() + "/ca.crt");
  EXPECT_THAT(client::NewHttpClient(*config), IsOk());

  setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
  config = InClusterConfig(dir_.path());
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->host, "https://[fd00::1]:443");

  // Empty kubeconfig path → in-cluster.
  config = DelegatingClientConfig("", dir_.path());
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->bearer_token_file, dir_.path() + "/token");
}

TEST_F(InClusterTest, NotInAClusterIsNotFound) {
  unsetenv("KUBERNETES_SERVICE_HOST");
  EXPECT_THAT(DelegatingClientConfig("", dir_.path()),
              StatusIs(absl::StatusCode::kNotFound,
                       "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and "
                       "KUBERNETES_SERVICE_PORT must be defined"));
  // Environment but no token file.
  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  EXPECT_THAT(DelegatingClientConfig("", dir_.path()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(dir_.path() + "/token")));
}

TEST_F(InClusterTest, KubeconfigPathWins) {
  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  const std::string path = dir_.Write("kubeconfig", Kubeconfig("    server: https://explicit:6443", "    token: t"));
  auto config = DelegatingClientConfig(path, dir_.path());
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->host, "https://explicit:6443");
}

}  // namespace
}  // namespace apiserve::kubeconfig
