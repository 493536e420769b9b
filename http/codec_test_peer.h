#ifndef APISERVE_HTTP_CODEC_TEST_PEER_H_
#define APISERVE_HTTP_CODEC_TEST_PEER_H_

// http::CodecTestPeer: what a codec's unit test puts around the codec under test, for both protocols — a fake
// loop, a handler that records each request and either answers it ("<method> <path> <body size>", after reading
// the body) or keeps its writer for the test to answer, the server side of CodecCallbacks, and output draining.
//
//   class Connection : public http::CodecTestPeer {  // in http1/codec_test.cc, http2/codec_test.cc
//     Connection() { codec = std::make_unique<http1::Codec>(Context(), http1::Options()); }
//   };
//
// Test-only; single-threaded (the fake loop runs on the test's thread).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/fake_executor.h"
#include "http/handler.h"
#include "http/server_codec.h"

namespace apiserve::http {

class CodecTestPeer : public CodecCallbacks {
 public:
  CodecTestPeer();
  CodecTestPeer(const CodecTestPeer&) = delete;
  CodecTestPeer& operator=(const CodecTestPeer&) = delete;

  // Context returns a codec context on this peer's loop, handler and callbacks, with an empty ConnectionInfo.
  CodecContext Context();
  // DrainOutput takes every byte `codec` has to send.
  static std::string DrainOutput(ServerCodec& codec);

  void OnOutputReady() override { ++output_ready; }

  base::FakeExecutor loop;
  std::vector<RequestPtr> requests;
  std::vector<ResponseWriter> writers;                         // kept when !auto_answer and no on_request
  std::function<void(RequestPtr, ResponseWriter)> on_request;  // answers instead, when set
  bool auto_answer = true;
  int output_ready = 0;

 private:
  HandlerPtr handler_;
};

}  // namespace apiserve::http

#endif  // APISERVE_HTTP_CODEC_TEST_PEER_H_
