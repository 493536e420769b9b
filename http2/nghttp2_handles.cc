#include "http2/nghttp2_handles.h"

#include "absl/strings/str_cat.h"

namespace apiserve::http2 {

absl::Status NghttpError(absl::string_view call, int code) {
  if (code >= 0) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(call, ": ", nghttp2_strerror(code)));
}

absl::StatusOr<OptionPtr> NewOption() {
  nghttp2_option* option = nullptr;
  if (absl::Status status = NghttpError("nghttp2_option_new", nghttp2_option_new(&option)); !status.ok()) {
    return status;
  }
  return OptionPtr(option);
}

absl::StatusOr<CallbacksPtr> NewCallbacks() {
  nghttp2_session_callbacks* callbacks = nullptr;
  if (absl::Status status = NghttpError("nghttp2_session_callbacks_new", nghttp2_session_callbacks_new(&callbacks));
      !status.ok()) {
    return status;
  }
  return CallbacksPtr(callbacks);
}

}  // namespace apiserve::http2
