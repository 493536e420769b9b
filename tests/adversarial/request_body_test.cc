// Request bodies against the real binary (issue 16, DESIGN §4): requests go to the chain on their headers, so a
// client the chain refuses is answered at once and its body is never buffered; bodies over the limit get kube's 413
// Status; a body that stops arriving is ended by the request timeout; and many unfinished unauthenticated bodies
// hold next to nothing (the server's own accounting, apiserve_request_body_buffered_bytes).
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adversarial/adversarial_client.h"
#include "tests/e2e/apiserver_process.h"

namespace apiserve::adversarial {
namespace {

using e2e::ApiserverProcess;
using ::testing::Le;

constexpr char kToken[] = "body-test-token";

// TokenFile writes a token file with one user (kToken → alice) and returns its path.
std::string TokenFile() {
  const std::string path = e2e::TempDir("tokens") + "/tokens.csv";
  std::ofstream(path) << kToken << ",alice,1001\n";
  return path;
}

std::vector<std::string> Flags(std::vector<std::string> extra) {
  extra.push_back("--token-auth-file=" + TokenFile());
  return extra;
}

void ExpectStillServing(const ApiserverProcess& server) {
  EXPECT_TRUE(Alive(server.pid())) << server.Log();
  const e2e::CurlResult r = e2e::Curl(server, "/healthz", {"-H", std::string("Authorization: Bearer ") + kToken});
  EXPECT_EQ(r.status, 200) << r.err << server.Log();
  EXPECT_EQ(r.body, "ok");
}

// An unauthenticated POST whose body never completes is answered 401 on its headers (before, it waited for the
// last byte). HTTP/1.1: 3 MiB announced and 64 KiB sent, so the answer closes the connection; HTTP/2: the stream is
// reset with NO_ERROR after the answer and, per kube's unauthenticated-client mitigation, the connection is sent a
// graceful GOAWAY.
TEST(RequestBodyTest, UnauthenticatedBodyIsAnsweredOnItsHeaders) {
  ApiserverProcess server(Flags({"--anonymous-auth=false"}));
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  ClientReport r = RunClient(server, "early_answer", {"--seconds", "10"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.Int("h1_status"), 401) << r.out;
  EXPECT_EQ(r.Int("h1_connection_close"), 1) << r.out;
  EXPECT_EQ(r.Int("h1_closed"), 1) << r.out;
  EXPECT_EQ(r.Int("h1_audit_id"), 1) << r.out;
  EXPECT_EQ(r.Str("h1_reason"), "Unauthorized") << r.out;
  EXPECT_EQ(r.Int("h2_status"), 401) << r.out;
  EXPECT_EQ(r.Int("h2_reset"), 0) << r.out;   // RST_STREAM(NO_ERROR)
  EXPECT_EQ(r.Int("h2_goaway"), 0) << r.out;  // GOAWAY(NO_ERROR)
  EXPECT_EQ(r.Int("h2_audit_id"), 1) << r.out;
  ExpectStillServing(server);
}

// Over --max-request-body-bytes, declared or found while streaming, on HTTP/1.1 and HTTP/2: kube's Status JSON
// from the chain, after authentication, with an Audit-Id.
TEST(RequestBodyTest, BodiesOverTheLimitGetKubes413) {
  ApiserverProcess server(Flags({"--max-request-body-bytes=1048576"}));
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  ClientReport r = RunClient(server, "over_limit", {"--token", kToken, "--body-limit", "1048576", "--seconds", "10"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string name : {"h1_declared", "h1_chunked", "h2_declared", "h2_streamed"}) {
    EXPECT_EQ(r.Int(name), 413) << name << ": " << r.out;
    EXPECT_EQ(r.Str(name + "_message"), "Request_entity_too_large:_limit_is_1048576") << name << ": " << r.out;
    EXPECT_EQ(r.Int(name + "_audit_id"), 1) << name << ": " << r.out;
  }
  ExpectStillServing(server);
}

// A body that stops arriving is ended by the request timeout like any slow request: 504, then the HTTP/2 stream is
// reset and the HTTP/1.1 connection, waiting for the rest of a small body to drop it, closes at the read-header
// timeout; what they held is released.
TEST(RequestBodyTest, StalledBodyEndsAtTheRequestTimeout) {
  ApiserverProcess server(Flags({"--request-timeout=1s", "--read-header-timeout=1s"}));
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  ClientReport r = RunClient(server, "stalled_body", {"--token", kToken, "--seconds", "15"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.Int("h1_status"), 504) << r.out;
  EXPECT_EQ(r.Str("h1_reason"), "Timeout") << r.out;
  EXPECT_EQ(r.Int("h1_closed"), 1) << r.out;
  EXPECT_EQ(r.Int("h2_status"), 504) << r.out;
  EXPECT_EQ(r.Str("h2_reason"), "Timeout") << r.out;
  EXPECT_EQ(r.Int("h2_reset"), 0) << r.out;
  ExpectStillServing(server);
}

// The repro, scaled to the test: unauthenticated HTTP/2 connections x 100 streams x 256 KiB of DATA without
// END_STREAM and HTTP/1.1 connections one byte short of an announced 3 MiB. Before dispatch on headers the server
// buffered every byte (25 MiB per HTTP/2 connection, 3 MiB per HTTP/1.1 one); now nothing is held for them.
TEST(RequestBodyTest, UnfinishedUnauthenticatedBodiesHoldNothing) {
  ApiserverProcess server(Flags({"--anonymous-auth=false", "--idle-timeout=30s", "--request-timeout=30s"}));
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  ClientReport r =
      RunClient(server, "body_flood", {"--token", kToken, "--connections", "4", "--seconds", "1"}, absl::Seconds(90));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.Int("metrics_status"), 200) << r.out;
  EXPECT_EQ(r.Int("held_bytes"), 0) << r.out;
  EXPECT_EQ(r.Int("h1_answered"), 4) << r.out;  // each got its 401 without sending the rest
  EXPECT_GE(r.Int("h2_streams_answered"), 4) << r.out;
  ExpectStillServing(server);
}

}  // namespace
}  // namespace apiserve::adversarial
