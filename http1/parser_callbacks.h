#ifndef APISERVE_HTTP1_PARSER_CALLBACKS_H_
#define APISERVE_HTTP1_PARSER_CALLBACKS_H_

// http1::ParserEvents and the llhttp settings table that trampolines into it. The table is built once and shared by
// every parser; each parser's `data` is its ParserEvents (http1::Codec implements it). Callbacks run on the
// parser's thread, inside llhttp_execute.

#include "absl/strings/string_view.h"
#include "llhttp.h"

namespace apiserve::http1 {

// ParserEvents receives one parser's callbacks. Each returns what llhttp expects of that callback: 0 (go on), -1
// (stop with HPE_USER: the input is rejected), or HPE_PAUSED (stop here; the caller resumes the parser).
class ParserEvents {
 public:
  virtual int OnMessageBegin() = 0;
  // `at` is a piece of the request target, the field name or the field value; a piece may be split across reads,
  // and it points into the buffer being parsed.
  virtual int OnUrl(absl::string_view at) = 0;
  virtual int OnHeaderField(absl::string_view at) = 0;
  virtual int OnHeaderFieldComplete() = 0;
  virtual int OnHeaderValue(absl::string_view at) = 0;
  virtual int OnHeaderValueComplete() = 0;
  virtual int OnHeadersComplete() = 0;
  virtual int OnBody(absl::string_view at) = 0;
  virtual int OnMessageComplete() = 0;

 protected:
  ~ParserEvents() = default;
};

// ParserSettings returns the shared table (parser->data: a ParserEvents*). It lives for the life of the process.
const llhttp_settings_t* ParserSettings();

}  // namespace apiserve::http1

#endif  // APISERVE_HTTP1_PARSER_CALLBACKS_H_
