#include "flags/apiserver_flags.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::flags {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

class ApiserverFlagsTest : public testing::Test {
 protected:
  ApiserverFlagsTest() : fs_("apiserve") { RegisterApiserverFlags(&fs_, &options_); }

  absl::Status Parse(std::vector<std::string> args) { return fs_.ParseArgs(args); }

  // Parses `args` and returns the validation result.
  absl::Status ParseAndValidate(std::vector<std::string> args) {
    absl::Status status = Parse(std::move(args));
    if (!status.ok()) return status;
    return ValidateApiserverFlags(options_);
  }

  ApiserverFlags options_;
  FlagSet fs_;
};

TEST_F(ApiserverFlagsTest, Defaults) {
  ASSERT_THAT(Parse({}), IsOk());
  const ApiserverFlags& o = options_;
  EXPECT_EQ(o.bind_address, "0.0.0.0");
  EXPECT_EQ(o.secure_port, 6443);
  EXPECT_EQ(o.cert_dir, "apiserver.local.config/certificates");
  EXPECT_EQ(o.tls_cert_file, "");
  EXPECT_EQ(o.tls_private_key_file, "");
  EXPECT_THAT(o.tls_sni_cert_key, IsEmpty());
  EXPECT_EQ(o.client_ca_file, "");
  EXPECT_EQ(o.tls_min_version, "");
  EXPECT_THAT(o.tls_cipher_suites, IsEmpty());
  EXPECT_EQ(o.http2_max_streams_per_connection, 0);
  EXPECT_EQ(Http2MaxConcurrentStreams(o), 100);
  EXPECT_FALSE(o.disable_http2_serving);
  EXPECT_FALSE(o.permit_port_sharing);
  EXPECT_FALSE(o.permit_address_sharing);
  EXPECT_EQ(o.shutdown_delay_duration, absl::ZeroDuration());
  EXPECT_FALSE(o.shutdown_send_retry_after);
  EXPECT_EQ(o.shutdown_watch_termination_grace_period, absl::ZeroDuration());
  EXPECT_EQ(o.livez_grace_period, absl::ZeroDuration());
  EXPECT_EQ(o.goaway_chance, 0);
  EXPECT_EQ(o.max_requests_inflight, 400);
  EXPECT_EQ(o.max_mutating_requests_inflight, 200);
  EXPECT_EQ(o.request_timeout, absl::Minutes(1));
  EXPECT_EQ(o.min_request_timeout, 1800);
  EXPECT_THAT(o.strict_transport_security_directives, IsEmpty());
  EXPECT_EQ(o.token_auth_file, "");
  EXPECT_TRUE(o.anonymous_auth);
  EXPECT_THAT(o.authorization_mode, ElementsAre("AlwaysAllow"));
  EXPECT_EQ(o.workers, DefaultWorkers());
  EXPECT_GE(o.workers, 1);
  EXPECT_EQ(o.verbosity, 0);
  EXPECT_EQ(o.read_header_timeout, absl::Seconds(32));
  EXPECT_EQ(o.idle_timeout, absl::Seconds(90));
  EXPECT_EQ(o.max_request_body_bytes, 3145728);
  EXPECT_EQ(o.max_connections, 0);
  EXPECT_EQ(o.pre_shutdown_hook_timeout, absl::Minutes(1));
  EXPECT_THAT(ValidateApiserverFlags(o), IsOk());
}

