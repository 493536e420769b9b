#include "tls/ssl_error.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "openssl/err.h"

namespace apiserve::tls {

std::string ConsumeSslErrors() {
  std::string out;
  const char* file = nullptr;
  int line = 0;
  uint32_t error;
  while ((error = ERR_get_error_line(&file, &line)) != 0) {
    const char* reason = ERR_reason_error_string(error);
    if (!out.empty()) out += "; ";
    if (reason != nullptr) {
      out += reason;
    } else {
      char buffer[256];
      ERR_error_string_n(error, buffer, sizeof(buffer));
      out += buffer;
    }
  }
  if (out.empty()) out = "unknown error";
  return out;
}

absl::Status SslError(absl::string_view context, absl::StatusCode code) {
  return absl::Status(code, absl::StrCat(context, ": ", ConsumeSslErrors()));
}

}  // namespace apiserve::tls
