#include "http/wire_format.h"

#include <string>

#include "gtest/gtest.h"

namespace apiserve::http {
namespace {

TEST(HttpDateTest, ImfFixdate) {
  const absl::Time t = absl::FromCivil(absl::CivilSecond(2026, 11, 29, 6, 30, 5), absl::UTCTimeZone());
  EXPECT_EQ(HttpDate(t), "Sun, 29 Nov 2026 06:30:05 GMT");
  EXPECT_EQ(HttpDate(t + absl::Milliseconds(500)), "Sun, 29 Nov 2026 06:30:05 GMT");
  EXPECT_EQ(HttpDate(t + absl::Seconds(1)), "Sun, 29 Nov 2026 06:30:06 GMT");
}

TEST(SniffTest, TextAndBinary) {
  EXPECT_EQ(SniffContentType("ok"), "text/plain; charset=utf-8");
  EXPECT_EQ(SniffContentType(std::string("\x00\x01", 2)), "application/octet-stream");
}

TEST(StatusHasNoBodyTest, InformationalNoContentNotModified) {
  EXPECT_TRUE(StatusHasNoBody(100));
  EXPECT_TRUE(StatusHasNoBody(199));
  EXPECT_TRUE(StatusHasNoBody(204));
  EXPECT_TRUE(StatusHasNoBody(304));
  EXPECT_FALSE(StatusHasNoBody(200));
  EXPECT_FALSE(StatusHasNoBody(205));
}

}  // namespace
}  // namespace apiserve::http
