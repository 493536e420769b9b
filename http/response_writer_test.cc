#include "http/response_writer.h"

#include <string>
#include <thread>
#include <vector>

#include "base/fake_executor.h"
#include "base/recycling_allocator.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/testing.h"

namespace apiserve::http {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Fixture {
  base::FakeExecutor loop;
  RecordingSink sink;
  std::shared_ptr<Exchange> exchange;
  std::vector<Completion> completions;
  // Registers the completion hook (hooks go through a writer). It answers nothing: each test answers through its
  // own writer, and an exchange that is complete when the fixture ends makes this one's destruction a no-op.
  ResponseWriter hook_writer;

  explicit Fixture(size_t high_water_mark = 1 << 20) {
    exchange = NewExchange(&loop, &sink, high_water_mark);
    sink.Attach(exchange);
    hook_writer = ResponseWriter(exchange);
    hook_writer.OnComplete([this](const Completion& c) { completions.push_back(c); });
  }
};

TEST(ResponseWriterTest, WholeResponseIsDeliveredOnce) {
  Fixture f;
  ResponseWriter writer(f.exchange);
  EXPECT_THAT(writer.Send(TextResponse(200, "ok")), IsOk());
  EXPECT_THAT(writer.Send(TextResponse(500, "again")),
              StatusIs(absl::StatusCode::kFailedPrecondition, "response already completed"));
  EXPECT_THAT(writer.WriteHead(200, {}), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(f.sink.recorded.complete);
  EXPECT_EQ(f.sink.recorded.status, 200);
  EXPECT_EQ(f.sink.recorded.body, "ok");
  ASSERT_EQ(f.completions.size(), 1u);
  EXPECT_EQ(f.completions[0].status, 200);
  EXPECT_EQ(f.completions[0].body_bytes, 2u);
  EXPECT_EQ(f.completions[0].reason, CompletionReason::kAnswered);
}

TEST(ResponseWriterTest, SharedResponseIsNotCopied) {
  Fixture f;
  ResponsePtr ok = Shared(TextResponse(200, "ok"));
  ResponseWriter writer(f.exchange);
  EXPECT_THAT(writer.Send(ok), IsOk());
  EXPECT_EQ(f.sink.recorded.body, "ok");
  EXPECT_EQ(ok.use_count(), 1);  // the sink did not keep it; nothing else copied it
}

TEST(ResponseWriterTest, StreamingInOrderWithTrailers) {
  Fixture f;
  ResponseWriter writer(f.exchange);
  EXPECT_THAT(writer.Write("early"), StatusIs(absl::StatusCode::kFailedPrecondition, "Write before WriteHead"));
  EXPECT_THAT(writer.Finish(), StatusIs(absl::StatusCode::kFailedPrecondition, "Finish before WriteHead"));
  EXPECT_THAT(writer.WriteHead(200, HeaderMap{{"Content-Type", "application/json"}}), IsOk());
  EXPECT_THAT(writer.WriteHead(200, {}), StatusIs(absl::StatusCode::kFailedPrecondition, "response head already sent"));
  EXPECT_THAT(writer.Write("a"), IsOk());
  EXPECT_THAT(writer.Write("b"), IsOk());
  EXPECT_THAT(writer.Finish(HeaderMap{{"X-Trailer", "t"}}), IsOk());
  EXPECT_THAT(writer.Write("late"), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(f.sink.recorded.chunks, ElementsAre("a", "b"));
  EXPECT_EQ(f.sink.recorded.trailers.Get("x-trailer"), "t");
  ASSERT_EQ(f.completions.size(), 1u);
  EXPECT_EQ(f.completions[0].body_bytes, 2u);
}

TEST(ResponseWriterTest, DroppedBeforeHeadersAnswers500) {
  Fixture f;
  { ResponseWriter writer(f.exchange); }
  EXPECT_EQ(f.sink.recorded.status, 500);
  EXPECT_TRUE(f.sink.recorded.complete);
  EXPECT_THAT(f.sink.recorded.body, HasSubstr("Internal Server Error"));
}

TEST(ResponseWriterTest, DroppedAfterHeadersAborts) {
  Fixture f;
  {
    ResponseWriter writer(f.exchange);
    ASSERT_THAT(writer.WriteHead(200, {}), IsOk());
  }
  EXPECT_TRUE(f.sink.recorded.aborted);
  ASSERT_EQ(f.completions.size(), 1u);
  EXPECT_EQ(f.completions[0].reason, CompletionReason::kAborted);
}

TEST(ResponseWriterTest, CompleterRacesTheHandlerFirstWins) {
  Fixture f;
  ResponseWriter writer(f.exchange);
  Completer timeout = writer.completer();
  EXPECT_THAT(timeout.TryAbort(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(timeout.TrySend(TextResponse(504, "timeout")), IsOk());
  EXPECT_THAT(writer.Send(TextResponse(200, "late")), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(f.sink.recorded.status, 504);
  EXPECT_TRUE(writer.done());
}

TEST(ResponseWriterTest, ClientGoneCompletesAndLaterCallsFail) {
  Fixture f;
  ResponseWriter writer(f.exchange);
  f.exchange->OnClientGone();
  EXPECT_THAT(writer.Send(TextResponse(200, "ok")), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_FALSE(f.sink.recorded.head_received);
  ASSERT_EQ(f.completions.size(), 1u);
  EXPECT_EQ(f.completions[0].reason, CompletionReason::kClientGone);
}

TEST(ResponseWriterTest, CallsFromAnotherThreadArePostedToTheLoop) {
  Fixture f;
  ResponseWriter writer(f.exchange);
  std::thread other([&] {
    EXPECT_THAT(writer.WriteHead(200, {}), IsOk());
    EXPECT_THAT(writer.Write("x"), IsOk());
    EXPECT_THAT(writer.Finish(), IsOk());
  });
  other.join();
  // The test thread is the loop; the other thread's calls went through Post, so nothing reached the sink until
  // the loop ran them, in call order.
  EXPECT_FALSE(f.sink.recorded.head_received);
  EXPECT_EQ(f.loop.RunUntilIdle(), 3);
  EXPECT_TRUE(f.sink.recorded.complete);
  EXPECT_EQ(f.sink.recorded.body, "x");
}

TEST(ResponseWriterTest, HighWaterMarkAndOnWritable) {
  Fixture f(/*high_water_mark=*/10);
  f.sink.set_auto_drain(false);
  ResponseWriter writer(f.exchange);
  ASSERT_THAT(writer.WriteHead(200, {}), IsOk());
  EXPECT_THAT(writer.Write(std::string(10, 'a')), IsOk());
  EXPECT_THAT(writer.Write("b"), StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("high-water mark 10")));
  bool writable = false;
  writer.OnWritable([&] { writable = true; });
  EXPECT_FALSE(writable);
  f.sink.Drain();
  EXPECT_TRUE(writable);
  EXPECT_THAT(writer.Write("b"), IsOk());
  EXPECT_EQ(f.sink.recorded.body, std::string(10, 'a') + "b");
}

TEST(ResponseWriterTest, HookAddedAfterCompletionRunsAtOnce) {
  Fixture f;
  ResponseWriter writer(f.exchange);
  ASSERT_THAT(writer.Send(TextResponse(204, "")), IsOk());
  int status = 0;
  writer.OnComplete([&](const Completion& c) { status = c.status; });
  EXPECT_EQ(status, 204);
}

TEST(ResponseWriterTest, AddedHeadersDecorateWholeAndStreamedResponses) {
  Fixture f;
  ResponsePtr shared = Shared(TextResponse(200, "ok"));
  ResponseWriter writer(f.exchange);
  writer.AddResponseHeader("Cache-Control", "no-cache, private", /*only_if_absent=*/true);
  writer.AddResponseHeader("Content-Type", "overridden", /*only_if_absent=*/true);
  writer.AddResponseHeader("Audit-Id", "abc");
  ASSERT_THAT(writer.Send(shared), IsOk());
  EXPECT_EQ(f.sink.recorded.headers.Get("Cache-Control"), "no-cache, private");
  EXPECT_EQ(f.sink.recorded.headers.Get("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(f.sink.recorded.headers.Get("Audit-Id"), "abc");
  EXPECT_FALSE(shared->headers.Has("Audit-Id"));  // the shared response itself is untouched

  Fixture g;
  ResponseWriter streamed(g.exchange);
  streamed.AddResponseHeader("Connection", "close");
  ASSERT_THAT(streamed.WriteHead(200, {}), IsOk());
  EXPECT_EQ(g.sink.recorded.headers.Get("Connection"), "close");
}

TEST(ResponseWriterTest, DecorationsOverrideTheHandlerOrRepeatWithoutDuplicates) {
  Fixture f;
  ResponsePtr shared = Shared(TextResponse(200, "ok"));
  ResponseWriter writer(f.exchange);
  writer.AddResponseHeader("Connection", "close");
  writer.AddResponseHeader("connection", "close");               // a second filter asks again: one field
  writer.AddResponseHeader("Audit-Id", "first", true);           // only if absent...
  writer.AddResponseHeader("Audit-Id", "second");                // ...then set: the set wins
  writer.AddResponseHeader("Content-Type", "application/json");  // replaces the handler's: the response is copied
  ASSERT_THAT(writer.Send(shared), IsOk());
  EXPECT_EQ(f.sink.recorded.headers.Count("Connection"), 1u);
  EXPECT_EQ(f.sink.recorded.headers.Get("Audit-Id"), "second");
  EXPECT_EQ(f.sink.recorded.headers.Count("Content-Type"), 1u);
  EXPECT_EQ(f.sink.recorded.headers.Get("Content-Type"), "application/json");
  EXPECT_EQ(shared->headers.Get("Content-Type"), "text/plain; charset=utf-8");

  Fixture g;
  ResponseWriter extra_only(g.exchange);
  extra_only.AddResponseHeader("Connection", "close");
  extra_only.AddResponseHeader("Connection", "keep-alive");
  ASSERT_THAT(extra_only.Send(shared), IsOk());
  EXPECT_EQ(g.sink.recorded.headers.GetAll("Connection"), std::vector<absl::string_view>{"keep-alive"});
}

// Exchanges are recycled per thread: a new one must not see the last one's decorations, hooks or state.
TEST(ResponseWriterTest, ARecycledExchangeStartsClean) {
  const Exchange* first_address = nullptr;
  {
    Fixture f(/*high_water_mark=*/8);
    f.sink.set_auto_drain(false);  // the exchange is dropped with bytes still counted as buffered
    first_address = f.exchange.get();
    ResponseWriter writer(f.exchange);
    writer.AddResponseHeader("Audit-Id", "0123456789abcdef0123456789abcdef0123");
    ASSERT_THAT(writer.WriteHead(200, {}), IsOk());
    ASSERT_THAT(writer.Write("0123456789"), IsOk());
    ASSERT_THAT(writer.Write("x"), StatusIs(absl::StatusCode::kResourceExhausted));
    writer.OnWritable([] { ADD_FAILURE() << "the first exchange's OnWritable ran"; });
    ASSERT_THAT(writer.Finish(), IsOk());
    ASSERT_EQ(f.completions.size(), 1u);
    f.sink.Attach(nullptr);
  }
  Fixture g;
  EXPECT_EQ(g.exchange.get() == first_address, base::kRecyclingEnabled);  // the same object, reset (not under ASan)
  EXPECT_FALSE(g.exchange->done());
  EXPECT_FALSE(g.exchange->head_sent());
  ResponseWriter writer(g.exchange);
  ASSERT_THAT(writer.WriteHead(200, {}), IsOk());
  ASSERT_THAT(writer.Write("ok"), IsOk());  // nothing counted as buffered from before
  ASSERT_THAT(writer.Finish(), IsOk());
  EXPECT_FALSE(g.sink.recorded.headers.Has("Audit-Id"));
  ASSERT_EQ(g.completions.size(), 1u);  // only its own hook ran
  EXPECT_EQ(g.completions[0].status, 200);
  EXPECT_EQ(g.completions[0].body_bytes, 2u);
}

TEST(ServeForTestTest, StaticHandlerAnswers) {
  HandlerPtr handler = StaticHandler(Shared(TextResponse(200, "ok")));
  RecordedResponse r = ServeForTest(*handler, NewRequest("GET", "/healthz"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(r.headers.Get("Content-Type"), "text/plain; charset=utf-8");
}

}  // namespace
}  // namespace apiserve::http
