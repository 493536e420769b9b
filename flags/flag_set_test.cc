#include "flags/flag_set.h"

#include <cstdint>
#include <string>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::flags {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

// A FlagSet with one flag of each type, as the tests use them.
class FlagSetTest : public testing::Test {
 protected:
  FlagSetTest() : fs_("test") {
    fs_.BoolVar(&anonymous_auth_, "anonymous-auth", true, "Enables anonymous requests.");
    fs_.BoolVar(&sharing_, "permit-port-sharing", false, "If true, SO_REUSEPORT.");
    fs_.IntVar(&port_, "secure-port", 6443, "The port on which to serve HTTPS.");
    fs_.Int64Var(&bytes_, "max-request-body-bytes", 3145728, "Largest body.");
    fs_.Float64Var(&chance_, "goaway-chance", 0, "GOAWAY fraction.");
    fs_.StringVar(&cert_dir_, "cert-dir", "apiserver.local.config/certificates", "The directory.");
    fs_.IPVar(&bind_, "bind-address", "0.0.0.0", "The IP address.");
    fs_.DurationVar(&timeout_, "request-timeout", absl::Minutes(1), "The request timeout.");
    fs_.StringSliceVar(&modes_, "authorization-mode", {"AlwaysAllow"}, "Ordered list.");
    fs_.StringArrayVar(&sni_, "tls-sni-cert-key", {}, "A pair of paths.");
    fs_.IntVar(&v_, "v", 0, "number for the log level verbosity");
    fs_.BoolVar(&a_, "a", false, "one-letter bool a");
    fs_.BoolVar(&b_, "b", false, "one-letter bool b");
  }

  absl::Status Parse(std::vector<std::string> args) { return fs_.ParseArgs(args); }

  FlagSet fs_;
  bool anonymous_auth_ = false;
  bool sharing_ = true;
  int port_ = 0;
  int64_t bytes_ = 0;
  double chance_ = 1;
  std::string cert_dir_;
  std::string bind_;
  absl::Duration timeout_;
  std::vector<std::string> modes_;
  std::vector<std::string> sni_ = {"garbage"};
  int v_ = -1;
  bool a_ = true;
  bool b_ = true;
};

TEST_F(FlagSetTest, RegistrationSetsDefaults) {
  EXPECT_TRUE(anonymous_auth_);
  EXPECT_FALSE(sharing_);
  EXPECT_EQ(port_, 6443);
  EXPECT_EQ(bytes_, 3145728);
  EXPECT_EQ(chance_, 0);
  EXPECT_EQ(cert_dir_, "apiserver.local.config/certificates");
  EXPECT_EQ(bind_, "0.0.0.0");
  EXPECT_EQ(timeout_, absl::Minutes(1));
  EXPECT_THAT(modes_, ElementsAre("AlwaysAllow"));
  EXPECT_THAT(sni_, IsEmpty());
  EXPECT_EQ(v_, 0);
  EXPECT_FALSE(fs_.Changed("secure-port"));
  EXPECT_TRUE(fs_.HasFlag("secure-port"));
  EXPECT_FALSE(fs_.HasFlag("nope"));
}

TEST_F(FlagSetTest, EqualsAndSpaceForms) {
  ASSERT_THAT(Parse({"--secure-port=8443", "--cert-dir", "/tmp/certs", "--request-timeout", "90s",
                     "--goaway-chance=0.001", "--max-request-body-bytes", "0x10", "--bind-address= ::1 "}),
              IsOk());
  EXPECT_EQ(port_, 8443);
  EXPECT_EQ(cert_dir_, "/tmp/certs");
  EXPECT_EQ(timeout_, absl::Seconds(90));
  EXPECT_EQ(chance_, 0.001);
  EXPECT_EQ(bytes_, 16);
  EXPECT_EQ(bind_, "::1");
  EXPECT_TRUE(fs_.Changed("secure-port"));
  EXPECT_TRUE(fs_.Changed("request-timeout"));
  EXPECT_FALSE(fs_.Changed("anonymous-auth"));
  EXPECT_THAT(fs_.Args(), IsEmpty());
}

