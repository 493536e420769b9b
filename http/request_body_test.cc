#include "http/request_body.h"

#include <string>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/request.h"

namespace apiserve::http {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::HasSubstr;

// Records what the body reports back to its codec.
struct FakeSource : BodySource {
  void OnBodyConsumed(size_t n) override { consumed += n; }
  void OnBodyWanted() override { ++wanted; }
  size_t consumed = 0;
  int wanted = 0;
};

struct Reader {
  RequestBody::DataCallback data() {
    return [this](absl::string_view chunk) { got.append(chunk.data(), chunk.size()); };
  }
  RequestBody::EndCallback end() {
    return [this](absl::Status status) {
      ++ends;
      last = status;
    };
  }
  std::string got;
  int ends = 0;
  absl::Status last = absl::UnknownError("not ended");
};

TEST(RequestBodyTest, HeldUntilReadThenConsumedAsTaken) {
  FakeSource source;
  RequestBody body(&source, 11);
  body.Deliver("hello ");
  body.Pump();
  EXPECT_EQ(body.buffered(), 6u);
  EXPECT_EQ(BufferedRequestBodyBytes(), 6u);
  EXPECT_EQ(source.consumed, 0u);  // nobody took it: no credit back
  Reader reader;
  body.Read(reader.data(), reader.end());
  EXPECT_EQ(source.wanted, 1);
  EXPECT_EQ(reader.got, "hello ");
  EXPECT_EQ(source.consumed, 6u);
  EXPECT_EQ(BufferedRequestBodyBytes(), 0u);
  body.Deliver("world");
  body.Finish(absl::OkStatus());
  EXPECT_EQ(reader.ends, 0);  // nothing reaches the reader before Pump (the codec's parser may be running)
  body.Pump();
  EXPECT_EQ(reader.got, "hello world");
  EXPECT_EQ(reader.ends, 1);
  EXPECT_THAT(reader.last, IsOk());
  EXPECT_TRUE(body.complete());
  EXPECT_EQ(source.consumed, 11u);
}

TEST(RequestBodyTest, SecondReaderIsRefused) {
  RequestBody body(nullptr, std::nullopt);
  Reader first, second;
  body.Read(first.data(), first.end());
  body.Read(second.data(), second.end());
  EXPECT_THAT(second.last, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already being read")));
  EXPECT_EQ(first.ends, 0);
}

TEST(RequestBodyTest, OverTheLimitDropsEverythingAndRunsTheCallbackOnce) {
  FakeSource source;
  RequestBody body(&source, std::nullopt);
  int exceeded = 0;
  body.SetLimit(8, [&] { ++exceeded; });
  Reader reader;
  body.Read(reader.data(), reader.end());
  body.Deliver("12345");
  body.Deliver("67890");  // 10 > 8: dropped with what was held
  body.Deliver("more");   // after the end: dropped too
  body.Pump();
  EXPECT_EQ(exceeded, 1);
  EXPECT_EQ(reader.got, "");
  EXPECT_THAT(reader.last, StatusIs(absl::StatusCode::kResourceExhausted, "request body exceeds the limit of 8 bytes"));
  EXPECT_EQ(source.consumed, 14u);  // every delivered byte reported exactly once
  EXPECT_EQ(BufferedRequestBodyBytes(), 0u);
  body.Pump();
  EXPECT_EQ(exceeded, 1);
  EXPECT_EQ(reader.ends, 1);
}

TEST(RequestBodyTest, LimitSetAfterArrivalStillApplies) {
  RequestBody body(nullptr, std::nullopt);
  body.Deliver("0123456789");
  int exceeded = 0;
  body.SetLimit(4, [&] { ++exceeded; });
  body.Pump();
  EXPECT_EQ(exceeded, 1);
  EXPECT_EQ(body.buffered(), 0u);
}

TEST(RequestBodyTest, DiscardDropsAndEndsTheReader) {
  FakeSource source;
  RequestBody body(&source, 100);
  body.Deliver("abc");
  Reader reader;
  body.Read([](absl::string_view) {}, reader.end());  // takes "abc"
  body.Deliver("def");
  body.Discard();
  body.Pump();
  EXPECT_THAT(reader.last, StatusIs(absl::StatusCode::kFailedPrecondition));
  body.Deliver("ghi");
  EXPECT_EQ(source.consumed, 9u);
  EXPECT_EQ(body.buffered(), 0u);
}

TEST(RequestBodyTest, DetachBeforeTheEndCancelsWithoutReporting) {
  FakeSource source;
  RequestBody body(&source, std::nullopt);
  body.Deliver("abc");
  Reader reader;
  body.Read(reader.data(), reader.end());
  body.Deliver("def");
  body.DetachSource();
  body.Pump();
  EXPECT_THAT(reader.last, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(source.consumed, 3u);  // "def" is the codec's to settle: the source is gone
  EXPECT_EQ(BufferedRequestBodyBytes(), 0u);
}

TEST(RequestBodyTest, DetachAfterACompleteBodyKeepsItForTheReader) {
  RequestBody body(nullptr, 3);
  body.Deliver("xyz");
  body.Finish(absl::OkStatus());
  body.DetachSource();
  Reader reader;
  body.Read(reader.data(), reader.end());
  EXPECT_EQ(reader.got, "xyz");
  EXPECT_THAT(reader.last, IsOk());
}

TEST(RequestBodyTest, ReaderMayAnswerAndDropTheBodyFromItsCallback) {
  FakeSource source;
  auto body = std::make_shared<RequestBody>(&source, std::nullopt);
  body->Deliver("first");
  Reader reader;
  RequestBody* raw = body.get();
  body->Read(
      [&](absl::string_view chunk) {
        reader.got.append(chunk.data(), chunk.size());
        raw->Discard();  // the handler answered from here: the codec discards the rest
      },
      reader.end());
  body->Pump();
  EXPECT_EQ(reader.got, "first");
  EXPECT_THAT(reader.last, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(reader.ends, 1);
}

TEST(ReadBodyTest, WholeBodyIntoTheRequest) {
  RequestPtr request = NewRequest();
  FakeSource source;
  request->body_stream = std::make_shared<RequestBody>(&source, 6);
  absl::Status done = absl::UnknownError("not yet");
  ReadBody(request, [&](absl::Status status) { done = status; });
  EXPECT_EQ(request->body_stream->limit(), kDefaultMaxBodyBytes);
  request->body_stream->Deliver("abc");
  request->body_stream->Deliver("def");
  request->body_stream->Finish(absl::OkStatus());
  request->body_stream->Pump();
  EXPECT_THAT(done, IsOk());
  EXPECT_EQ(request->body, "abcdef");
}

TEST(ReadBodyTest, WithoutABodyAtOnce) {
  RequestPtr request = NewRequest();
  bool called = false;
  ReadBody(request, [&](absl::Status status) { called = status.ok(); });
  EXPECT_TRUE(called);
}

}  // namespace
}  // namespace apiserve::http
