// Resource limits of the real binary: accept under EMFILE must not spin the loop, and --max-connections closes
// what is over the limit with one log line per burst. Both recover once connections close.
#include <unistd.h>

#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adversarial/adversarial_client.h"
#include "tests/e2e/apiserver_process.h"

namespace apiserve::adversarial {
namespace {

using e2e::ApiserverProcess;

int CountOf(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

TEST(ResourceLimitsTest, FileDescriptorExhaustionDoesNotSpinAndRecovers) {
  // Handshakes wait 10 s, so the held connections keep their descriptors while we measure.
  ApiserverProcess server({"--read-header-timeout=10s"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  // After start: the server raises its soft limit to the hard one, so lower both.
  e2e::CommandResult limited = e2e::RunCommand({"prlimit", "--pid", absl::StrCat(server.pid()), "--nofile=64:64"});
  ASSERT_EQ(limited.exit_code, 0) << limited.err;
  ClientReport held;
  std::thread hold([&] { held = RunClient(server, "hold", {"--connections", "150", "--seconds", "4"}); });
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_GE(OpenFds(server.pid()), 60);  // at the limit
  // A client that connects while the server is out of descriptors waits in the backlog and is served later
  // (libuv's own accept path would have accepted and reset it).
  e2e::CurlResult waited;
  std::thread waiting([&] { waited = e2e::Curl(server, "/healthz", {"--http1.1", "--max-time", "15"}); });
  const int64_t before = CpuTicks(server.pid());
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const int64_t used = CpuTicks(server.pid()) - before;
  const double share = static_cast<double>(used) / static_cast<double>(::sysconf(_SC_CLK_TCK)) / 2.0;
  std::printf("CPU under sustained EMFILE: %.1f%% of a core\n", share * 100);
  EXPECT_LT(share, 0.25);
  hold.join();
  waiting.join();
  EXPECT_EQ(held.Int("opened"), 150) << held.out;
  EXPECT_TRUE(Alive(server.pid()));
  EXPECT_EQ(waited.status, 200) << waited.exit_code << " " << waited.err << server.Log();
  EXPECT_TRUE(Healthz(server)) << server.Log();
}

TEST(ResourceLimitsTest, MaxConnectionsClosesTheExcessAndLogsOncePerBurst) {
  ApiserverProcess server({"--max-connections=20", "--read-header-timeout=10s"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  ClientReport held;
  std::thread hold([&] { held = RunClient(server, "hold", {"--connections", "40", "--seconds", "3"}); });
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_FALSE(Healthz(server)) << "the 41st connection is closed at once";
  hold.join();
  EXPECT_EQ(held.Int("opened"), 40) << held.out;
  ASSERT_TRUE(server.WaitForLog("Too many open connections (20): closing new connection from 127.0.0.1:"));
  EXPECT_EQ(CountOf(server.Log(), "Too many open connections"), 1) << server.Log();
  // The held connections are gone: slots are free again.
  bool healthy = false;
  for (int i = 0; i < 50 && !healthy; ++i) {
    healthy = Healthz(server);
    if (!healthy) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(healthy) << server.Log();
}

}  // namespace
}  // namespace apiserve::adversarial
