#ifndef APISERVE_BASE_STATUS_MATCHERS_H_
#define APISERVE_BASE_STATUS_MATCHERS_H_

// GoogleMock matchers for absl::Status and absl::StatusOr<T> (Abseil 20220623 ships none).
//
//   EXPECT_THAT(Validate(options), IsOk());
//   EXPECT_THAT(Load(path), StatusIs(absl::StatusCode::kNotFound, HasSubstr(path)));

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

namespace apiserve::base {
namespace internal {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }

template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

}  // namespace internal

// IsOk matches an OK Status or a StatusOr holding a value.
MATCHER(IsOk, negation ? "is not OK" : "is OK") {
  const absl::Status& status = internal::GetStatus(arg);
  if (!status.ok()) *result_listener << "whose status is " << status.ToString();
  return status.ok();
}

// StatusIs(code) matches a Status (or StatusOr) with that code.
MATCHER_P(StatusIs, code, "has status code " + absl::StatusCodeToString(code)) {
  const absl::Status& status = internal::GetStatus(arg);
  *result_listener << "whose status is " << status.ToString();
  return status.code() == code;
}

// StatusIs(code, message_matcher) also matches the message, e.g. HasSubstr("...") or an exact string.
MATCHER_P2(StatusIs, code, message_matcher,
           "has status code " + absl::StatusCodeToString(code) + " and a message that " +
               ::testing::DescribeMatcher<const std::string&>(message_matcher)) {
  const absl::Status& status = internal::GetStatus(arg);
  *result_listener << "whose status is " << status.ToString();
  if (status.code() != code) return false;
  return ::testing::SafeMatcherCast<const std::string&>(message_matcher)
      .MatchAndExplain(std::string(status.message()), result_listener);
}

}  // namespace apiserve::base

#endif  // APISERVE_BASE_STATUS_MATCHERS_H_
