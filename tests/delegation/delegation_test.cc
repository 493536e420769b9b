// Delegated authentication and authorization end to end (issue 18): delegated_apiserver (the sample's shape:
// NewDelegatingRecommendedOptions + authconfig) started with --authentication-kubeconfig and
// --authorization-kubeconfig pointing at tests/fakecluster, driven by curl and h2load over real TLS.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/test_shell.h"
#include "tests/fakecluster/fake_cluster.h"
#include "tests/harness/socket_activation.h"

namespace apiserve::fakecluster {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::server::Shell;
using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFile(const std::string& path) {
  std::stringstream out;
  out << std::ifstream(path).rdbuf();
  return out.str();
}

void WriteFile(const std::string& path, const std::string& content) { std::ofstream(path) << content; }

class DelegationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto proxy_ca = FakeCluster::NewCa("front-proxy-ca");
    auto ca_one = FakeCluster::NewCa("client-ca-one");
    auto ca_two = FakeCluster::NewCa("client-ca-two");
    ASSERT_THAT(proxy_ca, IsOk());
    ASSERT_THAT(ca_one, IsOk());
    ASSERT_THAT(ca_two, IsOk());
    proxy_ca_ = *proxy_ca;
    ca_one_ = *ca_one;
    ca_two_ = *ca_two;
    Options options;
    options.configmap_data = Data(ca_one_.first);
    auto cluster = FakeCluster::Start(options);
    ASSERT_THAT(cluster, IsOk());
    cluster_ = *std::move(cluster);
    dir_ = cluster_->dir();
    cluster_->SetToken("alice-token", {.name = "alice", .uid = "", .groups = {"dev"}, .extra = {}, .error = ""});
    cluster_->SetToken("bob-token", {.name = "bob", .uid = "", .groups = {}, .extra = {}, .error = ""});
    cluster_->SetAuthorizer([](const SarRequest& r) {
      if (r.user == "alice" || r.user == "cert-user" || r.user == "carol") return SarAnswer{true, "", false, ""};
      return SarAnswer{false, absl::StrCat(r.user, " may not"), false, ""};
    });
    ASSERT_THAT(cluster_->WriteKubeconfig(dir_ + "/kubeconfig"), IsOk());
  }

  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  std::map<std::string, std::string> Data(const std::string& client_ca) {
    return {{"client-ca-file", client_ca},
            {"requestheader-client-ca-file", proxy_ca_.first},
            {"requestheader-allowed-names", R"(["front-proxy-client"])"},
            {"requestheader-username-headers", R"(["X-Remote-User"])"},
            {"requestheader-group-headers", R"(["X-Remote-Group"])"},
            {"requestheader-extra-headers-prefix", R"(["X-Remote-Extra-"])"}};
  }

  // ServerArgs is delegated_apiserver's command line against the fake cluster, serving on `port`.
  std::vector<std::string> ServerArgs(int port) const {
    return {absl::StrCat(std::getenv("TEST_SRCDIR"), "/", std::getenv("TEST_WORKSPACE"),
                         "/tests/delegation/delegated_apiserver"),
            "--bind-address=127.0.0.1",
            absl::StrCat("--secure-port=", port),
            absl::StrCat("--cert-dir=", dir_, "/certs"),
            absl::StrCat("--authentication-kubeconfig=", dir_, "/kubeconfig"),
            absl::StrCat("--authorization-kubeconfig=", dir_, "/kubeconfig")};
  }

  // StartServer runs delegated_apiserver against the fake cluster and waits until it serves. The test listens on
  // 127.0.0.1:0 and hands the socket to the server (socket activation, fd 3): no other process can take the port.
  void StartServer(std::vector<std::string> extra = {}) {
    absl::StatusOr<int> listener = harness::ListenOnLoopback(/*reuse_port=*/false, &port_);
    ASSERT_THAT(listener, IsOk());
    log_ = dir_ + "/server.log";
    std::vector<std::string> args = ServerArgs(port_);
    args.push_back("--feature-gates=UnauthenticatedHTTP2DOSMitigation=false");
    args.push_back("-v=2");
    args.insert(args.end(), extra.begin(), extra.end());
    absl::StatusOr<pid_t> spawned = harness::SpawnWithListener(args, log_, *listener);
    ASSERT_THAT(spawned, IsOk());
    pid_ = *spawned;
    for (int i = 0; i < 200; ++i) {
      if (absl::StrContains(ReadFile(log_), "Serving securely on")) return;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        FAIL() << "the server exited: " << ReadFile(log_);
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    FAIL() << "not serving: " << ReadFile(log_);
  }

  // Curl returns "<body>\n<status>".
  std::string Curl(const std::string& path, const std::string& flags = "") {
    return Shell(absl::StrCat("curl -sk --max-time 20 ", flags, " -w '\\n%{http_code}' 'https://127.0.0.1:", port_,
                              path, "' 2>&1"));
  }
  std::string Bearer(const std::string& token) { return absl::StrCat("-H 'Authorization: Bearer ", token, "'"); }
  // CertFlags writes a client certificate for `cn` signed by `ca` and returns curl's flags for it.
  std::string CertFlags(const std::string& cn, const std::pair<std::string, std::string>& ca) {
    auto pair = cluster_->IssueClientCert(cn, {"certs"}, ca.first, ca.second);
    EXPECT_THAT(pair, IsOk());
    const std::string base = absl::StrCat(dir_, "/", cn, "-", std::hash<std::string>()(ca.first));
    WriteFile(base + ".crt", pair->first);
    WriteFile(base + ".key", pair->second);
    return absl::StrCat("--cert ", base, ".crt --key ", base, ".key");
  }

  std::unique_ptr<FakeCluster> cluster_;
  std::pair<std::string, std::string> proxy_ca_, ca_one_, ca_two_;
  std::string dir_;
  std::string log_;
  int port_ = 0;
  pid_t pid_ = -1;
};

