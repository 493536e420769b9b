#include "base/go_duration.h"

#include "base/status_matchers.h"
#include "gtest/gtest.h"

namespace apiserve::base {
namespace {

TEST(FormatGoDurationTest, MatchesGo) {
  EXPECT_EQ(FormatGoDuration(absl::ZeroDuration()), "0s");
  EXPECT_EQ(FormatGoDuration(absl::Minutes(1)), "1m0s");
  EXPECT_EQ(FormatGoDuration(absl::Seconds(90)), "1m30s");
  EXPECT_EQ(FormatGoDuration(absl::Hours(2)), "2h0m0s");
  EXPECT_EQ(FormatGoDuration(absl::Milliseconds(1500)), "1.5s");
  EXPECT_EQ(FormatGoDuration(absl::Milliseconds(500)), "500ms");
  EXPECT_EQ(FormatGoDuration(absl::Microseconds(1500)), "1.5ms");
  EXPECT_EQ(FormatGoDuration(absl::Nanoseconds(1500)), "1.5\xc2\xb5s");
  EXPECT_EQ(FormatGoDuration(absl::Nanoseconds(7)), "7ns");
  EXPECT_EQ(FormatGoDuration(-absl::Seconds(1)), "-1s");
  EXPECT_EQ(FormatGoDuration(absl::Seconds(32)), "32s");
}

TEST(ParseGoDurationTest, AcceptsGoSyntax) {
  EXPECT_EQ(*ParseGoDuration("1m0s"), absl::Minutes(1));
  EXPECT_EQ(*ParseGoDuration("90s"), absl::Seconds(90));
  EXPECT_EQ(*ParseGoDuration("1h2m3.5s"), absl::Hours(1) + absl::Minutes(2) + absl::Milliseconds(3500));
  EXPECT_EQ(*ParseGoDuration("500ms"), absl::Milliseconds(500));
  EXPECT_EQ(*ParseGoDuration("1.5h"), absl::Minutes(90));
  EXPECT_EQ(*ParseGoDuration("0"), absl::ZeroDuration());
  EXPECT_EQ(*ParseGoDuration("-1s"), -absl::Seconds(1));
  EXPECT_EQ(*ParseGoDuration("+2us"), absl::Microseconds(2));
  EXPECT_EQ(*ParseGoDuration(".5s"), absl::Milliseconds(500));
  for (absl::Duration d : {absl::Minutes(1), absl::Milliseconds(1500), absl::Hours(3), absl::Nanoseconds(1234567)}) {
    EXPECT_EQ(*ParseGoDuration(FormatGoDuration(d)), d);
  }
}

TEST(ParseGoDurationTest, GoErrorMessages) {
  EXPECT_THAT(ParseGoDuration("x"), StatusIs(absl::StatusCode::kInvalidArgument, "time: invalid duration \"x\""));
  EXPECT_THAT(ParseGoDuration(""), StatusIs(absl::StatusCode::kInvalidArgument, "time: invalid duration \"\""));
  EXPECT_THAT(ParseGoDuration("10"),
              StatusIs(absl::StatusCode::kInvalidArgument, "time: missing unit in duration \"10\""));
  EXPECT_THAT(ParseGoDuration("3d"),
              StatusIs(absl::StatusCode::kInvalidArgument, "time: unknown unit \"d\" in duration \"3d\""));
  EXPECT_THAT(ParseGoDuration("."), StatusIs(absl::StatusCode::kInvalidArgument, "time: invalid duration \".\""));
  EXPECT_THAT(ParseGoDuration("99999999999999999999h"), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace apiserve::base
