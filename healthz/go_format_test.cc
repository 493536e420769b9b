#include "healthz/go_format.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace apiserve::healthz {
namespace {

TEST(FormatGoDurationTest, MatchesGo) {
  struct Case {
    absl::Duration d;
    std::string want;
  };
  const Case cases[] = {
      {absl::ZeroDuration(), "0s"},       {absl::Nanoseconds(1), "1ns"},
      {absl::Nanoseconds(1500), "1.5µs"}, {absl::Microseconds(1), "1µs"},
      {absl::Milliseconds(500), "500ms"}, {absl::Microseconds(1500), "1.5ms"},
      {absl::Seconds(2), "2s"},           {absl::Milliseconds(2500), "2.5s"},
      {absl::Seconds(60), "1m0s"},        {absl::Seconds(90), "1m30s"},
      {absl::Hours(1), "1h0m0s"},         {absl::Hours(1) + absl::Milliseconds(500), "1h0m0.5s"},
      {absl::Seconds(32), "32s"},         {-absl::Milliseconds(5), "-5ms"},
      {-absl::Seconds(61), "-1m1s"},
  };
  for (const Case& c : cases) EXPECT_EQ(FormatGoDuration(c.d), c.want) << c.want;
}

TEST(GoQuoteTest, MatchesGoPercentQ) {
  struct Case {
    std::string in;
    std::string want;
  };
  const Case cases[] = {
      {"dontexist", R"("dontexist")"}, {"", R"("")"},
      {"a\"b", R"("a\"b")"},           {"a\\b", R"("a\\b")"},
      {"tab\tnl\n", R"("tab\tnl\n")"}, {std::string("\x01\x7f", 2), R"("\x01\x7f")"},
      {"héllo", "\"héllo\""},          {"\xff", R"("\xff")"},
  };
  for (const Case& c : cases) EXPECT_EQ(GoQuote(c.in), c.want) << c.in;
}

TEST(FormatQuotedTest, JoinsWithCommaNoSpaces) {
  // kube's TestFormatQuoted.
  EXPECT_EQ(FormatQuoted({}), "");
  EXPECT_EQ(FormatQuoted({"foo"}), R"("foo")");
  EXPECT_EQ(FormatQuoted({"foo", "bar"}), R"("foo","bar")");
  EXPECT_EQ(FormatQuoted({"foo", "bar", "baz"}), R"("foo","bar","baz")");
}

}  // namespace
}  // namespace apiserve::healthz
