// Adversarial clients against the real binary, each test ending with the server alive and answering /healthz:
// slowloris, garbage instead of TLS or HTTP, oversized headers and bodies (HTTP/1.1 and HTTP/2), HTTP/2 floods and
// protocol abuse from raw frames, half-closed sockets, and clients that never read their responses.
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adversarial/adversarial_client.h"
#include "tests/e2e/apiserver_process.h"

namespace apiserve::adversarial {
namespace {

using e2e::ApiserverProcess;
using ::testing::AnyOf;
using ::testing::Le;

void ExpectStillServing(const ApiserverProcess& server) {
  EXPECT_TRUE(Alive(server.pid())) << server.Log();
  EXPECT_TRUE(Healthz(server)) << server.Log();
}

TEST(AdversarialTest, SlowlorisConnectionsAreClosedAtTheReadHeaderTimeout) {
  ApiserverProcess server({"--read-header-timeout=500ms", "--idle-timeout=5s"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  const int baseline = OpenFds(server.pid());
  ClientReport r = RunClient(server, "slowloris", {"--connections", "1000", "--seconds", "20"}, absl::Seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.Int("opened"), 1000) << r.out;
  EXPECT_EQ(r.Int("closed_by_server"), 1000) << r.out;
  EXPECT_EQ(r.Int("still_open"), 0) << r.out;
  EXPECT_LT(r.Int("max_lifetime_ms"), 5000) << r.out;  // 500 ms plus a loaded machine's slack
  // The normal client kept being answered (its latency is for slowloris_bench.sh, not an assertion).
  EXPECT_GT(r.Int("normal_ok"), 0) << r.out;
  EXPECT_EQ(r.Int("normal_failed"), 0) << r.out;
  EXPECT_THAT(WaitForFds(server.pid(), baseline, absl::Seconds(5)), Le(baseline));
  ExpectStillServing(server);
}

TEST(AdversarialTest, GarbageIsClosed) {
  ApiserverProcess server({"--read-header-timeout=500ms"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  ClientReport r = RunClient(server, "garbage", {"--connections", "20"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.Int("closed"), 20) << r.out;               // random bytes and plaintext HTTP to the TLS port
  EXPECT_EQ(r.Int("tls_garbage_status"), 400) << r.out;  // valid TLS, garbage instead of a request line
  EXPECT_EQ(r.Int("tls_garbage_closed"), 1) << r.out;
  ExpectStillServing(server);
}

TEST(AdversarialTest, OversizedHeaders) {
  ApiserverProcess server({"--read-header-timeout=5s"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  ClientReport r = RunClient(server, "oversize");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.Int("h1_headers"), 431) << r.out;
  EXPECT_EQ(r.Int("h2_headers"), 431) << r.out;
  // Bodies over the limit: request_body_test (kube's 413 Status from the chain, after authentication).
  ExpectStillServing(server);
}

struct AttackCase {
  std::string attack;
  int goaway;  // RFC 9113 error code expected in the GOAWAY
};

class Http2AttackTest : public ::testing::TestWithParam<AttackCase> {};

TEST_P(Http2AttackTest, EndsWithGoawayAndClose) {
  ApiserverProcess server({"--read-header-timeout=2s", "--idle-timeout=2s"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  const int64_t rss_before = RssKib(server.pid());
  ClientReport r = RunClient(server, "h2", {"--attack", GetParam().attack, "--seconds", "10"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.Int("goaway"), GetParam().goaway) << r.out;
  EXPECT_EQ(r.Int("closed"), 1) << r.out;
  if (GetParam().attack == "many_streams") {
    EXPECT_THAT(r.Int("last_stream"), Le(2 * 100 - 1)) << r.out;  // at most max-concurrent-streams processed
  }
  EXPECT_LT(RssKib(server.pid()) - rss_before, 200 * 1024);
  ExpectStillServing(server);
}

INSTANTIATE_TEST_SUITE_P(Floods, Http2AttackTest,
                         ::testing::Values(AttackCase{"rapid_reset", 0xb}, AttackCase{"settings_flood", 0xb},
                                           AttackCase{"continuation", 0xb},
                                           // nghttp2 closes with PROTOCOL_ERROR once the SETTINGS ack is in
                                           // (RFC 9113 §5.1.2 allows it; DESIGN §9).
                                           AttackCase{"many_streams", 0x1}),
                         [](const auto& test_info) { return test_info.param.attack; });

// A PING flood from a client that reads is answered at line rate (each 16 KiB TLS record holds fewer PINGs than
// the 1000 queued ACKs that trip nghttp2); one that stops reading is stopped by backpressure (we stop reading too).
// Either way the connection ends: with GOAWAY(ENHANCE_YOUR_CALM) or the idle GOAWAY(NO_ERROR).
TEST(AdversarialTest, PingFloodIsBounded) {
  ApiserverProcess server({"--idle-timeout=2s"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  const int64_t rss_before = RssKib(server.pid());
  ClientReport r = RunClient(server, "h2", {"--attack", "ping_flood", "--seconds", "10"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.Int("goaway"), AnyOf(0x0, 0xb)) << r.out;
  EXPECT_EQ(r.Int("closed"), 1) << r.out;
  EXPECT_LT(RssKib(server.pid()) - rss_before, 200 * 1024);
  ExpectStillServing(server);
}

// Regression: an HTTP/1.1 client that half-closes after its request used to lose the response of an asynchronous
// handler (the server closed at the read EOF).
TEST(AdversarialTest, HalfClosedClientsGetTheirAnswerAndNothingLeaks) {
  ApiserverProcess server({"--read-header-timeout=2s"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  const int baseline = OpenFds(server.pid());
  ClientReport r = RunClient(server, "half_close", {"--connections", "16"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.Int("answered"), 16) << r.out;
  EXPECT_EQ(r.Int("closed"), 16) << r.out;
  EXPECT_THAT(WaitForFds(server.pid(), baseline, absl::Seconds(5)), Le(baseline));
  ExpectStillServing(server);
}

TEST(AdversarialTest, ClientsThatNeverReadKeepMemoryBounded) {
  ApiserverProcess server({"--idle-timeout=30s"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  const int baseline = OpenFds(server.pid());
  const int64_t rss_before = RssKib(server.pid());
  ClientReport r;
  std::thread attack([&] { r = RunClient(server, "no_read", {"--connections", "20", "--seconds", "6"}); });
  std::this_thread::sleep_for(std::chrono::seconds(4));
  EXPECT_TRUE(Healthz(server)) << "others are still answered";
  const int64_t rss_during = RssKib(server.pid());
  attack.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.Int("held"), 42) << r.out;
  RecordProperty("rss_growth_kib", std::to_string(rss_during - rss_before));
  std::printf("RSS before %lld KiB, while 42 connections do not read %lld KiB\n", static_cast<long long>(rss_before),
              static_cast<long long>(rss_during));
  EXPECT_LT(rss_during - rss_before, 200 * 1024);
  EXPECT_THAT(WaitForFds(server.pid(), baseline, absl::Seconds(10)), Le(baseline));
  ExpectStillServing(server);
}

}  // namespace
}  // namespace apiserve::adversarial
