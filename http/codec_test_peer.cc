#include "http/codec_test_peer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "http/request_body.h"
#include "http/response.h"

namespace apiserve::http {

CodecTestPeer::CodecTestPeer() {
  handler_ = HandlerFunc([this](RequestPtr request, ResponseWriter writer) {
    requests.push_back(request);
    if (on_request) {
      on_request(request, std::move(writer));
    } else if (auto_answer) {
      // Reads the body first (at once without one), then answers with its size.
      ReadBody(request, [request, writer = std::move(writer)](absl::Status) mutable {
        writer.Send(TextResponse(200, absl::StrCat(request->method, " ", request->path, " ", request->body.size())))
            .IgnoreError();
      });
    } else {
      writers.push_back(std::move(writer));
    }
  });
}

CodecContext CodecTestPeer::Context() {
  CodecContext context;
  context.loop = &loop;
  context.clock = &loop;
  context.handler = handler_.get();
  context.callbacks = this;
  context.connection = std::make_shared<ConnectionInfo>();
  return context;
}

std::string CodecTestPeer::DrainOutput(ServerCodec& codec) {
  std::string out;
  for (absl::string_view chunk = codec.PeekOutput(); !chunk.empty(); chunk = codec.PeekOutput()) {
    out.append(chunk.data(), chunk.size());
    codec.ConsumeOutput(chunk.size());
  }
  return out;
}

}  // namespace apiserve::http
