// Graceful termination of the real binary in both modes: kube's signal orders read from the -v=1
// [graceful-termination] lines, in-flight requests finishing with 200, readyz failing at once, connection refused
// after NotAcceptingNewRequest (default mode), 429 + Retry-After: 5 + Connection: close (retry-after mode), exempt
// paths still served, and a second SIGTERM exiting 1.
#include <signal.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/apiserver_process.h"

namespace apiserve::e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// EventOrder extracts the shutdown event names from the log, in order.
std::vector<std::string> EventOrder(const std::string& log) {
  std::vector<std::string> names;
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    const size_t at = line.find("shutdown event\" name=\"");
    if (at != absl::string_view::npos) {
      absl::string_view rest = line.substr(at + 22);
      names.emplace_back(rest.substr(0, rest.find('"')));
    } else if (line.find("pre-shutdown hooks completed") != absl::string_view::npos) {
      names.emplace_back("PreShutdownHooksStopped");
    }
  }
  return names;
}

TEST(ShutdownTest, DefaultModeDrainsInFlightAndRefusesNewConnections) {
  ApiserverProcess server({"-v=1", "--shutdown-delay-duration=300ms"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  CurlResult in_flight;
  std::thread slow([&] { in_flight = Curl(server, "/apis/demo.apiserve.io/v1/delay?duration=1s", {"--http2"}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  server.Signal(SIGTERM);
  ASSERT_TRUE(server.WaitForLog("name=\"ShutdownInitiated\""));
  // During the delay: readyz is red at once, the rest is served on new connections.
  CurlResult readyz = Curl(server, "/readyz", {"--http1.1"});
  EXPECT_EQ(readyz.status, 500);
  EXPECT_EQ(readyz.body,
            "[+]ping ok\n[+]log ok\n[+]poststarthook/max-in-flight-filter ok\n[-]shutdown failed: reason withheld\n"
            "readyz check failed\n");
  EXPECT_EQ(Curl(server, "/livez").status, 200);
  EXPECT_EQ(Curl(server, "/apis").status, 200);
  ASSERT_TRUE(server.WaitForLog("name=\"NotAcceptingNewRequest\""));
  ASSERT_TRUE(server.WaitForLog("name=\"HTTPServerStoppedListening\""));
  EXPECT_EQ(Curl(server, "/apis").exit_code, 7);  // curl: failed to connect (connection refused)
  slow.join();
  EXPECT_EQ(in_flight.status, 200);
  EXPECT_EQ(in_flight.body, "{\"delayed\":\"1s\"}\n");
  EXPECT_EQ(server.Wait(), 0);
  EXPECT_THAT(EventOrder(server.Log()),
              ElementsAre("ShutdownInitiated", "PreShutdownHooksStopped", "AfterShutdownDelayDuration",
                          "NotAcceptingNewRequest", "HTTPServerStoppedListening", "InFlightRequestsDrained"));
  EXPECT_THAT(server.Log(), HasSubstr("[graceful-termination] apiserver is exiting"));
}

TEST(ShutdownTest, RetryAfterModeKeepsListeningWith429UntilDrained) {
  ApiserverProcess server({"-v=1", "--shutdown-send-retry-after", "--shutdown-delay-duration=100ms"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  CurlResult in_flight;
  std::thread slow([&] { in_flight = Curl(server, "/apis/demo.apiserve.io/v1/delay?duration=3s"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  server.Signal(SIGTERM);
  ASSERT_TRUE(server.WaitForLog("name=\"NotAcceptingNewRequest\""));
  for (const char* protocol : {"--http1.1", "--http2"}) {
    CurlResult rejected = Curl(server, "/apis/demo.apiserve.io/v1", {protocol});
    EXPECT_EQ(rejected.status, 429) << protocol;
    EXPECT_EQ(rejected.body, "The apiserver is shutting down, please try again later.\n");
    EXPECT_THAT(absl::AsciiStrToLower(rejected.headers), HasSubstr("retry-after: 5"));
    if (std::string(protocol) == "--http1.1") {
      EXPECT_THAT(rejected.headers, HasSubstr("Connection: close"));
    }
  }
  EXPECT_EQ(Curl(server, "/livez").status, 200);    // exempt
  EXPECT_NE(Curl(server, "/metrics").status, 429);  // exempt
  CurlResult loopback = Curl(server, "/apis", {"-A", "kube-apiserver/v1.31.0 (linux/amd64)"});
  EXPECT_EQ(loopback.status, 200);
  slow.join();
  EXPECT_EQ(in_flight.status, 200);
  EXPECT_EQ(server.Wait(), 0);
  EXPECT_THAT(EventOrder(server.Log()),
              ElementsAre("ShutdownInitiated", "PreShutdownHooksStopped", "AfterShutdownDelayDuration",
                          "NotAcceptingNewRequest", "InFlightRequestsDrained", "HTTPServerStoppedListening"));
}

TEST(ShutdownTest, SecondSigtermExitsOne) {
  ApiserverProcess server({"-v=1", "--shutdown-delay-duration=10s"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  server.Signal(SIGTERM);
  ASSERT_TRUE(server.WaitForLog("name=\"ShutdownInitiated\""));
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(), 1);
}

}  // namespace
}  // namespace apiserve::e2e
