// kubectl against the demo binary (skipped when kubectl is not on PATH): discovery generated from what is installed
// tells kubectl the truth — the resource types with their kinds, no core group, schemas for explain.
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/apiserver_process.h"

namespace apiserve::e2e {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

class KubectlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (RunCommand({"sh", "-c", "command -v kubectl"}).exit_code != 0) return;
    server_ = new ApiserverProcess();
    ASSERT_TRUE(server_->Start().ok()) << server_->Log();
    dir_ = new std::string(TempDir("kubectl"));
    std::ofstream(*dir_ + "/kubeconfig") << "apiVersion: v1\nkind: Config\nclusters:\n- name: demo\n  cluster:\n"
                                         << "    server: https://127.0.0.1:" << server_->port()
                                         << "\n    insecure-skip-tls-verify: true\ncontexts:\n- name: demo\n"
                                         << "  context: {cluster: demo, user: demo}\ncurrent-context: demo\n"
                                         << "users:\n- name: demo\n  user: {token: anything}\n";
  }
  static void TearDownTestSuite() {
    if (server_ == nullptr) return;
    server_->Signal(SIGTERM);
    EXPECT_EQ(server_->Wait(), 0);
    delete server_;
    delete dir_;
  }
  void SetUp() override {
    if (server_ == nullptr) GTEST_SKIP() << "kubectl is not on PATH";
  }
  static CommandResult Kubectl(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"kubectl", "--kubeconfig=" + *dir_ + "/kubeconfig", "--cache-dir=" + *dir_ + "/cache"});
    return RunCommand(args, input);
  }

  static ApiserverProcess* server_;
  static std::string* dir_;
};

ApiserverProcess* KubectlTest::server_ = nullptr;
std::string* KubectlTest::dir_ = nullptr;

TEST_F(KubectlTest, ApiResourcesShowsTheInstalledResourcesWithTheirKinds) {
  CommandResult r = Kubectl({"api-resources"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ContainsRegex("delay +demo.apiserve.io/v1 +false +Delay"));
  EXPECT_THAT(r.out, ContainsRegex("echo +demo.apiserve.io/v1 +false +Echo"));
  EXPECT_THAT(r.out, ContainsRegex("ticks +demo.apiserve.io/v1 +false +Tick"));
  EXPECT_THAT(r.out, Not(HasSubstr("pods")));
}

TEST_F(KubectlTest, GetPodsSaysTheServerHasNoSuchResourceType) {
  CommandResult r = Kubectl({"get", "pods"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("the server doesn't have a resource type \"pods\""));
}

TEST_F(KubectlTest, ExplainFindsTheKindsSchema) {
  CommandResult r = Kubectl({"explain", "ticks"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ContainsRegex("KIND: +Tick"));
  EXPECT_THAT(r.out, HasSubstr("tick\t<integer>"));
}

TEST_F(KubectlTest, RawRequestsReachTheDemoResources) {
  CommandResult delay = Kubectl({"get", "--raw", "/apis/demo.apiserve.io/v1/delay?duration=10ms"});
  EXPECT_EQ(delay.out, "{\"delayed\":\"10ms\"}\n") << delay.err;
  CommandResult echo = Kubectl({"create", "--raw", "/apis/demo.apiserve.io/v1/echo", "-f", "-"}, "{\"hello\":1}");
  EXPECT_EQ(echo.out, "{\"hello\":1}") << echo.err;
  CommandResult not_allowed = Kubectl({"get", "--raw", "/apis/demo.apiserve.io/v1/echo"});
  EXPECT_THAT(not_allowed.err, HasSubstr("the server does not allow this method on the requested resource"));
}

}  // namespace
}  // namespace apiserve::e2e