TEST_F(ApiserverFlagsTest, EveryFlagParses) {
  ASSERT_THAT(Parse({"--bind-address=127.0.0.1",
                     "--secure-port",
                     "8443",
                     "--cert-dir=/tmp/c",
                     "--tls-cert-file=s.crt",
                     "--tls-private-key-file",
                     "s.key",
                     "--tls-sni-cert-key=a.crt,a.key",
                     "--tls-sni-cert-key",
                     "b.crt,b.key:*.b.com,b.com",
                     "--client-ca-file=ca.crt",
                     "--tls-min-version=VersionTLS13",
                     "--tls-cipher-suites=TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384",
                     "--http2-max-streams-per-connection=250",
                     "--disable-http2-serving",
                     "--permit-port-sharing",
                     "--permit-address-sharing=true",
                     "--shutdown-delay-duration=5s",
                     "--shutdown-send-retry-after",
                     "--shutdown-watch-termination-grace-period=1m7s",
                     "--livez-grace-period",
                     "2m",
                     "--feature-gates=UnauthenticatedHTTP2DOSMitigation=false",
                     "--goaway-chance=0.001",
                     "--max-requests-inflight=0",
                     "--max-mutating-requests-inflight=10",
                     "--request-timeout=30s",
                     "--min-request-timeout=300",
                     "--strict-transport-security-directives=max-age=31536000,includeSubDomains,preload",
                     "--token-auth-file=tokens.csv",
                     "--anonymous-auth=false",
                     "--authorization-mode=Bootstrap,AlwaysDeny",
                     "--workers=3",
                     "-v=4",
                     "--read-header-timeout=10s",
                     "--idle-timeout=1m30s",
                     "--max-request-body-bytes=1024",
                     "--max-connections=5000",
                     "--enable-request-metrics=false",
                     "--pre-shutdown-hook-timeout=1.5s"}),
              IsOk());
  const ApiserverFlags& o = options_;
  EXPECT_EQ(o.bind_address, "127.0.0.1");
  EXPECT_EQ(o.secure_port, 8443);
  EXPECT_EQ(o.cert_dir, "/tmp/c");
  EXPECT_EQ(o.tls_cert_file, "s.crt");
  EXPECT_EQ(o.tls_private_key_file, "s.key");
  EXPECT_THAT(o.tls_sni_cert_key, ElementsAre("a.crt,a.key", "b.crt,b.key:*.b.com,b.com"));
  EXPECT_EQ(o.client_ca_file, "ca.crt");
  EXPECT_EQ(o.tls_min_version, "VersionTLS13");
  EXPECT_THAT(o.tls_cipher_suites, ElementsAre("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"));
  EXPECT_EQ(Http2MaxConcurrentStreams(o), 250);
  EXPECT_TRUE(o.disable_http2_serving);
  EXPECT_TRUE(o.permit_port_sharing);
  EXPECT_TRUE(o.permit_address_sharing);
  EXPECT_EQ(o.shutdown_delay_duration, absl::Seconds(5));
  EXPECT_TRUE(o.shutdown_send_retry_after);
  EXPECT_EQ(o.shutdown_watch_termination_grace_period, absl::Seconds(67));
  EXPECT_EQ(o.livez_grace_period, absl::Minutes(2));
  EXPECT_EQ(o.goaway_chance, 0.001);
  EXPECT_EQ(o.max_requests_inflight, 0);
  EXPECT_EQ(o.max_mutating_requests_inflight, 10);
  EXPECT_EQ(o.request_timeout, absl::Seconds(30));
  EXPECT_EQ(o.min_request_timeout, 300);
  EXPECT_THAT(o.strict_transport_security_directives, ElementsAre("max-age=31536000", "includeSubDomains", "preload"));
  EXPECT_EQ(o.token_auth_file, "tokens.csv");
  EXPECT_FALSE(o.anonymous_auth);
  EXPECT_THAT(o.authorization_mode, ElementsAre("Bootstrap", "AlwaysDeny"));
  EXPECT_EQ(o.workers, 3);
  EXPECT_EQ(o.verbosity, 4);
  EXPECT_EQ(o.read_header_timeout, absl::Seconds(10));
  EXPECT_EQ(o.idle_timeout, absl::Seconds(90));
  EXPECT_EQ(o.max_request_body_bytes, 1024);
  EXPECT_EQ(o.max_connections, 5000);
  EXPECT_FALSE(o.enable_request_metrics);
  EXPECT_EQ(o.pre_shutdown_hook_timeout, absl::Milliseconds(1500));
  EXPECT_THAT(ValidateApiserverFlags(o), IsOk());
  for (const std::string& name : fs_.Names()) EXPECT_TRUE(fs_.Changed(name)) << name;
}

TEST_F(ApiserverFlagsTest, RepeatedSliceFlagsAppendAfterReplacingTheDefault) {
  ASSERT_THAT(Parse({"--authorization-mode=AlwaysDeny", "--authorization-mode=Bootstrap"}), IsOk());
  EXPECT_THAT(options_.authorization_mode, ElementsAre("AlwaysDeny", "Bootstrap"));
}

TEST_F(ApiserverFlagsTest, ParseErrors) {
  EXPECT_THAT(Parse({"--secure-port=abc"}),
              StatusIs(kInvalid,
                       "invalid argument \"abc\" for \"--secure-port\" flag: strconv.ParseInt: parsing "
                       "\"abc\": invalid syntax"));
  EXPECT_THAT(
      Parse({"--request-timeout=x"}),
      StatusIs(kInvalid, "invalid argument \"x\" for \"--request-timeout\" flag: time: invalid duration \"x\""));
  EXPECT_THAT(Parse({"--anonymous-auth=maybe"}),
              StatusIs(kInvalid,
                       "invalid argument \"maybe\" for \"--anonymous-auth\" flag: strconv.ParseBool: "
                       "parsing \"maybe\": invalid syntax"));
  EXPECT_THAT(Parse({"--secure-port"}), StatusIs(kInvalid, "flag needs an argument: --secure-port"));
  EXPECT_THAT(Parse({"--insecure-port=8080"}), StatusIs(kInvalid, "unknown flag: --insecure-port"));
  EXPECT_THAT(Parse({"--bind-address=any"}),
              StatusIs(kInvalid, "invalid argument \"any\" for \"--bind-address\" flag: failed to parse IP: \"any\""));
}

