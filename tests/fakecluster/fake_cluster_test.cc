// The fake cluster answers as kube-apiserver does, driven by curl over real TLS.
#include "tests/fakecluster/fake_cluster.h"

#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/test_shell.h"

namespace apiserve::fakecluster {
namespace {

using ::apiserve::base::IsOk;
using ::testing::HasSubstr;
using ::testing::Not;

class FakeClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = FakeCluster::Start();
    ASSERT_THAT(cluster, IsOk());
    cluster_ = *std::move(cluster);
    ca_file_ = absl::StrCat(cluster_->dir(), "/fake-cluster-ca.crt");
  }

  // Curl returns "<status>\n<body>" of a request with the client token (or `auth` instead).
  std::string Curl(const std::string& path, const std::string& extra = "",
                   const std::string& auth = "-H 'Authorization: Bearer fake-cluster-client-token'") {
    return server::Shell(absl::StrCat("curl -sS --max-time 10 --cacert ", ca_file_, " ", auth, " ", extra,
                                      " -w '\\n%{http_code}' '", cluster_->url(), path, "' 2>&1"));
  }
  std::string Post(const std::string& path, const std::string& body) {
    return Curl(path, absl::StrCat("-X POST -H 'Content-Type: application/json' --data '", body, "'"));
  }

  std::unique_ptr<FakeCluster> cluster_;
  std::string ca_file_;
};

TEST_F(FakeClusterTest, RequiresCredentials) {
  EXPECT_THAT(Curl("/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication", "", ""),
              HasSubstr("\n401"));
  EXPECT_THAT(Curl("/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication", "",
                   "-H 'Authorization: Bearer wrong'"),
              HasSubstr("\n401"));
  EXPECT_EQ(cluster_->Count(Endpoint::kConfigMapGet), 0);
  // A client certificate signed by the cluster's CA is a user.
  auto pair = cluster_->IssueClientCert("front-proxy", {"ops"});
  ASSERT_THAT(pair, IsOk());
  std::ofstream(cluster_->dir() + "/client.crt") << pair->first;
  std::ofstream(cluster_->dir() + "/client.key") << pair->second;
  EXPECT_THAT(Curl("/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication", "",
                   absl::StrCat("--cert ", cluster_->dir(), "/client.crt --key ", cluster_->dir(), "/client.key")),
              HasSubstr("\n200"));
  EXPECT_EQ(cluster_->LastClientUser(), "front-proxy");
  EXPECT_EQ(cluster_->Count(Endpoint::kConfigMapGet), 1);
}

TEST_F(FakeClusterTest, TokenReview) {
  cluster_->SetToken("alice-token", {.name = "alice", .uid = "42", .groups = {"dev", "ops"}, .extra = {}, .error = ""});
  std::string out =
      Post("/apis/authentication.k8s.io/v1/tokenreviews",
           R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"alice-token"}})");
  EXPECT_THAT(out, HasSubstr("\n201"));
  EXPECT_THAT(
      out,
      HasSubstr(R"("status":{"authenticated":true,"user":{"username":"alice","uid":"42","groups":["dev","ops"]}})"));
  out = Post("/apis/authentication.k8s.io/v1/tokenreviews", R"({"spec":{"token":"nobody"}})");
  EXPECT_THAT(out, HasSubstr(R"("status":{"user":{}})"));
  EXPECT_EQ(cluster_->Count(Endpoint::kTokenReview), 2);
  EXPECT_EQ(cluster_->LastClientUser(), "system:serviceaccount:kube-system:sample-apiserver");
}

TEST_F(FakeClusterTest, SubjectAccessReview) {
  cluster_->SetAuthorizer([](const SarRequest& r) {
    if (r.user == "alice" && r.resource == "notes") return SarAnswer{true, "alice may", false, ""};
    return SarAnswer{false, "only alice reads notes", false, ""};
  });
  std::string out = Post(
      "/apis/authorization.k8s.io/v1/subjectaccessreviews",
      R"({"spec":{"resourceAttributes":{"namespace":"default","verb":"get","group":"notes.example.io","version":"v1","resource":"notes","name":"n1"},"user":"alice","groups":["dev"]}})");
  EXPECT_THAT(out, HasSubstr(R"("status":{"allowed":true,"reason":"alice may"})"));
  EXPECT_EQ(cluster_->LastSar().namespace_name, "default");
  EXPECT_EQ(cluster_->LastSar().groups, std::vector<std::string>{"dev"});
  out = Post("/apis/authorization.k8s.io/v1/subjectaccessreviews",
             R"({"spec":{"nonResourceAttributes":{"path":"/version","verb":"get"},"user":"bob"}})");
  EXPECT_THAT(out, HasSubstr(R"("status":{"allowed":false,"reason":"only alice reads notes"})"));
  EXPECT_EQ(cluster_->LastSar().path, "/version");
  EXPECT_FALSE(cluster_->LastSar().resource_request);
  EXPECT_EQ(cluster_->Count(Endpoint::kSubjectAccessReview), 2);
}