TEST_F(FlagSetTest, SpaceFormTakesTheNextArgumentEvenIfItLooksLikeAFlag) {
  ASSERT_THAT(Parse({"--cert-dir", "--secure-port=1"}), IsOk());
  EXPECT_EQ(cert_dir_, "--secure-port=1");
  EXPECT_EQ(port_, 6443);
}

TEST_F(FlagSetTest, EmptyValueWithEquals) {
  ASSERT_THAT(Parse({"--cert-dir="}), IsOk());
  EXPECT_EQ(cert_dir_, "");
  EXPECT_TRUE(fs_.Changed("cert-dir"));
}

TEST_F(FlagSetTest, LastValueWins) {
  ASSERT_THAT(Parse({"--secure-port=1", "--secure-port", "2"}), IsOk());
  EXPECT_EQ(port_, 2);
}

TEST_F(FlagSetTest, Bools) {
  ASSERT_THAT(Parse({"--permit-port-sharing", "--anonymous-auth=false"}), IsOk());
  EXPECT_TRUE(sharing_);
  EXPECT_FALSE(anonymous_auth_);
  ASSERT_THAT(Parse({"--anonymous-auth=T", "--permit-port-sharing=0"}), IsOk());
  EXPECT_TRUE(anonymous_auth_);
  EXPECT_FALSE(sharing_);
}

TEST_F(FlagSetTest, BoolDoesNotConsumeTheNextArgument) {
  ASSERT_THAT(Parse({"--anonymous-auth", "false"}), IsOk());
  EXPECT_TRUE(anonymous_auth_);
  EXPECT_THAT(fs_.Args(), ElementsAre("false"));
}

TEST_F(FlagSetTest, BadBool) {
  EXPECT_THAT(Parse({"--anonymous-auth=maybe"}),
              StatusIs(kInvalid,
                       "invalid argument \"maybe\" for \"--anonymous-auth\" flag: strconv.ParseBool: parsing "
                       "\"maybe\": invalid syntax"));
  EXPECT_THAT(Parse({"--anonymous-auth="}), StatusIs(kInvalid, HasSubstr("parsing \"\": invalid syntax")));
}

TEST_F(FlagSetTest, BadInt) {
  EXPECT_THAT(Parse({"--secure-port=abc"}),
              StatusIs(kInvalid,
                       "invalid argument \"abc\" for \"--secure-port\" flag: strconv.ParseInt: parsing \"abc\": "
                       "invalid syntax"));
  EXPECT_THAT(Parse({"--secure-port", "99999999999"}),
              StatusIs(kInvalid, EndsWith("strconv.ParseInt: parsing \"99999999999\": value out of range")));
  EXPECT_THAT(Parse({"--max-request-body-bytes=1e6"}),
              StatusIs(kInvalid,
                       "invalid argument \"1e6\" for \"--max-request-body-bytes\" flag: "
                       "strconv.ParseInt: parsing \"1e6\": invalid syntax"));
  EXPECT_FALSE(fs_.Changed("secure-port"));
  EXPECT_EQ(port_, 6443);
}

TEST_F(FlagSetTest, BadDurationFloatAndIP) {
  EXPECT_THAT(
      Parse({"--request-timeout=x"}),
      StatusIs(kInvalid, "invalid argument \"x\" for \"--request-timeout\" flag: time: invalid duration \"x\""));
  EXPECT_THAT(Parse({"--request-timeout", "60"}),
              StatusIs(kInvalid,
                       "invalid argument \"60\" for \"--request-timeout\" flag: time: missing unit in "
                       "duration \"60\""));
  EXPECT_THAT(Parse({"--goaway-chance=lots"}),
              StatusIs(kInvalid,
                       "invalid argument \"lots\" for \"--goaway-chance\" flag: strconv.ParseFloat: "
                       "parsing \"lots\": invalid syntax"));
  EXPECT_THAT(Parse({"--bind-address=localhost"}),
              StatusIs(kInvalid,
                       "invalid argument \"localhost\" for \"--bind-address\" flag: failed to parse IP: "
                       "\"localhost\""));
  EXPECT_THAT(Parse({"--bind-address="}), StatusIs(kInvalid, EndsWith("failed to parse IP: \"\"")));
}

