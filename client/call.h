#ifndef APISERVE_CLIENT_CALL_H_
#define APISERVE_CLIENT_CALL_H_

// client::internal::Call: the HTTPS client's record of one Do or Watch, from the caller's thread to its completion on
// the I/O thread (the request, where its callbacks run, and its progress on a connection).

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "base/executor.h"
#include "client/http_client.h"
#include "uv.h"

namespace apiserve::client::internal {

// A Call is one Do or Watch. Created on the caller's thread, then touched only on the I/O thread; its callbacks run
// on `executor`.
struct Call {
  Request request;
  base::Executor* executor = nullptr;
  class Core* core = nullptr;
  std::string description;  // "GET https://host:port/path" for messages

  // Do.
  ResponseCallback done;
  // Watch: shared with the tasks posted to the executor (which may run after the call finished on the I/O thread).
  struct WatchSinks {
    absl::AnyInvocable<void(const Response&)> on_headers;
    absl::AnyInvocable<void(absl::string_view)> on_data;
    absl::AnyInvocable<void(absl::Status)> done;
    // Bytes posted to on_data that have not run yet (ClientConfig::max_response_body_bytes bounds it).
    std::atomic<size_t> undelivered{0};
  };
  std::shared_ptr<WatchSinks> watch;

  // I/O thread state.
  bool finished = false;
  bool queued = false;     // in Core::pending_
  bool retried = false;    // retried once already
  bool head_seen = false;  // a final status arrived
  bool watch_head_delivered = false;
  bool any_response = false;  // any response byte arrived
  Response response;
  class Connection* connection = nullptr;
  int32_t stream_id = -1;
  size_t body_offset = 0;
  uv_timer_t* timer = nullptr;  // owned; closed by StopTimer
};

using CallPtr = std::shared_ptr<Call>;

}  // namespace apiserve::client::internal

#endif  // APISERVE_CLIENT_CALL_H_