TEST_F(FakeClusterTest, ConfigMapGetListAndWatch) {
  cluster_->SetConfigMapData({{"client-ca-file", "one"}});
  std::string out = Curl("/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication");
  EXPECT_THAT(out, HasSubstr(R"("data":{"client-ca-file":"one"})"));
  EXPECT_THAT(out, HasSubstr(R"("resourceVersion":"2")"));
  out = Curl(
      "/api/v1/namespaces/kube-system/configmaps?fieldSelector=metadata.name%3Dextension-apiserver-authentication");
  EXPECT_THAT(
      out, HasSubstr(
               R"({"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"2"},"items":[{"metadata")"));
  EXPECT_THAT(Curl("/api/v1/namespaces/default/configmaps/extension-apiserver-authentication"), HasSubstr("\n404"));

  // Two watches, one in each spelling; the change reaches both. HTTP/1.1, so the server sees the client leave (the
  // count of open watches below); over HTTP/2 a watch whose client closed the connection stayed open in the
  // server (http2 codec, reported).
  std::string watch_a, watch_b;
  std::thread a([&] {
    watch_a = Curl(
        "/api/v1/namespaces/kube-system/"
        "configmaps?watch=true&resourceVersion=2&fieldSelector=metadata.name%3Dextension-apiserver-authentication",
        "-N --max-time 3 --http1.1");
  });
  std::thread b([&] {
    watch_b = Curl("/api/v1/watch/namespaces/kube-system/configmaps/extension-apiserver-authentication",
                   "-N --max-time 3 --http1.1");
  });
  for (int i = 0; i < 200 && cluster_->OpenWatches() < 2; ++i) absl::SleepFor(absl::Milliseconds(10));
  ASSERT_EQ(cluster_->OpenWatches(), 2);
  cluster_->SetConfigMapData({{"client-ca-file", "two"}});
  a.join();
  b.join();
  EXPECT_THAT(watch_a, Not(HasSubstr(R"("client-ca-file":"one")")));
  EXPECT_THAT(watch_a, HasSubstr(R"({"type":"MODIFIED","object":{"kind":"ConfigMap")"));
  EXPECT_THAT(watch_a, HasSubstr(R"("client-ca-file":"two")"));
  EXPECT_THAT(watch_b, HasSubstr(R"({"type":"ADDED","object":{"kind":"ConfigMap")"));
  EXPECT_THAT(watch_b, HasSubstr(R"("client-ca-file":"two")"));
  EXPECT_EQ(cluster_->Count(Endpoint::kConfigMapWatch), 2);
  for (int i = 0; i < 200 && cluster_->OpenWatches() > 0; ++i) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(cluster_->OpenWatches(), 0);  // the clients went away

  cluster_->SetConfigMapAbsent();
  EXPECT_THAT(
      Curl("/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication"),
      HasSubstr(R"("message":"configmaps \"extension-apiserver-authentication\" not found","reason":"NotFound")"));
}

TEST_F(FakeClusterTest, SlowAndDown) {
  const std::string path = "/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication";
  cluster_->SetDelay(absl::Milliseconds(500));
  absl::Time start = absl::Now();
  EXPECT_THAT(Curl(path), HasSubstr("\n200"));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(500));
  // The generic endpoints are not delayed.
  start = absl::Now();
  EXPECT_THAT(Curl("/healthz"), HasSubstr("ok\n200"));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(400));
  cluster_->SetDelay(absl::ZeroDuration());

  cluster_->SetFailure(Failure::kServerError);
  EXPECT_THAT(Curl(path), HasSubstr("\n500"));
  cluster_->SetFailure(Failure::kForbidden);
  EXPECT_THAT(
      Curl(path),
      HasSubstr(
          R"(configmaps \"extension-apiserver-authentication\" is forbidden: User \"system:serviceaccount:kube-system:sample-apiserver\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"kube-system\")"));
  cluster_->SetFailure(Failure::kDrop);
  EXPECT_THAT(Curl(path, "--http1.1"), HasSubstr("curl: (18)"));  // transfer closed with outstanding read data
  EXPECT_THAT(Curl(path), HasSubstr("curl: (92)"));               // HTTP/2 stream was not closed cleanly
  cluster_->SetFailure(Failure::kNone);
  EXPECT_THAT(Curl(path), HasSubstr("\n200"));
}

TEST_F(FakeClusterTest, Kubeconfig) {
  const std::string path = cluster_->dir() + "/kubeconfig";
  ASSERT_THAT(cluster_->WriteKubeconfig(path), IsOk());
  std::stringstream content;
  content << std::ifstream(path).rdbuf();
  EXPECT_THAT(content.str(), HasSubstr(absl::StrCat("server: ", cluster_->url(), "\n")));
  EXPECT_THAT(content.str(), HasSubstr("token: fake-cluster-client-token\n"));
  EXPECT_THAT(content.str(), HasSubstr("certificate-authority-data: LS0t"));
}

}  // namespace
}  // namespace apiserve::fakecluster
