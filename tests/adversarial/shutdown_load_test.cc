// Graceful termination under a steady HTTP/1.1 + HTTP/2 load (delay and ticks requests in flight): nothing the
// server accepted is lost. A request with a response head but no complete body, or reset after acceptance, is
// lost; one without any response byte is lost only if the server's access log (-v=3) shows it was accepted.
#include <signal.h>

#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adversarial/adversarial_client.h"
#include "tests/e2e/apiserver_process.h"

namespace apiserve::adversarial {
namespace {

using e2e::ApiserverProcess;

// AcceptedButUnanswered lists the ids the client got nothing for but the access log shows as served.
std::vector<std::string> AcceptedButUnanswered(const ClientReport& r, const std::string& log) {
  std::vector<std::string> lost;
  if (r.Str("unanswered_ids") == "none") return lost;
  for (absl::string_view uri : absl::StrSplit(r.Str("unanswered_ids"), ',', absl::SkipEmpty())) {
    if (log.find(absl::StrCat("URI=\"", uri, "\"")) != std::string::npos) lost.emplace_back(uri);
  }
  return lost;
}

void RunUnderLoad(bool retry_after) {
  // kube's own shutdown sequence, one server: without the connection drain of the shutdown delay (issue 20), which
  // would send this test's single-server clients straight back to the same server on fresh connections whose first
  // request can race NotAcceptingNewRequest (kube's 503). The drain is tested behind a load balancer, where clients
  // move to another replica: tests/scaleout.
  std::vector<std::string> flags = {"-v=3", "--shutdown-delay-duration=2s", "--idle-timeout=30s",
                                    "--shutdown-drain-connections=false"};
  if (retry_after) flags.push_back("--shutdown-send-retry-after");
  ApiserverProcess server(flags);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  ClientReport r;
  std::thread load([&] {
    r = RunClient(server, "shutdown_load", {"--seconds", "5", "--h1-workers", "4", "--h2-workers", "2"});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  server.Signal(SIGTERM);
  const bool initiated = server.WaitForLog("name=\"ShutdownInitiated\"");
  e2e::CurlResult readyz = e2e::Curl(server, "/readyz", {"--http1.1"});
  load.join();
  ASSERT_TRUE(initiated) << server.Log();
  EXPECT_EQ(readyz.status, 500) << "readyz is red from the first moment";
  EXPECT_EQ(server.Wait(), 0) << server.Log();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::printf("%s\n", r.out.c_str());
  EXPECT_GT(r.Int("ok"), 20) << r.out;
  EXPECT_EQ(r.Int("incomplete"), 0) << r.out;
  EXPECT_EQ(r.Int("bad_status"), 0) << r.out;
  EXPECT_THAT(AcceptedButUnanswered(r, server.Log()), ::testing::IsEmpty()) << r.out;
  if (retry_after) {
    EXPECT_GT(r.Int("rejected_429"), 0) << r.out;
    EXPECT_EQ(r.Int("retry_after_ok"), 1) << r.out;
  } else {
    EXPECT_EQ(r.Int("rejected_429"), 0) << r.out;
    EXPECT_GT(r.Int("refused"), 0) << r.out;  // after NotAcceptingNewRequest: connection refused or GOAWAY
  }
}

TEST(ShutdownLoadTest, DefaultModeLosesNothingAccepted) { RunUnderLoad(/*retry_after=*/false); }

TEST(ShutdownLoadTest, RetryAfterModeLosesNothingAndAnswers429) { RunUnderLoad(/*retry_after=*/true); }

}  // namespace
}  // namespace apiserve::adversarial