// Each invalid value alone, with kube's exact message.
struct InvalidCase {
  std::vector<std::string> args;
  std::string message;
};

class ApiserverFlagsInvalidTest : public ApiserverFlagsTest, public testing::WithParamInterface<InvalidCase> {};

TEST_P(ApiserverFlagsInvalidTest, ReportsKubeMessage) {
  EXPECT_THAT(ParseAndValidate(GetParam().args), StatusIs(kInvalid, GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Messages, ApiserverFlagsInvalidTest,
    testing::Values(
        InvalidCase{{"--secure-port=0"},
                    "--secure-port 0 must be between 1 and 65535, inclusive. It cannot be turned off with 0"},
        InvalidCase{{"--secure-port=65536"},
                    "--secure-port 65536 must be between 1 and 65535, inclusive. It cannot be turned off with 0"},
        InvalidCase{{"--secure-port=-1"},
                    "--secure-port -1 must be between 1 and 65535, inclusive. It cannot be turned off with 0"},
        InvalidCase{{"--tls-sni-cert-key=only.crt"},
                    "invalid argument \"only.crt\" for \"--tls-sni-cert-key\" flag: expected comma separated "
                    "certificate and key file paths"},
        InvalidCase{{"--tls-sni-cert-key=a.crt,a.key: "},
                    "invalid argument \"a.crt,a.key: \" for \"--tls-sni-cert-key\" flag: empty names list is not "
                    "allowed"},
        InvalidCase{{"--tls-min-version=VersionTLS14"}, "unknown tls version \"VersionTLS14\""},
        InvalidCase{{"--max-requests-inflight=-1"}, "--max-requests-inflight can not be negative value"},
        InvalidCase{{"--max-mutating-requests-inflight=-1"},
                    "--max-mutating-requests-inflight can not be negative value"},
        InvalidCase{{"--request-timeout=-1s"}, "--request-timeout can not be negative value"},
        InvalidCase{{"--request-timeout=0"}, "--request-timeout must be greater than 0"},
        InvalidCase{{"--goaway-chance=-0.1"}, "--goaway-chance can not be less than 0 or greater than 0.02"},
        InvalidCase{{"--goaway-chance=0.03"}, "--goaway-chance can not be less than 0 or greater than 0.02"},
        InvalidCase{{"--goaway-chance=NaN"}, "--goaway-chance can not be less than 0 or greater than 0.02"},
        InvalidCase{{"--min-request-timeout=-1"}, "--min-request-timeout can not be negative value"},
        InvalidCase{{"--shutdown-delay-duration=-1s"}, "--shutdown-delay-duration can not be negative value"},
        InvalidCase{{"--shutdown-watch-termination-grace-period=-1s"},
                    "shutdown-watch-termination-grace-period, if provided, can not be a negative value"},
        InvalidCase{{"--max-request-body-bytes=-1"}, "--max-request-body-bytes can not be negative value"},
        InvalidCase{{"--max-connections=-1"}, "--max-connections can not be negative value"},
        InvalidCase{{"--strict-transport-security-directives=max-age"},
                    "--strict-transport-security-directives invalid, allowed values: max-age=expireTime, "
                    "includeSubDomains, preload. see https://tools.ietf.org/html/rfc6797#section-6.1 for more "
                    "information"},
        InvalidCase{{"--strict-transport-security-directives=max-age=1, "},
                    "empty value in strict-transport-security-directives"},
        InvalidCase{{"--livez-grace-period=-1s"}, "--livez-grace-period can not be a negative value"},
        InvalidCase{{"--authorization-mode="}, "at least one authorization-mode must be passed"},
        InvalidCase{{"--authorization-mode=RBAC"}, "authorization-mode \"RBAC\" is not a valid mode"},
        InvalidCase{{"--authorization-mode=AlwaysAllow,AlwaysAllow"},
                    "authorization-mode [\"AlwaysAllow\" \"AlwaysAllow\"] has mode specified more than once"},
        InvalidCase{{"--workers=0"}, "--workers must be at least 1"},
        InvalidCase{{"--read-header-timeout=0s"}, "--read-header-timeout must be greater than 0"},
        InvalidCase{{"--idle-timeout=-1s"}, "--idle-timeout must be greater than 0"},
        InvalidCase{{"--pre-shutdown-hook-timeout=0"}, "--pre-shutdown-hook-timeout must be greater than 0"}));

TEST_F(ApiserverFlagsTest, BoundaryValuesAreValid) {
  EXPECT_THAT(ParseAndValidate({"--secure-port=1", "--goaway-chance=0.02", "--max-requests-inflight=0",
                                "--min-request-timeout=0", "--max-request-body-bytes=0", "--workers=1",
                                "--tls-min-version=VersionTLS10", "--shutdown-delay-duration=0s",
                                "--authorization-mode=AlwaysAllow,AlwaysDeny,Bootstrap"}),
              IsOk());
  EXPECT_THAT(ParseAndValidate({"--secure-port=65535"}), IsOk());
}

TEST_F(ApiserverFlagsTest, ReportsEveryProblemAtOnceAsKubeAggregate) {
  EXPECT_THAT(ParseAndValidate({"--secure-port=0", "--shutdown-delay-duration=-1s", "--goaway-chance=1",
                                "--livez-grace-period=-2s", "--authorization-mode=Webhook"}),
              StatusIs(kInvalid,
                       "[--secure-port 0 must be between 1 and 65535, inclusive. It cannot be turned off with 0, "
                       "--goaway-chance can not be less than 0 or greater than 0.02, "
                       "--shutdown-delay-duration can not be negative value, "
                       "--livez-grace-period can not be a negative value, "
                       "authorization-mode \"Webhook\" is not a valid mode]"));
}

TEST_F(ApiserverFlagsTest, AggregateDropsDuplicateMessages) {
  EXPECT_THAT(ParseAndValidate({"--strict-transport-security-directives=a,b"}),
              StatusIs(kInvalid, HasSubstr("invalid, allowed values")));
  EXPECT_THAT(ParseAndValidate({"--strict-transport-security-directives=a,b", "--workers=0"}),
              StatusIs(kInvalid,
                       "[--strict-transport-security-directives invalid, allowed values: max-age=expireTime, "
                       "includeSubDomains, preload. see https://tools.ietf.org/html/rfc6797#section-6.1 for more "
                       "information, --workers must be at least 1]"));
}

TEST(ParseSniCertKeyTest, CertAndKey) {
  absl::StatusOr<SniCertKey> parsed = ParseSniCertKey(" a.crt , a.key ");
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->cert_file, "a.crt");
  EXPECT_EQ(parsed->key_file, "a.key");
  EXPECT_THAT(parsed->names, IsEmpty());
}

TEST(ParseSniCertKeyTest, WithNames) {
  absl::StatusOr<SniCertKey> parsed = ParseSniCertKey("foo.crt,foo.key: *.foo.com , foo.com,10.0.0.1");
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->cert_file, "foo.crt");
  EXPECT_EQ(parsed->key_file, "foo.key");
  EXPECT_THAT(parsed->names, ElementsAre("*.foo.com", "foo.com", "10.0.0.1"));
}

