// kube's filter order against the real binary (issue 19 items 1-3): authentication runs before max in-flight, so
// under a real overload (--max-requests-inflight=1 held by a slow request) a bad credential is still a 401, an
// administrator (system:masters) still gets in, and everyone else gets the 429; every answer the chain writes
// carries an Audit-Id; 403 bodies carry the authorizer's reason.
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/apiserver_process.h"

namespace apiserve::e2e {
namespace {

using ::testing::HasSubstr;

std::string TokenFile() {
  const std::string path = TempDir("tokens") + "/tokens.csv";
  std::ofstream(path) << "admin-token,admin,1,\"system:masters\"\n"
                      << "alice-token,alice,2\n";
  return path;
}

std::vector<std::string> Bearer(const std::string& token) { return {"-H", "Authorization: Bearer " + token}; }

bool HasAuditId(const CurlResult& r) {
  return r.headers.find("\naudit-id: ") != std::string::npos || r.headers.find("\nAudit-Id: ") != std::string::npos;
}

TEST(FilterOrderTest, UnderOverloadAdminsGetInAndBadTokensAre401) {
  ApiserverProcess server({"--token-auth-file=" + TokenFile(), "--max-requests-inflight=1"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  // alice holds the only read-only slot for 4 s: long enough that the three requests below, each a curl process
  // started on a loaded machine, all run while it is held. Her first probe can race the slow request to the slot
  // (both curls start together): then the slow one is the 429 and the attempt starts over.
  CurlResult slow;
  CurlResult alice;
  for (int attempt = 0; attempt < 5 && alice.status != 429; ++attempt) {
    std::atomic<bool> slow_done{false};
    std::thread holder([&] {
      slow = Curl(server, "/apis/demo.apiserve.io/v1/delay?duration=4s", Bearer("alice-token"));
      slow_done = true;
    });
    // Wait until the slot is taken: alice's next request is refused.
    for (int i = 0; i < 100 && !slow_done; ++i) {
      alice = Curl(server, "/version", Bearer("alice-token"));
      if (alice.status == 429) break;
      ::usleep(20 * 1000);
    }
    if (alice.status == 429) {
      EXPECT_TRUE(HasAuditId(alice)) << alice.headers;
      CurlResult admin = Curl(server, "/version", Bearer("admin-token"));
      EXPECT_EQ(admin.status, 200) << admin.body;  // system:masters is exempt
      CurlResult bad = Curl(server, "/version", Bearer("no-such-token"));
      EXPECT_EQ(bad.status, 401) << bad.body;  // authentication first: not a 429
      EXPECT_TRUE(HasAuditId(bad)) << bad.headers;
    }
    holder.join();
  }
  ASSERT_EQ(alice.status, 429) << alice.body;
  EXPECT_EQ(slow.status, 200) << slow.body;
}

TEST(FilterOrderTest, ForbiddenCarriesTheReasonAndMastersAreAllowed) {
  ApiserverProcess server({"--token-auth-file=" + TokenFile(), "--authorization-mode=AlwaysDeny"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  CurlResult alice = Curl(server, "/version", Bearer("alice-token"));
  EXPECT_EQ(alice.status, 403);
  EXPECT_THAT(alice.body, HasSubstr(R"("message":"forbidden: User \"alice\" cannot get path \"/version\": )"
                                    R"(Everything is forbidden.")"));
  EXPECT_THAT(alice.headers, HasSubstr("x-content-type-options: nosniff"));
  CurlResult admin = Curl(server, "/version", Bearer("admin-token"));
  EXPECT_EQ(admin.status, 200) << admin.body;  // the privileged-group authorizer comes first
}

}  // namespace
}  // namespace apiserve::e2e
