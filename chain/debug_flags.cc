#include "chain/debug_flags.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/go_quote.h"
#include "http/response.h"

namespace apiserve::chain {
namespace {

// writePlainText in kube's routes: Content-Type text/plain, nosniff, the text and a newline (fmt.Fprintln).
http::Response PlainText(int status, const std::string& text) {
  http::Response response;
  response.status = status;
  response.headers.Set("Content-Type", "text/plain");
  response.headers.Set("X-Content-Type-Options", "nosniff");
  response.body = absl::StrCat(text, "\n");
  return response;
}

// ParseInt32 is Go's strconv.ParseInt(text, 10, 32) with its error text.
bool ParseInt32(const std::string& text, int32_t* value, std::string* error) {
  const std::string quoted = absl::StrCat("strconv.ParseInt: parsing ", base::GoQuote(text), ": ");
  size_t i = (!text.empty() && (text[0] == '+' || text[0] == '-')) ? 1 : 0;
  if (i == text.size()) {
    *error = quoted + "invalid syntax";
    return false;
  }
  for (size_t j = i; j < text.size(); ++j) {
    if (text[j] < '0' || text[j] > '9') {
      *error = quoted + "invalid syntax";
      return false;
    }
  }
  errno = 0;
  const long long parsed = std::strtoll(text.c_str(), nullptr, 10);
  if (errno == ERANGE || parsed > INT32_MAX || parsed < INT32_MIN) {
    *error = quoted + "value out of range";
    return false;
  }
  *value = static_cast<int32_t>(parsed);
  return true;
}

}  // namespace

http::HandlerPtr DebugFlagsVerbosityHandler(base::Logger* logger) {
  return http::HandlerFunc([logger](http::RequestPtr request, http::ResponseWriter writer) {
    if (request->method != "PUT") {
      writer.Send(PlainText(406, "unsupported http method")).IgnoreError();
      return;
    }
    // The new level is the body: read it first (the chain bounds it and answers 413 over the limit).
    http::ReadBody(request, [logger, request, writer = std::move(writer)](absl::Status read) mutable {
      if (!read.ok()) return;  // answered by the chain (413), or the client left
      int32_t level = 0;
      std::string error;
      if (!ParseInt32(request->body, &level, &error)) {
        writer.Send(PlainText(400, absl::StrCat("failed set klog.logging.verbosity ", request->body, ": ", error)))
            .IgnoreError();
        return;
      }
      logger->SetVerbosity(level);
      writer.Send(PlainText(200, absl::StrCat("successfully set klog.logging.verbosity to ", request->body)))
          .IgnoreError();
    });
  });
}

absl::Status InstallDebugFlags(http::Router* router) {
  return router->UnlistedHandle("/debug/flags/v", DebugFlagsVerbosityHandler(&base::Logger::Global()));
}

}  // namespace apiserve::chain
