#include "healthz/go_format.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace apiserve::healthz {
namespace {

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