TEST_F(FlagSetTest, ValueIsQuotedInErrors) {
  EXPECT_THAT(Parse({"--secure-port=a\"b"}), StatusIs(kInvalid, HasSubstr("invalid argument \"a\\\"b\" for")));
}

TEST_F(FlagSetTest, NegativeDuration) {
  ASSERT_THAT(Parse({"--request-timeout=-1s"}), IsOk());
  EXPECT_EQ(timeout_, absl::Seconds(-1));
}

TEST_F(FlagSetTest, UnknownFlags) {
  EXPECT_THAT(Parse({"--foo"}), StatusIs(kInvalid, "unknown flag: --foo"));
  EXPECT_THAT(Parse({"--foo=bar"}), StatusIs(kInvalid, "unknown flag: --foo"));
  EXPECT_THAT(Parse({"-x"}), StatusIs(kInvalid, "unknown shorthand flag: 'x' in -x"));
  EXPECT_THAT(Parse({"-secure-port=1"}), StatusIs(kInvalid, "unknown shorthand flag: 's' in -secure-port=1"));
}

TEST_F(FlagSetTest, ParsingStopsAtTheFirstError) {
  EXPECT_THAT(Parse({"--secure-port=1", "--foo", "--cert-dir=/x"}), StatusIs(kInvalid, "unknown flag: --foo"));
  EXPECT_EQ(port_, 1);
  EXPECT_EQ(cert_dir_, "apiserver.local.config/certificates");
}

TEST_F(FlagSetTest, BadSyntax) {
  EXPECT_THAT(Parse({"---secure-port=1"}), StatusIs(kInvalid, "bad flag syntax: ---secure-port=1"));
  EXPECT_THAT(Parse({"--=1"}), StatusIs(kInvalid, "bad flag syntax: --=1"));
}

TEST_F(FlagSetTest, MissingValue) {
  EXPECT_THAT(Parse({"--secure-port"}), StatusIs(kInvalid, "flag needs an argument: --secure-port"));
  EXPECT_THAT(Parse({"-v"}), StatusIs(kInvalid, "flag needs an argument: 'v' in -v"));
}

TEST_F(FlagSetTest, OneLetterFlags) {
  ASSERT_THAT(Parse({"-v=3"}), IsOk());
  EXPECT_EQ(v_, 3);
  ASSERT_THAT(Parse({"-v", "4"}), IsOk());
  EXPECT_EQ(v_, 4);
  ASSERT_THAT(Parse({"-v5"}), IsOk());
  EXPECT_EQ(v_, 5);
  ASSERT_THAT(Parse({"--v=6"}), IsOk());
  EXPECT_EQ(v_, 6);
  ASSERT_THAT(Parse({"--v", "7"}), IsOk());
  EXPECT_EQ(v_, 7);
  EXPECT_TRUE(fs_.Changed("v"));
  EXPECT_THAT(Parse({"-v=x"}), StatusIs(kInvalid,
                                        "invalid argument \"x\" for \"-v, --v\" flag: strconv.ParseInt: "
                                        "parsing \"x\": invalid syntax"));
}

TEST_F(FlagSetTest, CombinedOneLetterBools) {
  ASSERT_THAT(Parse({"-ab"}), IsOk());
  EXPECT_TRUE(a_);
  EXPECT_TRUE(b_);
  ASSERT_THAT(Parse({"-av2", "-b=false"}), IsOk());
  EXPECT_EQ(v_, 2);
  EXPECT_FALSE(b_);
}

