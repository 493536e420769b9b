#include "options/recommended_options.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::options {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

class RecommendedOptionsTest : public testing::Test {
 protected:
  RecommendedOptionsTest() : fs_("apiserve") { options_.AddFlags(&fs_); }

  absl::Status Parse(std::vector<std::string> args) { return fs_.ParseArgs(args); }

  // Parses `args` and returns the validation result.
  absl::Status ParseAndValidate(std::vector<std::string> args) {
    absl::Status status = Parse(std::move(args));
    if (!status.ok()) return status;
    return options_.Validate();
  }

  RecommendedOptions options_;
  flags::FlagSet fs_;
};

TEST_F(RecommendedOptionsTest, Defaults) {
  ASSERT_THAT(Parse({}), IsOk());
  const RecommendedOptions& o = options_;
  EXPECT_EQ(o.secure_serving.bind_address, "0.0.0.0");
  EXPECT_EQ(o.secure_serving.secure_port, 6443);
  EXPECT_EQ(o.secure_serving.cert_dir, "apiserver.local.config/certificates");
  EXPECT_EQ(o.secure_serving.tls_cert_file, "");
  EXPECT_EQ(o.secure_serving.tls_private_key_file, "");
  EXPECT_THAT(o.secure_serving.tls_sni_cert_key, IsEmpty());
  EXPECT_EQ(o.authentication.client_ca_file, "");
  EXPECT_EQ(o.secure_serving.tls_min_version, "");
  EXPECT_THAT(o.secure_serving.tls_cipher_suites, IsEmpty());
  EXPECT_EQ(o.secure_serving.http2_max_streams_per_connection, 0);
  EXPECT_EQ(o.secure_serving.Http2MaxConcurrentStreams(), 100);
  EXPECT_FALSE(o.secure_serving.disable_http2_serving);
  EXPECT_FALSE(o.secure_serving.permit_port_sharing);
  EXPECT_FALSE(o.secure_serving.permit_address_sharing);
  EXPECT_EQ(o.server_run.shutdown_delay_duration, absl::ZeroDuration());
  EXPECT_FALSE(o.server_run.shutdown_send_retry_after);
  EXPECT_EQ(o.server_run.shutdown_watch_termination_grace_period, absl::ZeroDuration());
  EXPECT_EQ(o.server_run.livez_grace_period, absl::ZeroDuration());
  EXPECT_EQ(o.server_run.goaway_chance, 0);
  EXPECT_EQ(o.server_run.max_requests_inflight, 400);
  EXPECT_EQ(o.server_run.max_mutating_requests_inflight, 200);
  EXPECT_EQ(o.server_run.request_timeout, absl::Minutes(1));
  EXPECT_EQ(o.server_run.min_request_timeout, 1800);
  EXPECT_THAT(o.server_run.strict_transport_security_directives, IsEmpty());
  EXPECT_EQ(o.authentication.token_auth_file, "");
  EXPECT_TRUE(o.authentication.anonymous_auth);
  EXPECT_THAT(o.authorization.modes, ElementsAre("AlwaysAllow"));
  EXPECT_EQ(o.limits.workers, DefaultWorkers());
  EXPECT_GE(o.limits.workers, 1);
  EXPECT_EQ(o.verbosity, 0);
  EXPECT_EQ(o.limits.read_header_timeout, absl::Seconds(32));
  EXPECT_EQ(o.limits.idle_timeout, absl::Seconds(90));
  EXPECT_EQ(o.server_run.max_request_body_bytes, 3145728);
  EXPECT_EQ(o.limits.max_connections, 0);
  EXPECT_EQ(o.limits.pre_shutdown_hook_timeout, absl::Minutes(1));
  EXPECT_TRUE(o.limits.shutdown_drain_connections);
  EXPECT_EQ(o.limits.shutdown_drain_idle_grace, absl::Milliseconds(500));
  EXPECT_THAT(o.Validate(), IsOk());
}

