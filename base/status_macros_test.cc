#include "base/status_macros.h"

#include <string>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::base {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

absl::Status FailIf(bool fail) {
  if (fail) return absl::InvalidArgumentError("asked to fail");
  return absl::OkStatus();
}

absl::StatusOr<int> Half(int n) {
  if (n % 2 != 0) return absl::InvalidArgumentError("odd number " + std::to_string(n));
  return n / 2;
}

absl::Status Chain(bool fail, int* steps) {
  RETURN_IF_ERROR(FailIf(fail));
  ++*steps;
  return absl::OkStatus();
}

absl::StatusOr<int> Quarter(int n) {
  ASSIGN_OR_RETURN(int half, Half(n));
  ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(StatusMacrosTest, ReturnIfErrorStopsAtTheFirstError) {
  int steps = 0;
  EXPECT_THAT(Chain(true, &steps), StatusIs(absl::StatusCode::kInvalidArgument, "asked to fail"));
  EXPECT_EQ(steps, 0);
  EXPECT_THAT(Chain(false, &steps), IsOk());
  EXPECT_EQ(steps, 1);
}

TEST(StatusMacrosTest, AssignOrReturnPassesValuesAndErrors) {
  ASSERT_THAT(Quarter(8), IsOk());
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_THAT(Quarter(6), StatusIs(absl::StatusCode::kInvalidArgument, "odd number 3"));
  EXPECT_THAT(Quarter(5), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("5")));
}

TEST(StatusMatchersTest, DistinguishCodesAndMessages) {
  const absl::Status not_found = absl::NotFoundError("file /x missing");
  EXPECT_THAT(not_found, Not(IsOk()));
  EXPECT_THAT(not_found, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(not_found, Not(StatusIs(absl::StatusCode::kInternal)));
  EXPECT_THAT(not_found, Not(StatusIs(absl::StatusCode::kNotFound, "other")));
  EXPECT_THAT(absl::StatusOr<int>(3), IsOk());
}

}  // namespace
}  // namespace apiserve::base