TEST_F(FlagSetTest, StringSliceReplacesDefaultThenAppends) {
  ASSERT_THAT(Parse({"--authorization-mode=AlwaysDeny,Bootstrap", "--authorization-mode", "AlwaysAllow"}), IsOk());
  EXPECT_THAT(modes_, ElementsAre("AlwaysDeny", "Bootstrap", "AlwaysAllow"));
  EXPECT_EQ(fs_.ValueString("authorization-mode").value(), "[AlwaysDeny,Bootstrap,AlwaysAllow]");
}

TEST_F(FlagSetTest, StringSliceEmptyValueClears) {
  ASSERT_THAT(Parse({"--authorization-mode="}), IsOk());
  EXPECT_THAT(modes_, IsEmpty());
  EXPECT_TRUE(fs_.Changed("authorization-mode"));
}

TEST_F(FlagSetTest, StringSliceQuotedFieldsAndErrors) {
  ASSERT_THAT(Parse({"--authorization-mode=\"a,b\",c"}), IsOk());
  EXPECT_THAT(modes_, ElementsAre("a,b", "c"));
  EXPECT_THAT(Parse({"--authorization-mode=a\"b"}),
              StatusIs(kInvalid,
                       "invalid argument \"a\\\"b\" for \"--authorization-mode\" flag: parse error on line "
                       "1, column 2: bare \" in non-quoted field"));
}

TEST_F(FlagSetTest, StringArrayAppendsVerbatim) {
  ASSERT_THAT(Parse({"--tls-sni-cert-key=a.crt,a.key", "--tls-sni-cert-key", "b.crt,b.key:*.b.com,b.com"}), IsOk());
  EXPECT_THAT(sni_, ElementsAre("a.crt,a.key", "b.crt,b.key:*.b.com,b.com"));
}

TEST(FlagSetArrayTest, FirstUseReplacesANonEmptyDefault) {
  FlagSet fs("t");
  std::vector<std::string> values;
  fs.StringArrayVar(&values, "x", {"default"}, "usage");
  ASSERT_THAT(fs.ParseArgs({"--x=1", "--x=2"}), IsOk());
  EXPECT_THAT(values, ElementsAre("1", "2"));
}

TEST_F(FlagSetTest, NonFlagArgumentsAreCollected) {
  ASSERT_THAT(Parse({"serve", "--secure-port=1", "-", "", "extra"}), IsOk());
  EXPECT_THAT(fs_.Args(), ElementsAre("serve", "-", "", "extra"));
  EXPECT_EQ(fs_.ArgsLenAtDash(), -1);
  EXPECT_EQ(port_, 1);
}

TEST_F(FlagSetTest, DoubleDashEndsFlags) {
  ASSERT_THAT(Parse({"a", "--secure-port=1", "--", "--secure-port=2", "--foo", "-v"}), IsOk());
  EXPECT_EQ(port_, 1);
  EXPECT_THAT(fs_.Args(), ElementsAre("a", "--secure-port=2", "--foo", "-v"));
  EXPECT_EQ(fs_.ArgsLenAtDash(), 1);
}

TEST_F(FlagSetTest, HelpIsReportedNotPrinted) {
  absl::Status status = Parse({"--help"});
  EXPECT_TRUE(IsHelpRequested(status));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kCancelled, "pflag: help requested"));
  EXPECT_TRUE(IsHelpRequested(Parse({"-h"})));
  EXPECT_FALSE(IsHelpRequested(Parse({"--foo"})));
  EXPECT_FALSE(IsHelpRequested(absl::OkStatus()));
}

TEST(FlagSetHelpTest, ARegisteredHelpFlagIsAnOrdinaryFlag) {
  FlagSet fs("t");
  bool help = false;
  fs.BoolVar(&help, "help", false, "help for t");
  ASSERT_THAT(fs.ParseArgs({"--help"}), IsOk());
  EXPECT_TRUE(help);
}

TEST_F(FlagSetTest, ParseSkipsProgramName) {
  const char* argv[] = {"apiserve", "--secure-port=7443", "rest"};
  ASSERT_THAT(fs_.Parse(3, argv), IsOk());
  EXPECT_EQ(port_, 7443);
  EXPECT_THAT(fs_.Args(), ElementsAre("rest"));
}