TEST_F(DelegationTest, BearerTokenReviewedOncePerTtlAndAuthorizedBySar) {
  StartServer();
  EXPECT_EQ(Curl("/whoami", Bearer("alice-token")), "alice dev,system:authenticated\n\n200");
  EXPECT_EQ(cluster_->Count(Endpoint::kTokenReview), 1);
  EXPECT_EQ(cluster_->Count(Endpoint::kSubjectAccessReview), 1);
  SarRequest sar = cluster_->LastSar();
  EXPECT_EQ(sar.user, "alice");
  EXPECT_EQ(sar.path, "/whoami");
  EXPECT_EQ(sar.verb, "get");
  EXPECT_FALSE(sar.resource_request);

  // 1 000 requests over HTTP/2 and 1 000 over HTTP/1.1 within the 10 s TTLs: no more reviews.
  cluster_->ResetCounts();
  const absl::Time start = absl::Now();
  std::string h2 = Shell(absl::StrCat(
      "h2load -n 1000 -c 4 -m 8 -H 'Authorization: Bearer alice-token' https://127.0.0.1:", port_, "/whoami 2>&1"));
  std::string h1 = Shell(absl::StrCat(
      "h2load --h1 -n 1000 -c 4 -H 'Authorization: Bearer alice-token' https://127.0.0.1:", port_, "/whoami 2>&1"));
  const absl::Duration took = absl::Now() - start;
  EXPECT_THAT(h2, HasSubstr("1000 succeeded")) << h2;
  EXPECT_THAT(h2, HasSubstr("1000 2xx")) << h2;
  EXPECT_THAT(h1, HasSubstr("1000 2xx")) << h1;
  const int64_t reviews = cluster_->Count(Endpoint::kTokenReview);
  const int64_t sars = cluster_->Count(Endpoint::kSubjectAccessReview);
  std::printf("2000 requests in %s: %lld TokenReviews, %lld SubjectAccessReviews (cache TTL 10 s)\n",
              absl::FormatDuration(took).c_str(), static_cast<long long>(reviews), static_cast<long long>(sars));
  if (took < absl::Seconds(9)) {
    EXPECT_EQ(reviews, 0);  // still cached from the first request
    EXPECT_EQ(sars, 0);
  } else {
    EXPECT_LE(reviews, 1 + absl::ToInt64Seconds(took) / 10);
    EXPECT_LE(sars, 1 + absl::ToInt64Seconds(took) / 10);
  }
}

