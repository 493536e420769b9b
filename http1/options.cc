#include "http1/options.h"

#include <string>
#include <vector>

#include "absl/strings/str_join.h"

namespace apiserve::http1 {

absl::Status Options::Validate() const {
  std::vector<std::string> problems;
  if (max_header_bytes < 1024) problems.push_back("max_header_bytes must be at least 1024");
  if (max_buffered_body_bytes < 1) problems.push_back("max_buffered_body_bytes must be at least 1");
  if (max_pipelined_requests < 1) problems.push_back("max_pipelined_requests must be at least 1");
  if (response_high_water_mark < 1) problems.push_back("response_high_water_mark must be at least 1");
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
}

}  // namespace apiserve::http1