TEST_F(RecommendedOptionsTest, EveryFlagParses) {
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
                     "--pre-shutdown-hook-timeout=1.5s",
                     "--shutdown-drain-connections=false",
                     "--shutdown-drain-idle-grace=250ms",
                     "--requestheader-client-ca-file=front-proxy-ca.crt",
                     "--requestheader-allowed-names=front-proxy-client",
                     "--requestheader-username-headers=X-Remote-User",
                     "--requestheader-uid-headers=X-Remote-Uid",
                     "--requestheader-group-headers=X-Remote-Group",
                     "--requestheader-extra-headers-prefix=X-Remote-Extra-"}),
              IsOk());
  const RecommendedOptions& o = options_;
  EXPECT_EQ(o.secure_serving.bind_address, "127.0.0.1");
  EXPECT_EQ(o.secure_serving.secure_port, 8443);
  EXPECT_EQ(o.secure_serving.cert_dir, "/tmp/c");
  EXPECT_EQ(o.secure_serving.tls_cert_file, "s.crt");
  EXPECT_EQ(o.secure_serving.tls_private_key_file, "s.key");
  EXPECT_THAT(o.secure_serving.tls_sni_cert_key, ElementsAre("a.crt,a.key", "b.crt,b.key:*.b.com,b.com"));
  EXPECT_EQ(o.authentication.client_ca_file, "ca.crt");
  EXPECT_EQ(o.secure_serving.tls_min_version, "VersionTLS13");
  EXPECT_THAT(o.secure_serving.tls_cipher_suites, ElementsAre("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"));
  EXPECT_EQ(o.secure_serving.Http2MaxConcurrentStreams(), 250);
  EXPECT_TRUE(o.secure_serving.disable_http2_serving);
  EXPECT_TRUE(o.secure_serving.permit_port_sharing);
  EXPECT_TRUE(o.secure_serving.permit_address_sharing);
  EXPECT_EQ(o.server_run.shutdown_delay_duration, absl::Seconds(5));
  EXPECT_TRUE(o.server_run.shutdown_send_retry_after);
  EXPECT_EQ(o.server_run.shutdown_watch_termination_grace_period, absl::Seconds(67));
  EXPECT_EQ(o.server_run.livez_grace_period, absl::Minutes(2));
  EXPECT_EQ(o.server_run.goaway_chance, 0.001);
  EXPECT_EQ(o.server_run.max_requests_inflight, 0);
  EXPECT_EQ(o.server_run.max_mutating_requests_inflight, 10);
  EXPECT_EQ(o.server_run.request_timeout, absl::Seconds(30));
  EXPECT_EQ(o.server_run.min_request_timeout, 300);
  EXPECT_THAT(o.server_run.strict_transport_security_directives,
              ElementsAre("max-age=31536000", "includeSubDomains", "preload"));
  EXPECT_EQ(o.authentication.token_auth_file, "tokens.csv");
  EXPECT_FALSE(o.authentication.anonymous_auth);
  EXPECT_THAT(o.authorization.modes, ElementsAre("Bootstrap", "AlwaysDeny"));
  EXPECT_EQ(o.limits.workers, 3);
  EXPECT_EQ(o.verbosity, 4);
  EXPECT_EQ(o.limits.read_header_timeout, absl::Seconds(10));
  EXPECT_EQ(o.limits.idle_timeout, absl::Seconds(90));
  EXPECT_EQ(o.server_run.max_request_body_bytes, 1024);
  EXPECT_EQ(o.limits.max_connections, 5000);
  EXPECT_FALSE(o.limits.enable_request_metrics);
  EXPECT_EQ(o.limits.pre_shutdown_hook_timeout, absl::Milliseconds(1500));
  EXPECT_FALSE(o.limits.shutdown_drain_connections);
  EXPECT_EQ(o.limits.shutdown_drain_idle_grace, absl::Milliseconds(250));
  EXPECT_THAT(o.Validate(), IsOk());
  for (const std::string& name : fs_.Names()) EXPECT_TRUE(fs_.Changed(name)) << name;
}