TEST(ParseSniCertKeyTest, Errors) {
  EXPECT_THAT(ParseSniCertKey("a.crt,a.key:"), StatusIs(kInvalid, "empty names list is not allowed"));
  for (const char* bad : {"", "a.crt", "a.crt,a.key,b", ":x.com", "a.crt:x.com"}) {
    EXPECT_THAT(ParseSniCertKey(bad), StatusIs(kInvalid, "expected comma separated certificate and key file paths"))
        << bad;
  }
}

TEST(ParseTlsVersionTest, Names) {
  EXPECT_EQ(ParseTlsVersion("").value(), 0);
  EXPECT_EQ(ParseTlsVersion("VersionTLS10").value(), 0x0301);
  EXPECT_EQ(ParseTlsVersion("VersionTLS11").value(), 0x0302);
  EXPECT_EQ(ParseTlsVersion("VersionTLS12").value(), 0x0303);
  EXPECT_EQ(ParseTlsVersion("VersionTLS13").value(), 0x0304);
  EXPECT_THAT(ParseTlsVersion("TLS1.2"), StatusIs(kInvalid, "unknown tls version \"TLS1.2\""));
  EXPECT_THAT(ParseTlsVersion("versiontls12"), StatusIs(kInvalid));
}

TEST_F(ApiserverFlagsTest, UsageListsEveryFlagWithItsDefault) {
  const std::string usage = fs_.Usage();
  const std::vector<std::string> expected_lines = {
      "      --anonymous-auth ",
      "(default true)\n",
      "      --authorization-mode strings ",
      "(default [AlwaysAllow])\n",
      "      --bind-address ip ",
      "(default 0.0.0.0)\n",
      "      --cert-dir string ",
      "(default \"apiserver.local.config/certificates\")\n",
      "      --client-ca-file string ",
      "      --disable-http2-serving ",
      "      --enable-request-metrics ",
      "(default true)\n",
      "      --feature-gates strings ",
      "      --goaway-chance float ",
      "      --http2-max-streams-per-connection int ",
      "      --idle-timeout duration ",
      "(default 1m30s)\n",
      "      --livez-grace-period duration ",
      "      --max-mutating-requests-inflight int ",
      "(default 200)\n",
      "      --max-request-body-bytes int ",
      "(default 3145728)\n",
      "      --max-requests-inflight int ",
      "(default 400)\n",
      "      --min-request-timeout int ",
      "(default 1800)\n",
      "      --permit-address-sharing ",
      "      --permit-port-sharing ",
      "bind on the same address and port. [default=false]\n",
      "      --pre-shutdown-hook-timeout duration ",
      "      --read-header-timeout duration ",
      "(default 32s)\n",
      "      --request-timeout duration ",
      "      --secure-port int ",
      "(default 6443)\n",
      "      --shutdown-delay-duration duration ",
      "      --shutdown-send-retry-after ",
      "      --shutdown-watch-termination-grace-period duration ",
      "      --strict-transport-security-directives strings ",
      "      --tls-cert-file string ",
      "      --tls-cipher-suites strings ",
      "      --tls-min-version string ",
      "      --tls-private-key-file string ",
      "      --tls-sni-cert-key stringArray ",
      "      --token-auth-file string ",
      "  -v, --v int ",
      "      --workers int ",
      "SO_REUSEPORT",
  };
  size_t pos = 0;
  for (const std::string& piece : expected_lines) {
    const size_t found = usage.find(piece, pos);
    ASSERT_NE(found, std::string::npos) << "missing or out of order: \"" << piece << "\" in\n" << usage;
    pos = found + piece.size();
  }
  // One line per flag; zero defaults are not shown; the request timeout prints as Go does.
  EXPECT_EQ(std::count(usage.begin(), usage.end(), '\n'), static_cast<long>(fs_.Names().size()));
  EXPECT_EQ(fs_.Names().size(), 35u);
  EXPECT_THAT(usage, HasSubstr("(default 1m0s)\n      --secure-port"));
  EXPECT_THAT(usage, Not(HasSubstr("(default 0s)")));
  EXPECT_THAT(usage, Not(HasSubstr("(default false)")));
  EXPECT_THAT(usage, Not(HasSubstr("(default [])")));
  EXPECT_THAT(usage, Not(HasSubstr("(default \"\")")));
  EXPECT_THAT(usage, HasSubstr(absl::StrCat("(default ", DefaultWorkers(), ")\n")));
}

