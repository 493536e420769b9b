#include "options/authorization_options.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "flags/go_strconv.h"

namespace apiserve::options {

void AuthorizationOptions::AddFlags(flags::FlagSet* fs) {
  fs->StringSliceVar(&modes, "authorization-mode", modes,
                     "Ordered list of plug-ins to do authorization on secure port. Comma-delimited list of: "
                     "AlwaysAllow,AlwaysDeny,Bootstrap.");
}

void AuthorizationOptions::Validate(std::vector<std::string>* problems) const {
  if (modes.empty()) problems->push_back("at least one authorization-mode must be passed");
  for (const std::string& mode : modes) {
    if (mode != "AlwaysAllow" && mode != "AlwaysDeny" && mode != "Bootstrap") {
      problems->push_back(absl::StrCat("authorization-mode ", flags::GoQuote(mode), " is not a valid mode"));
    }
  }
  if (std::set<std::string>(modes.begin(), modes.end()).size() != modes.size()) {
    std::vector<std::string> quoted;
    for (const std::string& mode : modes) quoted.push_back(flags::GoQuote(mode));
    problems->push_back(
        absl::StrCat("authorization-mode [", absl::StrJoin(quoted, " "), "] has mode specified more than once"));
  }
}

}  // namespace apiserve::options
