#ifndef APISERVE_FUZZ_CODEC_HARNESS_H_
#define APISERVE_FUZZ_CODEC_HARNESS_H_

// CodecHarness: what a codec fuzzer needs around an http::ServerCodec — a fake loop, a handler whose way of answering
// each request is chosen by the fuzz input, and output draining. Single-threaded; fuzz-only.
//
//   CodecHarness harness(answer_script);
//   auto codec = std::make_unique<http1::Codec>(harness.Context(), options);
//   harness.Feed(*codec, bytes);           // feeds, runs the loop, answers deferred requests, drains the output
//   harness.Finish(*codec);                // peer goes away; every kept writer is answered after that

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "base/fake_executor.h"
#include "http/handler.h"
#include "http/server_codec.h"

namespace apiserve::fuzz {

class CodecHarness : public http::CodecCallbacks {
 public:
  // `answer_script` picks, two bits per request (cycling), how the handler answers: at once, later (after the next
  // Feed), streamed with trailers, or by dropping its writer (500 / abort). A request without a method or a
  // target aborts the process (a finding).
  explicit CodecHarness(uint32_t answer_script);
  CodecHarness(const CodecHarness&) = delete;
  CodecHarness& operator=(const CodecHarness&) = delete;

  // Context returns a codec context whose pointers are owned by this harness.
  http::CodecContext Context();

  // Feed gives `bytes` to `codec`, runs the loop, answers the requests kept from earlier calls, and drains the
  // output into output(). Returns what codec.Feed returned.
  absl::Status Feed(http::ServerCodec& codec, absl::string_view bytes);
  // Drain appends every byte `codec` wants to send to output().
  void Drain(http::ServerCodec& codec);
  // AnswerKept answers every request the handler kept.
  void AnswerKept();
  // Finish tells `codec` the peer closed, then answers what is still kept (those answers go nowhere).
  void Finish(http::ServerCodec& codec);

  void OnOutputReady() override {}

  const std::string& output() const { return output_; }
  size_t requests() const { return requests_; }
  base::FakeExecutor& loop() { return loop_; }

 private:
  void Serve(http::RequestPtr request, http::ResponseWriter writer);
  // Answer answers in one of the script's ways once the body was read (or failed).
  void Answer(uint32_t mode, const http::Request& request, http::ResponseWriter writer);

  const uint32_t answer_script_;
  base::FakeExecutor loop_;
  http::HandlerPtr handler_;
  std::vector<http::ResponseWriter> kept_;
  std::string output_;
  size_t requests_ = 0;
};

// ByteReader hands out a fuzz input piece by piece; past the end it returns zeros and empty strings.
class ByteReader {
 public:
  explicit ByteReader(absl::string_view data) : data_(data) {}
  bool empty() const { return data_.empty(); }
  size_t remaining() const { return data_.size(); }
  uint8_t Byte();
  uint32_t U32();
  // Bytes returns the next min(n, remaining()) bytes.
  absl::string_view Bytes(size_t n);
  // LengthPrefixed reads a one-byte length, then that many bytes.
  absl::string_view LengthPrefixed() { return Bytes(Byte()); }
  absl::string_view Rest() { return Bytes(data_.size()); }

 private:
  absl::string_view data_;
};

}  // namespace apiserve::fuzz

#endif  // APISERVE_FUZZ_CODEC_HARNESS_H_
