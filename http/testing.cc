#include "http/testing.h"

#include <utility>

namespace apiserve::http {

void RecordingSink::SendResponse(ResponsePtr response, absl::Span<const HeaderField> extra_headers) {
  recorded.head_received = true;
  recorded.complete = true;
  recorded.status = response->status;
  recorded.headers = response->headers;
  for (const HeaderField& field : extra_headers) recorded.headers.Add(field.name, field.value);
  recorded.body = response->body;
}

void RecordingSink::SendHead(int status, HeaderMap headers, bool end_stream) {
  recorded.head_received = true;
  recorded.status = status;
  recorded.headers = std::move(headers);
  if (end_stream) recorded.complete = true;
}

void RecordingSink::SendBody(std::string data, bool end_stream) {
  undrained_ += data.size();
  recorded.body += data;
  if (!data.empty()) recorded.chunks.push_back(std::move(data));
  if (end_stream) recorded.complete = true;
  if (auto_drain_) Drain();
}

void RecordingSink::SendTrailers(HeaderMap trailers) {
  recorded.trailers = std::move(trailers);
  recorded.complete = true;
}

void RecordingSink::Abort() { recorded.aborted = true; }

void RecordingSink::Drain() {
  const size_t n = undrained_;
  undrained_ = 0;
  if (exchange_ && n > 0) exchange_->OnBytesDrained(n);
}

RequestPtr NewRequest(absl::string_view method, absl::string_view target, base::Executor* executor) {
  auto request = std::make_shared<Request>();
  request->method = std::string(method);
  request->target = std::string(target);
  SplitTarget(target, &request->path, &request->raw_query);
  request->authority = "localhost";
  request->executor = executor;
  request->connection = std::make_shared<ConnectionInfo>();
  return request;
}

RecordedResponse ServeForTest(Handler& handler, RequestPtr request, base::FakeExecutor* executor) {
  RecordingSink sink;
  auto exchange = NewExchange(executor, &sink);
  sink.Attach(exchange);
  if (executor != nullptr && request->executor == nullptr) request->executor = executor;
  handler.Serve(std::move(request), ResponseWriter(exchange));
  if (executor != nullptr) executor->RunUntilIdle();
  exchange->DetachSink();
  return sink.recorded;
}

}  // namespace apiserve::http
