#ifndef APISERVE_BASE_STATUS_MACROS_H_
#define APISERVE_BASE_STATUS_MACROS_H_

// RETURN_IF_ERROR and ASSIGN_OR_RETURN, which Abseil 20220623 does not ship.
//
//   RETURN_IF_ERROR(file.Close());                  // returns the Status if not OK
//   ASSIGN_OR_RETURN(std::string pem, ReadFile(p)); // returns the StatusOr's Status if not OK

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define RETURN_IF_ERROR(expr)                              \
  do {                                                     \
    ::absl::Status apiserve_status_macro_status_ = (expr); \
    if (!apiserve_status_macro_status_.ok()) {             \
      return apiserve_status_macro_status_;                \
    }                                                      \
  } while (false)

#define APISERVE_STATUS_MACROS_CONCAT_INNER(a, b) a##b
#define APISERVE_STATUS_MACROS_CONCAT(a, b) APISERVE_STATUS_MACROS_CONCAT_INNER(a, b)

#define APISERVE_ASSIGN_OR_RETURN_IMPL(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                   \
  if (!statusor.ok()) {                                      \
    return std::move(statusor).status();                     \
  }                                                          \
  lhs = *std::move(statusor)

#define ASSIGN_OR_RETURN(lhs, rexpr) \
  APISERVE_ASSIGN_OR_RETURN_IMPL(APISERVE_STATUS_MACROS_CONCAT(apiserve_statusor_, __LINE__), lhs, rexpr)

#endif  // APISERVE_BASE_STATUS_MACROS_H_