TEST(ApiserverFlagsRegisterTest, CurrentValuesBecomeDefaults) {
  ApiserverFlags options;
  options.secure_port = 443;
  options.cert_dir = "/var/run/kubernetes";
  FlagSet fs("kube");
  RegisterApiserverFlags(&fs, &options);
  EXPECT_THAT(fs.Usage(), HasSubstr("(default 443)"));
  EXPECT_THAT(fs.Usage(), HasSubstr("(default \"/var/run/kubernetes\")"));
  ASSERT_THAT(fs.ParseArgs({}), IsOk());
  EXPECT_EQ(options.secure_port, 443);
}

TEST(FeatureGatesTest, ParsedValidatedAndQueried) {
  ApiserverFlags defaults;
  EXPECT_TRUE(FeatureEnabled(defaults, "UnauthenticatedHTTP2DOSMitigation", true));
  ApiserverFlags off;
  off.feature_gates = {"UnauthenticatedHTTP2DOSMitigation=false"};
  EXPECT_TRUE(ValidateApiserverFlags(off).ok());
  EXPECT_FALSE(FeatureEnabled(off, "UnauthenticatedHTTP2DOSMitigation", true));
  ApiserverFlags bad;
  bad.feature_gates = {"NoSuchGate=true", "UnauthenticatedHTTP2DOSMitigation=maybe"};
  EXPECT_EQ(ValidateApiserverFlags(bad).message(),
            "[unrecognized feature gate: NoSuchGate, invalid value of UnauthenticatedHTTP2DOSMitigation=maybe, err: "
            "strconv.ParseBool: parsing \"maybe\": invalid syntax]");
}

}  // namespace
}  // namespace apiserve::flags