TEST_F(RecommendedOptionsTest, RepeatedSliceFlagsAppendAfterReplacingTheDefault) {
  ASSERT_THAT(Parse({"--authorization-mode=AlwaysDeny", "--authorization-mode=Bootstrap"}), IsOk());
  EXPECT_THAT(options_.authorization.modes, ElementsAre("AlwaysDeny", "Bootstrap"));
}

TEST_F(RecommendedOptionsTest, ParseErrors) {
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

class RecommendedOptionsInvalidTest : public RecommendedOptionsTest, public testing::WithParamInterface<InvalidCase> {};

TEST_P(RecommendedOptionsInvalidTest, ReportsKubeMessage) {
  EXPECT_THAT(ParseAndValidate(GetParam().args), StatusIs(kInvalid, GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Messages, RecommendedOptionsInvalidTest,
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
        InvalidCase{{"--shutdown-drain-idle-grace=0s"}, "--shutdown-drain-idle-grace must be greater than 0"},
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

TEST_F(RecommendedOptionsTest, BoundaryValuesAreValid) {
  EXPECT_THAT(ParseAndValidate({"--secure-port=1", "--goaway-chance=0.02", "--max-requests-inflight=0",
                                "--min-request-timeout=0", "--max-request-body-bytes=0", "--workers=1",
                                "--tls-min-version=VersionTLS10", "--shutdown-delay-duration=0s",
                                "--authorization-mode=AlwaysAllow,AlwaysDeny,Bootstrap"}),
              IsOk());
  EXPECT_THAT(ParseAndValidate({"--secure-port=65535"}), IsOk());
}

TEST_F(RecommendedOptionsTest, ReportsEveryProblemAtOnceAsKubeAggregate) {
  EXPECT_THAT(ParseAndValidate({"--secure-port=0", "--shutdown-delay-duration=-1s", "--goaway-chance=1",
                                "--livez-grace-period=-2s", "--authorization-mode=Webhook"}),
              StatusIs(kInvalid,
                       "[--secure-port 0 must be between 1 and 65535, inclusive. It cannot be turned off with 0, "
                       "--goaway-chance can not be less than 0 or greater than 0.02, "
                       "--shutdown-delay-duration can not be negative value, "
                       "--livez-grace-period can not be a negative value, "
                       "authorization-mode \"Webhook\" is not a valid mode]"));
}

TEST_F(RecommendedOptionsTest, AggregateDropsDuplicateMessages) {
  EXPECT_THAT(ParseAndValidate({"--strict-transport-security-directives=a,b"}),
              StatusIs(kInvalid, HasSubstr("invalid, allowed values")));
  EXPECT_THAT(ParseAndValidate({"--strict-transport-security-directives=a,b", "--workers=0"}),
              StatusIs(kInvalid,
                       "[--strict-transport-security-directives invalid, allowed values: max-age=expireTime, "
                       "includeSubDomains, preload. see https://tools.ietf.org/html/rfc6797#section-6.1 for more "
                       "information, --workers must be at least 1]"));
}

TEST_F(RecommendedOptionsTest, UsageListsEveryFlagWithItsDefault) {
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
      "      --shutdown-drain-connections ",
      "(default true)\n",
      "      --shutdown-drain-idle-grace duration ",
      "(default 500ms)\n",
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
  EXPECT_EQ(fs_.Names().size(), 43u);  // 37 + the six --requestheader-* flags
  EXPECT_THAT(usage, HasSubstr("(default 1m0s)\n      --requestheader-allowed-names"));
  EXPECT_THAT(usage, Not(HasSubstr("(default 0s)")));
  EXPECT_THAT(usage, Not(HasSubstr("(default false)")));
  EXPECT_THAT(usage, Not(HasSubstr("(default [])")));
  EXPECT_THAT(usage, Not(HasSubstr("(default \"\")")));
  EXPECT_THAT(usage, HasSubstr(absl::StrCat("(default ", DefaultWorkers(), ")\n")));
}

// Every flag lands in the config, each in one place.
TEST_F(RecommendedOptionsTest, ApplyToSetsEverySetting) {
  ASSERT_THAT(ParseAndValidate({"--bind-address=127.0.0.1",
                                "--secure-port=8443",
                                "--cert-dir=/tmp/c",
                                "--tls-cert-file=/s.crt",
                                "--tls-private-key-file=/s.key",
                                "--tls-sni-cert-key=/a.crt,/a.key:a.example",
                                "--client-ca-file=/ca.crt",
                                "--tls-min-version=VersionTLS13",
                                "--tls-cipher-suites=TLS_AES_128_GCM_SHA256",
                                "--http2-max-streams-per-connection=250",
                                "--permit-port-sharing",
                                "--shutdown-delay-duration=5s",
                                "--shutdown-send-retry-after",
                                "--shutdown-watch-termination-grace-period=7s",
                                "--livez-grace-period=2m",
                                "--goaway-chance=0.001",
                                "--max-requests-inflight=9",
                                "--max-mutating-requests-inflight=10",
                                "--request-timeout=30s",
                                "--min-request-timeout=300",
                                "--strict-transport-security-directives=max-age=5",
                                "--anonymous-auth=false",
                                "--authorization-mode=AlwaysDeny",
                                "--feature-gates=UnauthenticatedHTTP2DOSMitigation=false",
                                "--workers=3",
                                "--read-header-timeout=10s",
                                "--idle-timeout=20s",
                                "--max-request-body-bytes=1024",
                                "--max-connections=5000",
                                "--enable-request-metrics=false",
                                "--pre-shutdown-hook-timeout=1.5s",
                                "--shutdown-drain-connections=false",
                                "--shutdown-drain-idle-grace=300ms",
                                "--requestheader-client-ca-file=/fp.crt",
                                "--requestheader-allowed-names=fp",
                                "--requestheader-username-headers=X-U"}),
              IsOk());
  server::Config config;
  ASSERT_THAT(options_.ApplyTo(&config), IsOk());
  EXPECT_EQ(config.serving.bind_address, "127.0.0.1");
  EXPECT_EQ(config.serving.port, 8443);
  EXPECT_TRUE(config.serving.permit_port_sharing);
  EXPECT_EQ(config.serving.workers, 3);
  EXPECT_EQ(config.serving.max_connections, 5000);
  EXPECT_FALSE(config.serving.drain_connections);
  EXPECT_EQ(config.serving.connection.drain_idle_grace, absl::Milliseconds(300));
  EXPECT_EQ(config.serving.connection.read_header_timeout, absl::Seconds(10));
  EXPECT_EQ(config.serving.connection.idle_timeout, absl::Seconds(20));
  EXPECT_EQ(config.http2.idle_timeout, absl::Seconds(20));
  EXPECT_EQ(config.http2.max_concurrent_streams, 250u);
  EXPECT_EQ(config.tls.cert_file, "/s.crt");
  EXPECT_EQ(config.tls.key_file, "/s.key");
  ASSERT_EQ(config.tls.sni_cert_keys.size(), 1u);
  EXPECT_EQ(config.tls.sni_cert_keys[0].cert_file, "/a.crt");
  EXPECT_EQ(config.tls.client_ca_file, "/ca.crt");
  EXPECT_EQ(config.tls.requestheader_client_ca_file, "/fp.crt");
  EXPECT_EQ(config.tls.min_version, "VersionTLS13");
  EXPECT_THAT(config.tls.cipher_suites, ElementsAre("TLS_AES_128_GCM_SHA256"));
  EXPECT_EQ(config.tls.self_signed.cert_directory, "/tmp/c");
  const chain::ServerConfig& c = config.chain;
  EXPECT_EQ(c.shutdown_delay_duration, absl::Seconds(5));
  EXPECT_TRUE(c.shutdown_send_retry_after);
  EXPECT_EQ(c.shutdown_watch_termination_grace_period, absl::Seconds(7));
  EXPECT_EQ(c.livez_grace_period, absl::Minutes(2));
  EXPECT_EQ(c.goaway_chance, 0.001);
  EXPECT_EQ(c.max_requests_inflight, 9);
  EXPECT_EQ(c.max_mutating_requests_inflight, 10);
  EXPECT_EQ(c.request_timeout, absl::Seconds(30));
  EXPECT_EQ(c.min_request_timeout, absl::Seconds(300));
  EXPECT_THAT(c.hsts_directives, ElementsAre("max-age=5"));
  EXPECT_EQ(c.max_request_body_bytes, 1024u);
  EXPECT_FALSE(c.request_metrics);
  EXPECT_EQ(c.pre_shutdown_hook_timeout, absl::Milliseconds(1500));
  EXPECT_FALSE(c.unauthenticated_http2_dos_mitigation);
  ASSERT_NE(c.authenticator, nullptr);
  ASSERT_NE(c.authorizer, nullptr);
  ASSERT_NE(c.request_header_config, nullptr);
  ASSERT_NE(c.request_header_config->Current(), nullptr);
  EXPECT_THAT(c.request_header_config->Current()->allowed_names, ElementsAre("fp"));
  EXPECT_THAT(c.request_header_config->Current()->username_headers, ElementsAre("X-U"));
}

TEST_F(RecommendedOptionsTest, GoawayChanceIsOffWithoutHttp2) {
  ASSERT_THAT(ParseAndValidate({"--goaway-chance=0.01", "--disable-http2-serving"}), IsOk());
  server::Config config;
  ASSERT_THAT(options_.ApplyTo(&config), IsOk());
  EXPECT_EQ(config.chain.goaway_chance, 0);
  EXPECT_TRUE(config.tls.disable_http2);
}

TEST(DelegatingOptionsTest, RequestHeaderDefaultsOfExtensionServers) {
  RecommendedOptions options = NewDelegatingRecommendedOptions();
  EXPECT_THAT(options.authentication.request_header.username_headers, ElementsAre("X-Remote-User"));
  EXPECT_THAT(options.authentication.request_header.group_headers, ElementsAre("X-Remote-Group"));
  EXPECT_THAT(options.authentication.request_header.extra_headers_prefix, ElementsAre("X-Remote-Extra-"));
  EXPECT_THAT(RecommendedOptions().authentication.request_header.username_headers, IsEmpty());
}

TEST_F(RecommendedOptionsTest, RequestHeaderValuesAreValidated) {
  EXPECT_THAT(ParseAndValidate({"--requestheader-username-headers=X-U, "}),
              StatusIs(kInvalid, HasSubstr("empty value in \"requestheader-username-headers\"")));
}

TEST(RecommendedOptionsRegisterTest, CurrentValuesBecomeDefaults) {
  RecommendedOptions options;
  options.secure_serving.secure_port = 443;
  options.secure_serving.cert_dir = "/var/run/kubernetes";
  flags::FlagSet fs("kube");
  options.AddFlags(&fs);
  EXPECT_THAT(fs.Usage(), HasSubstr("(default 443)"));
  EXPECT_THAT(fs.Usage(), HasSubstr("(default \"/var/run/kubernetes\")"));
  ASSERT_THAT(fs.ParseArgs({}), IsOk());
  EXPECT_EQ(options.secure_serving.secure_port, 443);
}

TEST(FeatureGatesTest, ParsedValidatedAndQueried) {
  RecommendedOptions defaults;
  EXPECT_TRUE(defaults.features.Enabled("UnauthenticatedHTTP2DOSMitigation", true));
  RecommendedOptions off;
  off.features.gates = {"UnauthenticatedHTTP2DOSMitigation=false"};
  EXPECT_TRUE(off.Validate().ok());
  EXPECT_FALSE(off.features.Enabled("UnauthenticatedHTTP2DOSMitigation", true));
  RecommendedOptions bad;
  bad.features.gates = {"NoSuchGate=true", "UnauthenticatedHTTP2DOSMitigation=maybe"};
  EXPECT_EQ(bad.Validate().message(),
            "[unrecognized feature gate: NoSuchGate, invalid value of UnauthenticatedHTTP2DOSMitigation=maybe, err: "
            "strconv.ParseBool: parsing \"maybe\": invalid syntax]");
}

}  // namespace
}  // namespace apiserve::options
