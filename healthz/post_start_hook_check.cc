#include "healthz/post_start_hook_check.h"

#include "absl/strings/str_cat.h"

namespace apiserve::healthz {

PostStartHookCheck::PostStartHookCheck(absl::string_view hook_name)
    : name_(absl::StrCat("poststarthook/", hook_name)) {}

absl::Status PostStartHookCheck::Check(const http::Request&) const {
  if (done()) return absl::OkStatus();
  return absl::UnavailableError("not finished");
}

}  // namespace apiserve::healthz
