#include "flags/go_strconv.h"

#include <cmath>
#include <limits>
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
using ::testing::IsEmpty;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

TEST(GoQuoteTest, EscapesLikeStrconvQuote) {
  EXPECT_EQ(GoQuote(""), "\"\"");
  EXPECT_EQ(GoQuote("abc"), "\"abc\"");
  EXPECT_EQ(GoQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(GoQuote("\t\n\r\a\b\f\v"), "\"\\t\\n\\r\\a\\b\\f\\v\"");
  EXPECT_EQ(GoQuote(std::string("\x01\x7f", 2)), "\"\\x01\\x7f\"");
  EXPECT_EQ(GoQuote("\xc2\xb5s"), "\"\xc2\xb5s\"");  // valid UTF-8 stays
  EXPECT_EQ(GoQuote("\xff"), "\"\\xff\"");           // invalid UTF-8 does not
}

TEST(ParseGoBoolTest, AcceptsGoSpellings) {
  for (const char* s : {"1", "t", "T", "TRUE", "true", "True"}) EXPECT_EQ(ParseGoBool(s).value(), true) << s;
  for (const char* s : {"0", "f", "F", "FALSE", "false", "False"}) EXPECT_EQ(ParseGoBool(s).value(), false) << s;
}

TEST(ParseGoBoolTest, RejectsOthersWithGoMessage) {
  EXPECT_THAT(ParseGoBool("maybe"), StatusIs(kInvalid, "strconv.ParseBool: parsing \"maybe\": invalid syntax"));
  EXPECT_THAT(ParseGoBool(""), StatusIs(kInvalid, "strconv.ParseBool: parsing \"\": invalid syntax"));
  EXPECT_THAT(ParseGoBool("yes"), StatusIs(kInvalid));
  EXPECT_THAT(ParseGoBool("tRUE"), StatusIs(kInvalid));
}

TEST(ParseGoIntTest, DecimalAndSigns) {
  EXPECT_EQ(ParseGoInt("0", 64).value(), 0);
  EXPECT_EQ(ParseGoInt("6443", 64).value(), 6443);
  EXPECT_EQ(ParseGoInt("+7", 64).value(), 7);
  EXPECT_EQ(ParseGoInt("-7", 64).value(), -7);
}

TEST(ParseGoIntTest, BasePrefixesAndUnderscores) {
  EXPECT_EQ(ParseGoInt("0x1F", 64).value(), 31);
  EXPECT_EQ(ParseGoInt("0X1f", 64).value(), 31);
  EXPECT_EQ(ParseGoInt("0b101", 64).value(), 5);
  EXPECT_EQ(ParseGoInt("0o17", 64).value(), 15);
  EXPECT_EQ(ParseGoInt("017", 64).value(), 15);
  EXPECT_EQ(ParseGoInt("1_000", 64).value(), 1000);
  EXPECT_EQ(ParseGoInt("0x_ff", 64).value(), 255);
  EXPECT_EQ(ParseGoInt("-0x10", 64).value(), -16);
}

TEST(ParseGoIntTest, SyntaxErrors) {
  EXPECT_THAT(ParseGoInt("abc", 64), StatusIs(kInvalid, "strconv.ParseInt: parsing \"abc\": invalid syntax"));
  for (const char* s : {"", "-", "+", "1.5", "08", "0x", "1__0", "_1", "1_", " 1", "1 ", "0b2", "--1"}) {
    EXPECT_THAT(ParseGoInt(s, 64), StatusIs(kInvalid, testing::EndsWith("invalid syntax"))) << s;
  }
}

TEST(ParseGoIntTest, RangeLimits) {
  EXPECT_EQ(ParseGoInt("9223372036854775807", 64).value(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ParseGoInt("-9223372036854775808", 64).value(), std::numeric_limits<int64_t>::min());
  EXPECT_THAT(ParseGoInt("9223372036854775808", 64),
              StatusIs(kInvalid, "strconv.ParseInt: parsing \"9223372036854775808\": value out of range"));
  EXPECT_THAT(ParseGoInt("99999999999999999999999", 64), StatusIs(kInvalid, testing::EndsWith("value out of range")));
  EXPECT_EQ(ParseGoInt("2147483647", 32).value(), 2147483647);
  EXPECT_EQ(ParseGoInt("-2147483648", 32).value(), -2147483648LL);
  EXPECT_THAT(ParseGoInt("2147483648", 32), StatusIs(kInvalid, testing::EndsWith("value out of range")));
  EXPECT_THAT(ParseGoInt("-2147483649", 32), StatusIs(kInvalid, testing::EndsWith("value out of range")));
}

TEST(ParseGoFloatTest, Accepts) {
  EXPECT_EQ(ParseGoFloat("0").value(), 0);
  EXPECT_EQ(ParseGoFloat("0.02").value(), 0.02);
  EXPECT_EQ(ParseGoFloat(".001").value(), 0.001);
  EXPECT_EQ(ParseGoFloat("1.").value(), 1);
  EXPECT_EQ(ParseGoFloat("-1.5e3").value(), -1500);
  EXPECT_EQ(ParseGoFloat("1E-2").value(), 0.01);
  EXPECT_EQ(ParseGoFloat("1_000.5").value(), 1000.5);
  EXPECT_EQ(ParseGoFloat("0x1p-2").value(), 0.25);
  EXPECT_EQ(ParseGoFloat("+Inf").value(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(ParseGoFloat("-infinity").value(), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(ParseGoFloat("NaN").value()));
}

TEST(ParseGoFloatTest, Rejects) {
  EXPECT_THAT(ParseGoFloat("x"), StatusIs(kInvalid, "strconv.ParseFloat: parsing \"x\": invalid syntax"));
  for (const char* s : {"", ".", "e5", "1e", "1e+", "0x1", "1.2.3", "1_", "_1", " 1", "1 ", "+nan", "0x1.8"}) {
    EXPECT_THAT(ParseGoFloat(s), StatusIs(kInvalid, testing::EndsWith("invalid syntax"))) << s;
  }
  EXPECT_THAT(ParseGoFloat("1e400"), StatusIs(kInvalid, "strconv.ParseFloat: parsing \"1e400\": value out of range"));
}

TEST(FormatGoFloatTest, ShortestLikeGo) {
  EXPECT_EQ(FormatGoFloat(0), "0");
  EXPECT_EQ(FormatGoFloat(0.02), "0.02");
  EXPECT_EQ(FormatGoFloat(0.001), "0.001");
  EXPECT_EQ(FormatGoFloat(0.0001), "0.0001");
  EXPECT_EQ(FormatGoFloat(0.00001), "1e-05");
  EXPECT_EQ(FormatGoFloat(1), "1");
  EXPECT_EQ(FormatGoFloat(-2.5), "-2.5");
  EXPECT_EQ(FormatGoFloat(100), "100");
  EXPECT_EQ(FormatGoFloat(123456), "123456");
  EXPECT_EQ(FormatGoFloat(1e6), "1e+06");
  EXPECT_EQ(FormatGoFloat(1234567), "1.234567e+06");
  EXPECT_EQ(FormatGoFloat(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatGoFloat(1e21), "1e+21");
  EXPECT_EQ(FormatGoFloat(1e100), "1e+100");
  EXPECT_EQ(FormatGoFloat(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatGoFloat(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatGoFloat(std::nan("")), "NaN");
}

TEST(CsvTest, ReadsOneRecord) {
  EXPECT_THAT(ReadCsvRecord("").value(), IsEmpty());
  EXPECT_THAT(ReadCsvRecord("a").value(), ElementsAre("a"));
  EXPECT_THAT(ReadCsvRecord("a,b").value(), ElementsAre("a", "b"));
  EXPECT_THAT(ReadCsvRecord("a,").value(), ElementsAre("a", ""));
  EXPECT_THAT(ReadCsvRecord(" a , b").value(), ElementsAre(" a ", " b"));
  EXPECT_THAT(ReadCsvRecord("\"a,b\",c").value(), ElementsAre("a,b", "c"));
  EXPECT_THAT(ReadCsvRecord("\"say \"\"hi\"\"\"").value(), ElementsAre("say \"hi\""));
  EXPECT_THAT(ReadCsvRecord("a,b\nc,d").value(), ElementsAre("a", "b"));
}

TEST(CsvTest, RejectsBadQuotes) {
  EXPECT_THAT(ReadCsvRecord("a\"b"),
              StatusIs(kInvalid, "parse error on line 1, column 2: bare \" in non-quoted field"));
  EXPECT_THAT(ReadCsvRecord("\"ab"), StatusIs(kInvalid, testing::EndsWith("extraneous or missing \" in quoted-field")));
  EXPECT_THAT(ReadCsvRecord("\"a\"b"),
              StatusIs(kInvalid, testing::EndsWith("extraneous or missing \" in quoted-field")));
}

TEST(CsvTest, WritesAndRoundTrips) {
  EXPECT_EQ(WriteCsvRecord({}), "");
  EXPECT_EQ(WriteCsvRecord({"AlwaysAllow"}), "AlwaysAllow");
  EXPECT_EQ(WriteCsvRecord({"a", "b"}), "a,b");
  EXPECT_EQ(WriteCsvRecord({"a,b", "c\"d", " e", ""}), "\"a,b\",\"c\"\"d\",\" e\",");
  const std::vector<std::string> fields = {"x,y", "q\"", "plain", " lead"};
  EXPECT_EQ(ReadCsvRecord(WriteCsvRecord(fields)).value(), fields);
}

}  // namespace
}  // namespace apiserve::flags
