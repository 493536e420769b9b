#ifndef APISERVE_HTTP_TESTING_H_
#define APISERVE_HTTP_TESTING_H_

// Test helpers for handlers: build a request, serve it through a recording sink, read what was answered.
//
//   base::FakeExecutor loop;
//   RecordedResponse r = ServeForTest(*handler, NewRequest("GET", "/healthz?verbose"), &loop);
//   EXPECT_EQ(r.status, 200);

#include <memory>
#include <string>
#include <vector>

#include "base/fake_executor.h"
#include "http/handler.h"
#include "http/request.h"
#include "http/response_writer.h"

namespace apiserve::http {

struct RecordedResponse {
  bool head_received = false;
  bool complete = false;  // whole response, end of body, or trailers received
  bool aborted = false;
  int status = 0;
  HeaderMap headers;
  std::string body;
  std::vector<std::string> chunks;  // streamed body pieces, in order
  HeaderMap trailers;
};

// RecordingSink records what an exchange sends. It drains instantly unless `auto_drain` is false.
class RecordingSink : public ResponseSink {
 public:
  void SendResponse(ResponsePtr response, absl::Span<const HeaderField> extra_headers) override;
  void SendHead(int status, HeaderMap headers, bool end_stream) override;
  void SendBody(std::string data, bool end_stream) override;
  void SendTrailers(HeaderMap trailers) override;
  void Abort() override;

  // Attach sets the exchange to report drained bytes to.
  void Attach(std::shared_ptr<Exchange> exchange) { exchange_ = std::move(exchange); }
  void set_auto_drain(bool auto_drain) { auto_drain_ = auto_drain; }
  // Drain reports every undrained byte as drained.
  void Drain();

  RecordedResponse recorded;

 private:
  std::shared_ptr<Exchange> exchange_;
  bool auto_drain_ = true;
  size_t undrained_ = 0;
};

// NewRequest returns a request for `target` ("/path?query") with `method`, HTTP/1.1, and `executor` set.
RequestPtr NewRequest(absl::string_view method, absl::string_view target, base::Executor* executor = nullptr);

// ServeForTest serves `request` with `handler`, runs `executor` until idle (if given), and returns the answer.
RecordedResponse ServeForTest(Handler& handler, RequestPtr request, base::FakeExecutor* executor = nullptr);

}  // namespace apiserve::http

#endif  // APISERVE_HTTP_TESTING_H_
