#include "chain/watch_timeout.h"

#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "absl/strings/numbers.h"

namespace apiserve::chain {

absl::Duration WatchTimeout(const http::Request& request, absl::Duration min_request_timeout) {
  int64_t seconds = 0;
  if (std::optional<std::string> value = request.Query("timeoutSeconds");
      value.has_value() && absl::SimpleAtoi(*value, &seconds) && seconds > 0) {
    return absl::Seconds(seconds);
  }
  if (min_request_timeout <= absl::ZeroDuration()) return absl::InfiniteDuration();
  thread_local std::minstd_rand random(std::random_device{}());
  return min_request_timeout * (1.0 + std::uniform_real_distribution<double>(0.0, 1.0)(random));
}

}  // namespace apiserve::chain
