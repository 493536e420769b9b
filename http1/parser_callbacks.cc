#include "http1/parser_callbacks.h"

#include <cstddef>

namespace apiserve::http1 {
namespace {

ParserEvents* Of(llhttp_t* parser) { return static_cast<ParserEvents*>(parser->data); }

int OnMessageBegin(llhttp_t* parser) { return Of(parser)->OnMessageBegin(); }

int OnUrl(llhttp_t* parser, const char* at, size_t length) { return Of(parser)->OnUrl(absl::string_view(at, length)); }

int OnHeaderField(llhttp_t* parser, const char* at, size_t length) {
  return Of(parser)->OnHeaderField(absl::string_view(at, length));
}

int OnHeaderFieldComplete(llhttp_t* parser) { return Of(parser)->OnHeaderFieldComplete(); }

int OnHeaderValue(llhttp_t* parser, const char* at, size_t length) {
  return Of(parser)->OnHeaderValue(absl::string_view(at, length));
}

int OnHeaderValueComplete(llhttp_t* parser) { return Of(parser)->OnHeaderValueComplete(); }

int OnHeadersComplete(llhttp_t* parser) { return Of(parser)->OnHeadersComplete(); }

int OnBody(llhttp_t* parser, const char* at, size_t length) {
  return Of(parser)->OnBody(absl::string_view(at, length));
}

int OnMessageComplete(llhttp_t* parser) { return Of(parser)->OnMessageComplete(); }

}  // namespace

const llhttp_settings_t* ParserSettings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = OnMessageBegin;
    s.on_url = OnUrl;
    s.on_header_field = OnHeaderField;
    s.on_header_field_complete = OnHeaderFieldComplete;
    s.on_header_value = OnHeaderValue;
    s.on_header_value_complete = OnHeaderValueComplete;
    s.on_headers_complete = OnHeadersComplete;
    s.on_body = OnBody;
    s.on_message_complete = OnMessageComplete;
    return s;
  }();
  return &settings;
}

}  // namespace apiserve::http1
