// Every invalid flag value exits 1 with the reference's message; --help lists every flag with its default.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/apiserver_process.h"

namespace apiserve::e2e {
namespace {

using ::testing::HasSubstr;

struct BadFlag {
  std::string flag;
  std::string message;
};

class InvalidFlagTest : public ::testing::TestWithParam<BadFlag> {};

TEST_P(InvalidFlagTest, ExitsOneWithMessage) {
  CommandResult r = RunCommand({ApiserverBinary(), GetParam().flag, "--cert-dir=" + TempDir("flags")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr(GetParam().message)) << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Reference, InvalidFlagTest,
    ::testing::Values(BadFlag{"--secure-port=0",
                              "--secure-port 0 must be between 1 and 65535, inclusive. It cannot be turned off with 0"},
                      BadFlag{"--secure-port=70000", "--secure-port 70000 must be between 1 and 65535, inclusive."},
                      BadFlag{"--tls-min-version=VersionTLS14", "unknown tls version \"VersionTLS14\""},
                      BadFlag{"--tls-cipher-suites=TLS_NOPE", "Cipher suite TLS_NOPE not supported or doesn't exist"},
                      BadFlag{"--tls-sni-cert-key=onlyone", "expected comma separated certificate and key file paths"},
                      BadFlag{"--tls-sni-cert-key=a,b:", "empty names list is not allowed"},
                      BadFlag{"--shutdown-delay-duration=-1s", "--shutdown-delay-duration can not be negative value"},
                      BadFlag{"--shutdown-watch-termination-grace-period=-1s",
                              "shutdown-watch-termination-grace-period, if provided, can not be a negative value"},
                      BadFlag{"--livez-grace-period=-1s", "--livez-grace-period can not be a negative value"},
                      BadFlag{"--goaway-chance=0.5", "--goaway-chance can not be less than 0 or greater than 0.02"},
                      BadFlag{"--request-timeout=soon",
                              "invalid argument \"soon\" for \"--request-timeout\" flag: time: invalid "
                              "duration \"soon\""},
                      BadFlag{"--secure-port=abc", "invalid argument \"abc\" for \"--secure-port\" flag"},
                      BadFlag{"--no-such-flag", "unknown flag: --no-such-flag"},
                      BadFlag{"--tls-cert-file=/nonexistent/tls.crt",
                              "--tls-cert-file and --tls-private-key-file must be specified together"}),
    [](const ::testing::TestParamInfo<BadFlag>& param_info) { return std::to_string(param_info.index); });

TEST(FlagsTest, UnreadableCertificateNamesTheFile) {
  CommandResult r = RunCommand({ApiserverBinary(), "--tls-cert-file=/nonexistent/tls.crt",
                                "--tls-private-key-file=/nonexistent/tls.key", "--secure-port=1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/tls.crt"));
}

// Without --permit-port-sharing no socket has SO_REUSEPORT, whatever --workers says: a second process on a port
// another holds fails with kube's error instead of silently taking part of its connections (issue 16).
TEST(FlagsTest, SecondProcessCannotShareThePortWithoutPortSharing) {
  ApiserverProcess first({"--workers=2"});
  ASSERT_TRUE(first.Start().ok()) << first.Log();
  ApiserverProcess second({"--secure-port=" + std::to_string(first.port()), "--workers=2"});
  EXPECT_FALSE(second.Start().ok());
  EXPECT_THAT(second.Log(), HasSubstr("address already in use")) << second.Log();
  // Both sides permitting it, they share (kube's --permit-port-sharing).
  ApiserverProcess a({"--workers=2", "--permit-port-sharing"});
  ASSERT_TRUE(a.Start().ok()) << a.Log();
  ApiserverProcess b({"--secure-port=" + std::to_string(a.port()), "--workers=2", "--permit-port-sharing"});
  EXPECT_TRUE(b.Start().ok()) << b.Log();
}

// Socket activation: the harness hands every ApiserverProcess its listener at fd 3; a bad one stops the server.
TEST(FlagsTest, ServesTheInheritedSocket) {
  ApiserverProcess server;
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  EXPECT_THAT(server.Log(), HasSubstr(absl::StrCat("Serving securely on 127.0.0.1:", server.port())));
  EXPECT_EQ(Curl(server, "/healthz").status, 200);
}

TEST(FlagsTest, InheritedFdThatIsNotASocketIsAnError) {
  // `exec env` keeps the shell's pid ($$) for the server; fd 3 is /dev/null.
  CommandResult r =
      RunCommand({"sh", "-c", "exec env LISTEN_PID=$$ LISTEN_FDS=1 \"$0\" 3</dev/null", ApiserverBinary()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("LISTEN_FDS=1: fd 3 is not a listening TCP socket (not a socket)"));
}

TEST(FlagsTest, HelpListsEveryFlagWithDefaults) {
  CommandResult r = RunCommand({ApiserverBinary(), "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* expected : {"--secure-port int",
                               "(default 6443)",
                               "--bind-address",
                               "--cert-dir",
                               "--tls-cert-file",
                               "--tls-sni-cert-key",
                               "--client-ca-file",
                               "--tls-min-version",
                               "--tls-cipher-suites",
                               "--http2-max-streams-per-connection",
                               "--disable-http2-serving",
                               "--permit-port-sharing",
                               "--permit-address-sharing",
                               "--shutdown-delay-duration",
                               "--shutdown-send-retry-after",
                               "--shutdown-watch-termination-grace-period",
                               "--livez-grace-period",
                               "--goaway-chance",
                               "--max-requests-inflight",
                               "(default 400)",
                               "--max-mutating-requests-inflight",
                               "--request-timeout",
                               "(default 1m0s)",
                               "--strict-transport-security-directives",
                               "--workers"}) {
    EXPECT_THAT(r.out, HasSubstr(expected));
  }
}

}  // namespace
}  // namespace apiserve::e2e