TEST_F(DelegationTest, SarDenialIsKubes403WithTheReason) {
  StartServer();
  std::string out = Curl("/whoami", Bearer("bob-token"));
  EXPECT_THAT(out, HasSubstr(R"("message":"forbidden: User \"bob\" cannot get path \"/whoami\": bob may not")"));
  EXPECT_THAT(out, HasSubstr("\n403"));
  // An unknown token: the review says not authenticated → 401.
  EXPECT_THAT(Curl("/whoami", Bearer("nobody-token")), HasSubstr("\n401"));
}

TEST_F(DelegationTest, AlwaysAllowPathsNeverCallTheCluster) {
  StartServer();
  cluster_->ResetCounts();
  for (const char* path : {"/healthz", "/readyz", "/livez"}) EXPECT_THAT(Curl(path), HasSubstr("ok\n200")) << path;
  EXPECT_EQ(cluster_->Count(Endpoint::kTokenReview), 0);
  EXPECT_EQ(cluster_->Count(Endpoint::kSubjectAccessReview), 0);
  // With a token, authentication reviews it once, but authorization is skipped.
  EXPECT_THAT(Curl("/healthz", Bearer("alice-token")), HasSubstr("ok\n200"));
  EXPECT_EQ(cluster_->Count(Endpoint::kSubjectAccessReview), 0);
}

TEST_F(DelegationTest, SlowOrDownClusterAndHealthzStillAnswered) {
  StartServer();
  ASSERT_THAT(Curl("/whoami", Bearer("alice-token")), HasSubstr("\n200"));  // cached from now on
  cluster_->SetFailure(Failure::kServerError);
  EXPECT_THAT(Curl("/whoami", Bearer("alice-token")), HasSubstr("\n200"));  // the cache answers
  EXPECT_THAT(Curl("/whoami", Bearer("carol-token")), HasSubstr("\n401"));  // review failed: 401
  cluster_->SetToken("dave-token", {.name = "dave", .uid = "", .groups = {}, .extra = {}, .error = ""});
  cluster_->SetFailure(Failure::kNone);
  ASSERT_THAT(Curl("/whoami", Bearer("dave-token")), HasSubstr("\n403"));  // dave may not (now cached as denied)
  cluster_->SetFailure(Failure::kServerError);
  cluster_->SetToken("erin-token", {.name = "erin", .uid = "", .groups = {}, .extra = {}, .error = ""});

  // Slow: a review that waits does not hold up /healthz.
  cluster_->SetFailure(Failure::kNone);
  cluster_->SetDelay(absl::Seconds(3));
  std::string slow;
  std::thread waiting([&] { slow = Curl("/whoami", Bearer("erin-token")); });
  absl::SleepFor(absl::Milliseconds(300));
  const absl::Time start = absl::Now();
  EXPECT_THAT(Curl("/healthz"), HasSubstr("ok\n200"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  waiting.join();
  EXPECT_THAT(slow, HasSubstr("erin may not"));  // answered once the cluster did (TokenReview, then SAR)
  EXPECT_THAT(slow, HasSubstr("\n403"));

  // Down for authorization only: a request that needs a new SAR is kube's 500.
  cluster_->SetDelay(absl::ZeroDuration());
  cluster_->SetToken("frank-token", {.name = "frank", .uid = "", .groups = {}, .extra = {}, .error = ""});
  ASSERT_THAT(Curl("/healthz", Bearer("frank-token")), HasSubstr("\n200"));  // reviewed and cached, no SAR
  cluster_->SetFailure(Failure::kServerError);
  EXPECT_THAT(Curl("/whoami", Bearer("frank-token")), HasSubstr("\n500"));
  EXPECT_THAT(Curl("/healthz"), HasSubstr("ok\n200"));
}

TEST_F(DelegationTest, ConfigMapClientCaChangeTakesEffectWithoutRestart) {
  StartServer();
  const std::string one = CertFlags("cert-user", ca_one_);
  const std::string two = CertFlags("cert-user", ca_two_);
  EXPECT_EQ(Curl("/whoami", one), "cert-user certs,system:authenticated\n\n200");
  EXPECT_THAT(Curl("/whoami", two), HasSubstr("\n401"));

  cluster_->SetConfigMapData(Data(ca_two_.first));
  bool switched = false;
  const absl::Time start = absl::Now();
  while (!switched && absl::Now() - start < absl::Seconds(10)) {
    switched = absl::EndsWith(Curl("/whoami", two), "\n200");
    if (!switched) absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_TRUE(switched) << ReadFile(log_);
  std::printf("client CA switched %s after the ConfigMap changed\n", absl::FormatDuration(absl::Now() - start).c_str());
  EXPECT_THAT(Curl("/whoami", one), HasSubstr("\n401"));
  EXPECT_THAT(ReadFile(log_), HasSubstr("Loaded a new CA Bundle and Verifier"));
}

TEST_F(DelegationTest, RequestHeaderFromTheConfigMap) {
  StartServer();
  const std::string proxy = CertFlags("front-proxy-client", proxy_ca_);
  EXPECT_EQ(Curl("/whoami", proxy + " -H 'X-Remote-User: carol' -H 'X-Remote-Group: ops'"),
            "carol ops,system:authenticated\n\n200");
  EXPECT_EQ(cluster_->LastSar().user, "carol");
  // The allowed names change: that proxy is no longer trusted.
  std::map<std::string, std::string> data = Data(ca_one_.first);
  data["requestheader-allowed-names"] = R"(["another-proxy"])";
  cluster_->SetConfigMapData(data);
  bool refused = false;
  for (int i = 0; i < 200 && !refused; ++i) {
    refused = absl::EndsWith(Curl("/whoami", proxy + " -H 'X-Remote-User: carol'"), "\n401");
    if (!refused) absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_TRUE(refused);
}

// Identity headers the ConfigMap names (and the flags do not) are removed from requests authenticated any other way:
// a client's own X-Custom-User never reaches the handler once the ConfigMap makes it the username header.
TEST_F(DelegationTest, IdentityHeadersNamedByTheConfigMapNeverReachTheHandler) {
  StartServer();
  const std::string forged =
      " -H 'X-Custom-User: mallory' -H 'X-Custom-Group: system:masters'"
      " -H 'X-Custom-Extra-Scopes: all' -H 'X-Other: kept'";
  // Not identity headers yet: the handler sees them as any other header.
  std::string before = absl::AsciiStrToLower(Curl("/headers", Bearer("alice-token") + forged));
  EXPECT_THAT(before, HasSubstr("x-custom-user\n"));
  EXPECT_THAT(before, HasSubstr("\n200"));

  std::map<std::string, std::string> data = Data(ca_one_.first);
  data["requestheader-username-headers"] = R"(["X-Custom-User"])";
  data["requestheader-group-headers"] = R"(["X-Custom-Group"])";
  data["requestheader-extra-headers-prefix"] = R"(["X-Custom-Extra-"])";
  cluster_->SetConfigMapData(data);
  // In force once the front proxy's X-Custom-User authenticates.
  const std::string proxy = CertFlags("front-proxy-client", proxy_ca_);
  bool switched = false;
  for (int i = 0; i < 200 && !switched; ++i) {
    switched = absl::StartsWith(Curl("/whoami", proxy + " -H 'X-Custom-User: carol'"), "carol ");
    if (!switched) absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(switched) << ReadFile(log_);

  // A bearer token (TokenReview) authenticates alice; the forged identity headers are gone, the others stay.
  for (const char* protocol : {"--http2", "--http1.1"}) {
    std::string after =
        absl::AsciiStrToLower(Curl("/headers", absl::StrCat(protocol, " ", Bearer("alice-token"), forged)));
    EXPECT_THAT(after, Not(HasSubstr("x-custom-"))) << protocol;
    EXPECT_THAT(after, Not(HasSubstr("authorization"))) << protocol;
    EXPECT_THAT(after, HasSubstr("x-other\n")) << protocol;
    EXPECT_THAT(after, HasSubstr("\n200")) << protocol;
  }
  EXPECT_EQ(Curl("/whoami", Bearer("alice-token") + forged), "alice dev,system:authenticated\n\n200");
}

TEST_F(DelegationTest, StartUpLookupFailure) {
  cluster_->SetFailure(Failure::kForbidden);
  port_ = 0;
  StartServer({"--authentication-tolerate-lookup-failure"});
  EXPECT_THAT(ReadFile(log_), HasSubstr("Continuing without authentication configuration."));
  ::kill(pid_, SIGTERM);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;

  // Not tolerated: start-up fails with kube's message.
  int port = 0;
  absl::StatusOr<int> listener = harness::ListenOnLoopback(/*reuse_port=*/false, &port);
  ASSERT_THAT(listener, IsOk());
  const std::string log = dir_ + "/not-tolerated.log";
  absl::StatusOr<pid_t> spawned = harness::SpawnWithListener(ServerArgs(port), log, *listener);
  ASSERT_THAT(spawned, IsOk());
  int status = 0;
  ASSERT_EQ(::waitpid(*spawned, &status, 0), *spawned);
  const std::string out = ReadFile(log);
  EXPECT_THAT(out, HasSubstr("Error: unable to load configmap based request-header-client-ca-file: configmaps "
                             "\"extension-apiserver-authentication\" is forbidden: User "
                             "\"system:serviceaccount:kube-system:sample-apiserver\" cannot get resource "
                             "\"configmaps\" in API group \"\" in the namespace \"kube-system\""));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << "status " << status << ": " << out;
}

}  // namespace
}  // namespace apiserve::fakecluster
