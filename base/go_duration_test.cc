#include "base/go_duration.h"

#include <cstdint>
#include <limits>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::base {
namespace {

using ::apiserve::base::StatusIs;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

TEST(ParseGoDurationTest, Accepts) {
  EXPECT_EQ(ParseGoDuration("0").value(), absl::ZeroDuration());
  EXPECT_EQ(ParseGoDuration("-0").value(), absl::ZeroDuration());
  EXPECT_EQ(ParseGoDuration("0s").value(), absl::ZeroDuration());
  EXPECT_EQ(ParseGoDuration("1m0s").value(), absl::Minutes(1));
  EXPECT_EQ(ParseGoDuration("90s").value(), absl::Seconds(90));
  EXPECT_EQ(ParseGoDuration("1h2m3.5s").value(), absl::Hours(1) + absl::Minutes(2) + absl::Milliseconds(3500));
  EXPECT_EQ(ParseGoDuration("500ms").value(), absl::Milliseconds(500));
  EXPECT_EQ(ParseGoDuration("1.5h").value(), absl::Minutes(90));
  EXPECT_EQ(ParseGoDuration("-1s").value(), absl::Seconds(-1));
  EXPECT_EQ(ParseGoDuration("+2m").value(), absl::Minutes(2));
  EXPECT_EQ(ParseGoDuration(".5s").value(), absl::Milliseconds(500));
  EXPECT_EQ(ParseGoDuration("1.s").value(), absl::Seconds(1));
  EXPECT_EQ(ParseGoDuration("3ns").value(), absl::Nanoseconds(3));
  EXPECT_EQ(ParseGoDuration("7us").value(), absl::Microseconds(7));
  EXPECT_EQ(ParseGoDuration("7\xc2\xb5s").value(), absl::Microseconds(7));  // micro sign
  EXPECT_EQ(ParseGoDuration("7\xce\xbcs").value(), absl::Microseconds(7));  // Greek mu
  EXPECT_EQ(ParseGoDuration("1h1h").value(), absl::Hours(2));
  EXPECT_EQ(ParseGoDuration("1.0000000001s").value(), absl::Seconds(1));  // beyond ns precision: truncated
  EXPECT_EQ(ParseGoDuration("9223372036854775807ns").value(), absl::Nanoseconds(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(ParseGoDuration("-9223372036854775808ns").value(), absl::Nanoseconds(std::numeric_limits<int64_t>::min()));
}

TEST(ParseGoDurationTest, ErrorsMatchGo) {
  EXPECT_THAT(ParseGoDuration("x"), StatusIs(kInvalid, "time: invalid duration \"x\""));
  EXPECT_THAT(ParseGoDuration(""), StatusIs(kInvalid, "time: invalid duration \"\""));
  EXPECT_THAT(ParseGoDuration("-"), StatusIs(kInvalid, "time: invalid duration \"-\""));
  EXPECT_THAT(ParseGoDuration(".s"), StatusIs(kInvalid, "time: invalid duration \".s\""));
  EXPECT_THAT(ParseGoDuration("1s "), StatusIs(kInvalid, "time: unknown unit \"s \" in duration \"1s \""));
  EXPECT_THAT(ParseGoDuration("1"), StatusIs(kInvalid, "time: missing unit in duration \"1\""));
  EXPECT_THAT(ParseGoDuration("60"), StatusIs(kInvalid, "time: missing unit in duration \"60\""));
  EXPECT_THAT(ParseGoDuration("1m30"), StatusIs(kInvalid, "time: missing unit in duration \"1m30\""));
  EXPECT_THAT(ParseGoDuration("3d"), StatusIs(kInvalid, "time: unknown unit \"d\" in duration \"3d\""));
  EXPECT_THAT(ParseGoDuration("9223372036854775808ns"),
              StatusIs(kInvalid, "time: invalid duration \"9223372036854775808ns\""));
  EXPECT_THAT(ParseGoDuration("3000000h"), StatusIs(kInvalid, "time: invalid duration \"3000000h\""));
  EXPECT_THAT(ParseGoDuration("99999999999999999999s"), StatusIs(kInvalid));
}

TEST(FormatGoDurationTest, PrintsLikeGo) {
  EXPECT_EQ(FormatGoDuration(absl::ZeroDuration()), "0s");
  EXPECT_EQ(FormatGoDuration(absl::Nanoseconds(1)), "1ns");
  EXPECT_EQ(FormatGoDuration(absl::Nanoseconds(1100)), "1.1\xc2\xb5s");
  EXPECT_EQ(FormatGoDuration(absl::Microseconds(1)), "1\xc2\xb5s");
  EXPECT_EQ(FormatGoDuration(absl::Milliseconds(500)), "500ms");
  EXPECT_EQ(FormatGoDuration(absl::Microseconds(2200)), "2.2ms");
  EXPECT_EQ(FormatGoDuration(absl::Seconds(1)), "1s");
  EXPECT_EQ(FormatGoDuration(absl::Milliseconds(1500)), "1.5s");
  EXPECT_EQ(FormatGoDuration(absl::Seconds(32)), "32s");
  EXPECT_EQ(FormatGoDuration(absl::Minutes(1)), "1m0s");
  EXPECT_EQ(FormatGoDuration(absl::Seconds(90)), "1m30s");
  EXPECT_EQ(FormatGoDuration(absl::Hours(2)), "2h0m0s");
  EXPECT_EQ(FormatGoDuration(absl::Hours(72) + absl::Minutes(3) + absl::Milliseconds(500)), "72h3m0.5s");
  EXPECT_EQ(FormatGoDuration(absl::Seconds(-1)), "-1s");
  EXPECT_EQ(FormatGoDuration(absl::Milliseconds(-500)), "-500ms");
  EXPECT_EQ(FormatGoDuration(absl::Nanoseconds(std::numeric_limits<int64_t>::max())), "2562047h47m16.854775807s");
  EXPECT_EQ(FormatGoDuration(absl::Nanoseconds(std::numeric_limits<int64_t>::min())), "-2562047h47m16.854775808s");
  EXPECT_EQ(FormatGoDuration(absl::InfiniteDuration()), "2562047h47m16.854775807s");  // saturates
}

TEST(GoDurationTest, RoundTrips) {
  for (const char* s : {"0s", "1ns", "999ns", "1.5\xc2\xb5s", "500ms", "1.5s", "32s", "1m0s", "1m30s", "2h0m0s",
                        "1h2m3.5s", "-1s", "-1h0m0.000000001s", "72h3m0.5s"}) {
    absl::StatusOr<absl::Duration> d = ParseGoDuration(s);
    ASSERT_TRUE(d.ok()) << s << ": " << d.status();
    EXPECT_EQ(FormatGoDuration(*d), s);
  }
  for (absl::Duration d : {absl::Seconds(90), absl::Milliseconds(1), absl::Hours(-3), absl::Nanoseconds(123456789)}) {
    EXPECT_EQ(ParseGoDuration(FormatGoDuration(d)).value(), d);
  }
}

}  // namespace
}  // namespace apiserve::base
