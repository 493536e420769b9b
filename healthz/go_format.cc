#include "healthz/go_format.h"

#include <cstdint>

#include "absl/strings/str_format.h"

namespace apiserve::healthz {

std::string FormatQuoted(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += GoQuote(names[i]);
  }
  return out;
}

}  // namespace apiserve::healthz