TEST_F(FlagSetTest, SetAndValueString) {
  ASSERT_THAT(fs_.Set("request-timeout", "1h2m3.5s"), IsOk());
  EXPECT_TRUE(fs_.Changed("request-timeout"));
  EXPECT_EQ(fs_.ValueString("request-timeout").value(), "1h2m3.5s");
  EXPECT_EQ(fs_.ValueString("anonymous-auth").value(), "true");
  EXPECT_EQ(fs_.ValueString("goaway-chance").value(), "0");
  EXPECT_EQ(fs_.ValueString("tls-sni-cert-key").value(), "[]");
  EXPECT_THAT(fs_.Set("nope", "1"), StatusIs(absl::StatusCode::kNotFound, "no such flag -nope"));
  EXPECT_THAT(fs_.ValueString("nope"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(fs_.Set("secure-port", "x"),
              StatusIs(kInvalid, StartsWith("invalid argument \"x\" for \"--secure-port\"")));
  EXPECT_FALSE(fs_.Changed("nope"));
}

TEST_F(FlagSetTest, NamesAreSorted) {
  EXPECT_THAT(fs_.Names(), ElementsAre("a", "anonymous-auth", "authorization-mode", "b", "bind-address", "cert-dir",
                                       "goaway-chance", "max-request-body-bytes", "permit-port-sharing",
                                       "request-timeout", "secure-port", "tls-sni-cert-key", "v"));
}

TEST_F(FlagSetTest, UsageLooksLikeCobra) {
  const std::string expected =
      "  -a, --a                              one-letter bool a\n"
      "      --anonymous-auth                 Enables anonymous requests. (default true)\n"
      "      --authorization-mode strings     Ordered list. (default [AlwaysAllow])\n"
      "  -b, --b                              one-letter bool b\n"
      "      --bind-address ip                The IP address. (default 0.0.0.0)\n"
      "      --cert-dir string                The directory. (default \"apiserver.local.config/certificates\")\n"
      "      --goaway-chance float            GOAWAY fraction.\n"
      "      --max-request-body-bytes int     Largest body. (default 3145728)\n"
      "      --permit-port-sharing            If true, SO_REUSEPORT.\n"
      "      --request-timeout duration       The request timeout. (default 1m0s)\n"
      "      --secure-port int                The port on which to serve HTTPS. (default 6443)\n"
      "      --tls-sni-cert-key stringArray   A pair of paths.\n"
      "  -v, --v int                          number for the log level verbosity\n";
  EXPECT_EQ(fs_.Usage(), expected);
}

TEST_F(FlagSetTest, UsageShowsDefaultsNotCurrentValues) {
  ASSERT_THAT(Parse({"--secure-port=1"}), IsOk());
  EXPECT_THAT(fs_.Usage(), HasSubstr("(default 6443)"));
}

TEST(FlagSetUsageTest, BackquotedNameReplacesTheType) {
  FlagSet fs("t");
  std::string file;
  double ratio = 0;
  fs.StringVar(&file, "token-auth-file", "", "Read tokens from `path`.");
  fs.Float64Var(&ratio, "ratio", 0.02, "A ratio.");
  EXPECT_EQ(fs.Usage(),
            "      --ratio float            A ratio. (default 0.02)\n"
            "      --token-auth-file path   Read tokens from path.\n");
}

TEST(FlagSetDeathTest, RedefinitionAborts) {
  FlagSet fs("t");
  int x = 0;
  fs.IntVar(&x, "x", 0, "");
  EXPECT_DEATH(fs.IntVar(&x, "x", 0, ""), "flag redefined: x");
  EXPECT_DEATH(fs.IntVar(&x, "-y", 0, ""), "invalid flag name");
  EXPECT_DEATH(fs.IntVar(&x, "", 0, ""), "invalid flag name");
}

}  // namespace
}  // namespace apiserve::flags
