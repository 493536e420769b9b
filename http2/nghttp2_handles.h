#ifndef APISERVE_HTTP2_NGHTTP2_HANDLES_H_
#define APISERVE_HTTP2_NGHTTP2_HANDLES_H_

// RAII owners for nghttp2's C handles, and the one way we turn an nghttp2 error code into a Status.
//
//   ASSIGN_OR_RETURN(OptionPtr option, NewOption());
//   nghttp2_option_set_no_auto_window_update(option.get(), 1);
//
// Each pointer owns its handle and frees it with the matching nghttp2 destructor. Not thread-safe (nghttp2 handles
// are not); a session belongs to one connection's loop.

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nghttp2/nghttp2.h"

namespace apiserve::http2 {

struct SessionDeleter {
  void operator()(nghttp2_session* session) const { nghttp2_session_del(session); }
};
struct OptionDeleter {
  void operator()(nghttp2_option* option) const { nghttp2_option_del(option); }
};
struct CallbacksDeleter {
  void operator()(nghttp2_session_callbacks* callbacks) const { nghttp2_session_callbacks_del(callbacks); }
};

using SessionPtr = std::unique_ptr<nghttp2_session, SessionDeleter>;
using OptionPtr = std::unique_ptr<nghttp2_option, OptionDeleter>;
using CallbacksPtr = std::unique_ptr<nghttp2_session_callbacks, CallbacksDeleter>;

// NghttpError returns Internal("<call>: <nghttp2_strerror(code)>"), or OK when `code` is not negative.
absl::Status NghttpError(absl::string_view call, int code);

// NewOption returns an empty nghttp2_option, or Internal naming nghttp2_option_new's failure.
absl::StatusOr<OptionPtr> NewOption();

// NewCallbacks returns an empty callbacks table, or Internal naming nghttp2_session_callbacks_new's failure.
absl::StatusOr<CallbacksPtr> NewCallbacks();

}  // namespace apiserve::http2

#endif  // APISERVE_HTTP2_NGHTTP2_HANDLES_H_
