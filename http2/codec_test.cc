#include "http2/codec.h"

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/fake_executor.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/codec_test_peer.h"
#include "http/handler.h"
#include "http/response.h"
#include "http2/test_client.h"

namespace apiserve::http2 {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int32_t kMaxStreamId = 0x7fffffff;  // the shutdown notice's last stream id

// A connection under test: the codec, its peer (http::CodecTestPeer: loop, recording handler, callbacks) and an
// nghttp2 client talking to it in memory.
class Connection : public http::CodecTestPeer {
 public:
  explicit Connection(Options options = Options(), ClientOptions client_options = ClientOptions())
      : client(client_options) {
    auto created = Codec::Create(Context(), options);
    EXPECT_THAT(created, IsOk());
    codec = std::move(created).value();
  }

  // ServerOutput drains the codec.
  std::string ServerOutput() { return DrainOutput(*codec); }

  // FeedRaw gives the codec raw bytes and runs the loop.
  absl::Status FeedRaw(absl::string_view bytes) {
    absl::Status status = codec->Feed(bytes);
    loop.RunUntilIdle();
    if (!status.ok() && feed_error.ok()) feed_error = status;
    return status;
  }

  // Pump moves bytes both ways until neither side has anything to say.
  void Pump(int max_rounds = 10000) {
    for (int i = 0; i < max_rounds; ++i) {
      const std::string to_server = client.TakeOutput();
      if (!to_server.empty()) FeedRaw(to_server).IgnoreError();
      loop.RunUntilIdle();
      const std::string to_client = ServerOutput();
      if (!to_client.empty()) client.Receive(to_client);
      if (to_server.empty() && to_client.empty()) return;
    }
  }

  TestClient client;
  std::unique_ptr<Codec> codec;
  absl::Status feed_error;
};

TEST(CodecTest, RoundTrip) {
  Connection c;
  const int32_t id = c.client.Submit("GET", "/healthz?verbose&exclude=etcd", {{"user-agent", "test"}});
  c.Pump();
  ASSERT_EQ(c.requests.size(), 1u);
  const http::Request& r = *c.requests[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/healthz");
  EXPECT_EQ(r.raw_query, "verbose&exclude=etcd");
  EXPECT_EQ(r.target, "/healthz?verbose&exclude=etcd");
  EXPECT_EQ(r.authority, "example.com");
  EXPECT_EQ(r.scheme, "https");
  EXPECT_EQ(r.protocol, http::Protocol::kHttp2);
  EXPECT_EQ(r.headers.Get("user-agent"), "test");
  EXPECT_EQ(r.executor, &c.loop);
  EXPECT_EQ(r.received_time, c.loop.Now());
  EXPECT_NE(r.connection, nullptr);
  const ClientResponse& resp = c.client.responses[id];
  EXPECT_TRUE(resp.closed);
  EXPECT_EQ(resp.close_error, 0u);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "GET /healthz 0");
  EXPECT_EQ(resp.headers.Get("content-length"), "14");
  EXPECT_EQ(resp.headers.Get("content-type"), "text/plain; charset=utf-8");
  EXPECT_TRUE(resp.headers.Has("date"));
  EXPECT_TRUE(c.codec->SettingsAcknowledged());
  EXPECT_EQ(c.codec->phase(), http::CodecPhase::kIdle);
  EXPECT_EQ(c.codec->ActiveRequests(), 0u);
  EXPECT_FALSE(c.codec->WantsClose());
  EXPECT_THAT(c.feed_error, IsOk());
}

TEST(CodecTest, ServerSendsItsSettingsAndConnectionWindow) {
  Connection c;
  c.Pump();
  nghttp2_session* s = c.client.session();
  EXPECT_EQ(nghttp2_session_get_remote_settings(s, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS), 100u);
  EXPECT_EQ(nghttp2_session_get_remote_settings(s, NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE), 256u * 1024);
  EXPECT_EQ(nghttp2_session_get_remote_settings(s, NGHTTP2_SETTINGS_MAX_FRAME_SIZE), 256u * 1024);
  EXPECT_EQ(nghttp2_session_get_remote_settings(s, NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE), 1u << 20);
  EXPECT_EQ(nghttp2_session_get_remote_window_size(s), 256 * 1024 * 100);
}

TEST(CodecTest, ManyStreamsInOneFeed) {
  Connection c;
  std::vector<int32_t> ids;
  for (int i = 0; i < 50; ++i) ids.push_back(c.client.Get(absl::StrCat("/r", i)));
  c.Pump();
  ASSERT_EQ(c.requests.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(c.client.responses[ids[i]].body, absl::StrCat("GET /r", i, " 0"));
  }
}

TEST(CodecTest, ServesOnAfterReleasingIdleMemory) {
  Connection c;
  std::vector<int32_t> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(c.client.Get(absl::StrCat("/a", i)));
  c.Pump();
  c.codec->ReleaseIdleMemory();  // pooled streams go; the session keeps working
  for (int i = 0; i < 20; ++i) ids.push_back(c.client.Get(absl::StrCat("/b", i)));
  c.Pump();
  ASSERT_EQ(c.requests.size(), 40u);
  EXPECT_EQ(c.client.responses[ids[0]].body, "GET /a0 0");
  EXPECT_EQ(c.client.responses[ids[39]].body, "GET /b19 0");
  EXPECT_THAT(c.feed_error, IsOk());
}

TEST(CodecTest, SharedResponseIsSentFromTheObject) {
  Connection c;
  const http::ResponsePtr ok = http::Shared(http::TextResponse(200, "ok"));
  c.on_request = [&](http::RequestPtr, http::ResponseWriter w) { w.Send(ok).IgnoreError(); };
  const int32_t a = c.client.Get("/healthz");
  const int32_t b = c.client.Get("/healthz");
  c.Pump();
  EXPECT_EQ(c.client.responses[a].body, "ok");
  EXPECT_EQ(c.client.responses[b].body, "ok");
  EXPECT_EQ(ok.use_count(), 1);  // the codec let go once the frames were out
}

TEST(CodecTest, UploadLargerThanTheStreamWindow) {
  Connection c;
  const std::string body(1 << 20, 'x');  // 1 MiB: four stream windows
  const int32_t id = c.client.Submit("POST", "/upload", {{"content-length", std::to_string(body.size())}}, &body);
  c.Pump();
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_EQ(c.requests[0]->body, body);
  EXPECT_EQ(c.client.responses[id].body, "POST /upload 1048576");
}

// Bodies nobody reads hold at most their stream window each, and the connection window bounds them together.
TEST(CodecTest, UnreadBodiesAreBoundedByTheWindows) {
  Options options;
  options.max_concurrent_streams = 4;  // connection window 1 MiB
  Connection c(options);
  c.auto_answer = false;
  c.Pump();
  const std::string body(300 * 1024, 'y');  // more than one stream window
  for (int i = 0; i < 4; ++i) {
    c.client.Submit("POST", "/slow", {}, &body, /*end_stream=*/false);
  }
  c.Pump();
  ASSERT_EQ(c.requests.size(), 4u);  // dispatched on their headers
  for (const http::RequestPtr& request : c.requests) {
    ASSERT_NE(request->body_stream, nullptr);
    EXPECT_EQ(request->body_stream->buffered(), options.max_upload_buffer_per_stream);
  }
  // The client is blocked by the stream windows: it could not send everything.
  EXPECT_GT(c.client.uploads_pending, 0u);
  EXPECT_EQ(http::BufferedRequestBodyBytes(), 4u * options.max_upload_buffer_per_stream);
  // Reading the bodies lets the uploads go on (credit returns as the readers take bytes).
  std::vector<std::string> got(4);
  for (int i = 0; i < 4; ++i) {
    c.requests[i]->body_stream->Read([&got, i](absl::string_view chunk) { got[i].append(chunk.data(), chunk.size()); },
                                     [](absl::Status) {});
  }
  c.Pump();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(got[i].size(), body.size()) << i;
  EXPECT_EQ(http::BufferedRequestBodyBytes(), 0u);
  c.requests.clear();
  c.writers.clear();
}

// A request refused on its headers is answered at once; the client is told to stop sending (RST_STREAM(NO_ERROR)
// after the answer), what the body held is dropped and its credit returned, and the connection goes on.
TEST(CodecTest, AnsweredBeforeTheBodyResetsTheStreamWithNoError) {
  Options options;
  options.max_concurrent_streams = 2;  // connection window 512 KiB
  Connection c(options);
  c.on_request = [&](http::RequestPtr request, http::ResponseWriter writer) {
    if (request->path == "/deny") {
      writer.Send(http::TextResponse(401, "Unauthorized")).IgnoreError();
      return;
    }
    http::ReadBody(request, [request, writer = std::move(writer)](absl::Status) mutable {
      writer.Send(http::TextResponse(200, absl::StrCat("read ", request->body.size()))).IgnoreError();
    });
  };
  c.Pump();
  const std::string body(200 * 1024, 'z');
  for (int round = 0; round < 5; ++round) {
    const int32_t id = c.client.Submit("POST", "/deny", {}, &body, /*end_stream=*/false);
    c.Pump();
    EXPECT_EQ(c.client.responses[id].status, 401);
    EXPECT_TRUE(c.client.responses[id].closed);
    EXPECT_TRUE(c.client.responses[id].reset);
    EXPECT_EQ(c.client.responses[id].close_error, NGHTTP2_NO_ERROR);
  }
  EXPECT_EQ(c.codec->counters().bodies_cut_short, 5u);
  EXPECT_EQ(http::BufferedRequestBodyBytes(), 0u);
  // Five refused uploads of 200 KiB each did not eat the 512 KiB connection window: a full one still fits.
  const std::string ok_body(400 * 1024, 'o');
  const int32_t next = c.client.Submit("POST", "/ok", {}, &ok_body);
  c.Pump();
  EXPECT_EQ(c.client.responses[next].status, 200);
  EXPECT_EQ(c.client.responses[next].body, "read 409600");
}

// A reader that goes over the body's limit ends with ResourceExhausted and the limit callback runs (outside
// nghttp2): the chain's filter answers 413 there.
TEST(CodecTest, BodyOverTheLimitEndsTheReader) {
  Connection c;
  absl::Status read;
  c.on_request = [&](http::RequestPtr request, http::ResponseWriter writer) {
    if (request->body_stream == nullptr) {
      writer.Send(http::TextResponse(200, "no body")).IgnoreError();
      return;
    }
    request->body_stream->SetLimit(100 * 1024, [completer = writer.completer()] {
      completer.TrySend(http::TextResponse(413, "too large")).IgnoreError();
    });
    http::ReadBody(request,
                   [&read, request, writer = std::move(writer)](absl::Status status) mutable { read = status; });
  };
  const std::string body(200 * 1024, 'x');
  const int32_t id = c.client.Submit("POST", "/big", {}, &body);
  c.Pump();
  EXPECT_EQ(c.client.responses[id].status, 413);
  EXPECT_THAT(read, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("limit of 102400 bytes")));
  EXPECT_EQ(http::BufferedRequestBodyBytes(), 0u);
  const int32_t next = c.client.Get("/next");
  c.Pump();
  EXPECT_EQ(c.client.responses[next].status, 200);
}

TEST(CodecTest, ClientResetEndsTheBodyWithCancelled) {
  Connection c;
  c.auto_answer = false;
  const std::string part(1000, 'p');
  const int32_t id = c.client.Submit("POST", "/up", {}, &part, /*end_stream=*/false);
  c.Pump();
  ASSERT_EQ(c.requests.size(), 1u);
  absl::Status read;
  http::ReadBody(c.requests[0], [&](absl::Status status) { read = status; });
  ASSERT_EQ(nghttp2_submit_rst_stream(c.client.session(), NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL), 0);
  c.Pump();
  EXPECT_THAT(read, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(http::BufferedRequestBodyBytes(), 0u);
}

TEST(CodecTest, DownloadSeveralMegabytesStreamedWithBackpressure) {
  Options options;
  options.response_high_water_mark = 256 * 1024;
  Connection c(options);
  constexpr size_t kTotal = 8 << 20;
  size_t written = 0;
  int writable_calls = 0;
  std::shared_ptr<http::ResponseWriter> writer;
  std::function<void()> pump_writes = [&] {
    while (written < kTotal) {
      absl::Status s = writer->Write(std::string(64 * 1024, static_cast<char>('a' + (written >> 16) % 26)));
      if (absl::IsResourceExhausted(s)) {
        writer->OnWritable([&] {
          ++writable_calls;
          pump_writes();
        });
        return;
      }
      ASSERT_THAT(s, IsOk());
      written += 64 * 1024;
    }
    writer->Finish().IgnoreError();
  };
  c.on_request = [&](http::RequestPtr, http::ResponseWriter w) {
    writer = std::make_shared<http::ResponseWriter>(std::move(w));
    ASSERT_THAT(writer->WriteHead(200, {{"Content-Type", "application/octet-stream"}}), IsOk());
    pump_writes();
  };
  const int32_t id = c.client.Get("/big");
  c.Pump();
  const ClientResponse& r = c.client.responses[id];
  EXPECT_EQ(r.status, 200);
  ASSERT_EQ(r.body.size(), kTotal);
  EXPECT_EQ(r.body[0], 'a');
  EXPECT_EQ(r.body[kTotal - 1], static_cast<char>('a' + ((kTotal - 1) >> 16) % 26));
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.close_error, 0u);
  EXPECT_GT(writable_calls, 10);
}

TEST(CodecTest, StreamedResponseWithTrailers) {
  Connection c;
  c.on_request = [&](http::RequestPtr, http::ResponseWriter w) {
    ASSERT_THAT(w.WriteHead(200, {{"Content-Type", "text/plain"}}), IsOk());
    ASSERT_THAT(w.Write("hello "), IsOk());
    ASSERT_THAT(w.Write("world"), IsOk());
    ASSERT_THAT(w.Finish({{"X-Checksum", "abc"}}), IsOk());
  };
  const int32_t id = c.client.Get("/stream");
  c.Pump();
  const ClientResponse& r = c.client.responses[id];
  EXPECT_EQ(r.body, "hello world");
  EXPECT_EQ(r.trailers.Get("x-checksum"), "abc");
  EXPECT_FALSE(r.headers.Has("content-length"));
  EXPECT_EQ(r.close_error, 0u);
}

TEST(CodecTest, StreamingWaitsForTheHandler) {
  Connection c;
  c.auto_answer = false;
  const int32_t id = c.client.Get("/watch");
  c.Pump();
  ASSERT_EQ(c.writers.size(), 1u);
  EXPECT_EQ(c.codec->phase(), http::CodecPhase::kBusy);
  EXPECT_EQ(c.codec->ActiveRequests(), 1u);
  ASSERT_THAT(c.writers[0].WriteHead(200, {}), IsOk());
  c.Pump();
  EXPECT_EQ(c.client.responses[id].status, 200);
  EXPECT_FALSE(c.client.responses[id].closed);
  const int before = c.output_ready;
  ASSERT_THAT(c.writers[0].Write("event1\n"), IsOk());
  EXPECT_GT(c.output_ready, before);  // an answer outside Feed wakes the server
  c.Pump();
  EXPECT_EQ(c.client.responses[id].body, "event1\n");
  ASSERT_THAT(c.writers[0].Finish(), IsOk());
  c.Pump();
  EXPECT_TRUE(c.client.responses[id].closed);
  EXPECT_EQ(c.codec->phase(), http::CodecPhase::kIdle);
}

// A watch-like handler writes its first event from inside the request's dispatch and then waits; the event goes
// out with the head. When the client closes the connection, the exchange completes as kClientGone.
TEST(CodecTest, WatchFirstEventGoesOutAndPeerCloseCompletesTheExchange) {
  Connection c;
  std::shared_ptr<http::ResponseWriter> writer;
  std::optional<http::CompletionReason> completed;
  c.on_request = [&](http::RequestPtr, http::ResponseWriter w) {
    writer = std::make_shared<http::ResponseWriter>(std::move(w));
    writer->OnComplete([&](const http::Completion& done) { completed = done.reason; });
    ASSERT_THAT(writer->WriteHead(200, {{"Content-Type", "application/json"}}), IsOk());
    ASSERT_THAT(writer->Write("event 1\n"), IsOk());
  };
  const int32_t id = c.client.Get("/watch");
  c.Pump();
  EXPECT_EQ(c.client.responses[id].status, 200);
  EXPECT_EQ(c.client.responses[id].body, "event 1\n");
  EXPECT_FALSE(completed.has_value());
  c.codec->OnPeerClosed();
  c.loop.RunUntilIdle();
  EXPECT_EQ(completed, http::CompletionReason::kClientGone);
  EXPECT_EQ(c.codec->ActiveRequests(), 0u);
  EXPECT_THAT(writer->Write("event 2\n"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("response already completed")));
}

TEST(CodecTest, HeadSendsNoBody) {
  Connection c;
  const int32_t whole = c.client.Submit("HEAD", "/whole");
  c.Pump();
  EXPECT_EQ(c.client.responses[whole].status, 200);
  EXPECT_EQ(c.client.responses[whole].body, "");
  EXPECT_EQ(c.client.responses[whole].headers.Get("content-length"), "13");  // "HEAD /whole 0", as GET would send
  EXPECT_EQ(c.client.responses[whole].close_error, 0u);

  c.on_request = [&](http::RequestPtr, http::ResponseWriter w) {
    ASSERT_THAT(w.WriteHead(200, {}), IsOk());
    ASSERT_THAT(w.Write("not sent"), IsOk());
    ASSERT_THAT(w.Finish({{"x-t", "1"}}), IsOk());
  };
  const int32_t streamed = c.client.Submit("HEAD", "/streamed");
  c.Pump();
  EXPECT_EQ(c.client.responses[streamed].status, 200);
  EXPECT_EQ(c.client.responses[streamed].body, "");
  EXPECT_TRUE(c.client.responses[streamed].closed);
  EXPECT_EQ(c.client.responses[streamed].close_error, 0u);
}

TEST(CodecTest, ConnectionSpecificResponseHeadersAreStrippedAndCloseBecomesGoaway) {
  Connection c;
  c.on_request = [&](http::RequestPtr, http::ResponseWriter w) {
    http::Response r = http::TextResponse(200, "bye");
    r.headers.Add("Connection", "close");
    r.headers.Add("Keep-Alive", "timeout=5");
    r.headers.Add("Transfer-Encoding", "chunked");
    w.Send(std::move(r)).IgnoreError();
  };
  const int32_t id = c.client.Get("/x");
  c.Pump();
  const ClientResponse& r = c.client.responses[id];
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "bye");
  EXPECT_FALSE(r.headers.Has("connection"));
  EXPECT_FALSE(r.headers.Has("keep-alive"));
  EXPECT_FALSE(r.headers.Has("transfer-encoding"));
  ASSERT_EQ(c.client.goaways.size(), 2u);
  EXPECT_EQ(c.client.goaways[0].last_stream_id, kMaxStreamId);  // the shutdown notice
  EXPECT_EQ(c.client.goaways[1].last_stream_id, id);
  EXPECT_EQ(c.client.goaways[1].error_code, NGHTTP2_NO_ERROR);
  EXPECT_TRUE(c.codec->WantsClose());
}

TEST(CodecTest, GracefulShutdownInTwoPhases) {
  Connection c;
  c.auto_answer = false;
  const int32_t first = c.client.Get("/long");
  c.Pump();
  c.codec->BeginShutdown();
  EXPECT_GT(c.output_ready, 0);
  // A stream the client opened before it saw the notice is still served.
  const int32_t second = c.client.Get("/crossing-the-notice");
  c.codec->BeginShutdown();  // idempotent
  ASSERT_THAT(c.FeedRaw(c.client.TakeOutput()), IsOk());
  c.Pump();
  ASSERT_EQ(c.writers.size(), 2u);
  ASSERT_EQ(c.client.goaways.size(), 1u);
  EXPECT_EQ(c.client.goaways[0].last_stream_id, kMaxStreamId);
  c.codec->CompleteShutdown();
  c.Pump();
  ASSERT_EQ(c.client.goaways.size(), 2u);
  EXPECT_EQ(c.client.goaways[1].last_stream_id, second);
  EXPECT_EQ(c.client.goaways[1].error_code, NGHTTP2_NO_ERROR);
  EXPECT_FALSE(c.codec->WantsClose());  // two streams still open
  c.writers[0].Send(http::TextResponse(200, "1")).IgnoreError();
  c.Pump();
  EXPECT_FALSE(c.codec->WantsClose());
  c.writers[1].Send(http::TextResponse(200, "2")).IgnoreError();
  c.Pump();
  EXPECT_EQ(c.client.responses[first].body, "1");
  EXPECT_EQ(c.client.responses[second].body, "2");
  EXPECT_TRUE(c.codec->WantsClose());
}

TEST(CodecTest, IdleConnectionClosesAfterGoaway) {
  Connection c;
  c.client.Get("/a");
  c.Pump();
  EXPECT_EQ(c.codec->phase(), http::CodecPhase::kIdle);
  EXPECT_EQ(c.codec->options().idle_timeout, absl::Seconds(90));
  // What the server does when its idle timer fires.
  c.codec->BeginShutdown();
  c.codec->CompleteShutdown();
  EXPECT_FALSE(c.codec->WantsClose());  // GOAWAY not flushed yet
  c.Pump();
  ASSERT_EQ(c.client.goaways.size(), 2u);
  EXPECT_EQ(c.client.goaways[1].last_stream_id, 1);
  EXPECT_TRUE(c.codec->WantsClose());
}

TEST(CodecTest, ClientResetCompletesTheExchangeAsClientGone) {
  Connection c;
  c.auto_answer = false;
  const int32_t id = c.client.Get("/watch");
  c.Pump();
  ASSERT_EQ(c.writers.size(), 1u);
  http::Completion completion;
  bool completed = false;
  c.writers[0].OnComplete([&](const http::Completion& done) {
    completion = done;
    completed = true;
  });
  nghttp2_submit_rst_stream(c.client.session(), NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
  c.Pump();
  EXPECT_TRUE(completed);
  EXPECT_EQ(completion.reason, http::CompletionReason::kClientGone);
  EXPECT_EQ(c.codec->ActiveRequests(), 0u);
  EXPECT_EQ(c.codec->counters().resets_received, 1u);
  EXPECT_THAT(c.writers[0].Send(http::TextResponse(200, "late")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("response already completed")));
}

TEST(CodecTest, PeerClosedCompletesEveryOpenExchange) {
  Connection c;
  c.auto_answer = false;
  c.client.Get("/a");
  c.client.Get("/b");
  c.Pump();
  ASSERT_EQ(c.writers.size(), 2u);
  int gone = 0;
  for (auto& w : c.writers) {
    w.OnComplete([&](const http::Completion& done) { gone += done.reason == http::CompletionReason::kClientGone; });
  }
  c.codec->OnPeerClosed();
  EXPECT_EQ(gone, 2);
  EXPECT_TRUE(c.codec->WantsClose());
  EXPECT_TRUE(c.codec->PeekOutput().empty());
}

TEST(CodecTest, AbortAfterHeadResetsWithInternalError) {
  Connection c;
  c.on_request = [&](http::RequestPtr, http::ResponseWriter w) {
    ASSERT_THAT(w.WriteHead(200, {}), IsOk());
    ASSERT_THAT(w.Write("partial"), IsOk());
    // Dropping the writer after WriteHead aborts the stream.
  };
  const int32_t id = c.client.Get("/x");
  c.Pump();
  EXPECT_TRUE(c.client.responses[id].reset);
  EXPECT_EQ(c.client.responses[id].close_error, NGHTTP2_INTERNAL_ERROR);
}

TEST(CodecTest, AsynchronousAnswerFromALoopTask) {
  Connection c;
  c.on_request = [&](http::RequestPtr request, http::ResponseWriter w) {
    c.loop.RunAfter(absl::Seconds(1), [w = std::make_shared<http::ResponseWriter>(std::move(w))] {
      w->Send(http::TextResponse(200, "later")).IgnoreError();
    });
  };
  const int32_t id = c.client.Get("/slow");
  c.Pump();
  EXPECT_EQ(c.client.responses[id].status, 0);
  c.loop.AdvanceTime(absl::Seconds(1));
  EXPECT_GT(c.output_ready, 0);
  c.Pump();
  EXPECT_EQ(c.client.responses[id].body, "later");
}

TEST(CodecTest, AsynchronousAnswerFromAnotherThread) {
  Connection c;
  std::thread worker;
  c.on_request = [&](http::RequestPtr request, http::ResponseWriter w) {
    worker = std::thread([w = std::move(w)]() mutable {
      ASSERT_THAT(w.WriteHead(200, {}), IsOk());
      ASSERT_THAT(w.Write("from "), IsOk());
      ASSERT_THAT(w.Write("a thread"), IsOk());
      ASSERT_THAT(w.Finish(), IsOk());
    });
  };
  const int32_t id = c.client.Get("/thread");
  c.Pump();
  worker.join();
  c.Pump();
  EXPECT_EQ(c.client.responses[id].body, "from a thread");
  EXPECT_TRUE(c.client.responses[id].closed);
}

TEST(CodecTest, HeaderListOverOneMegabyteIs431) {
  ClientOptions client_options;
  client_options.max_send_header_block = 4 << 20;
  Connection c(Options(), client_options);
  c.Pump();  // settings exchanged
  std::vector<std::pair<std::string, std::string>> headers;
  for (int i = 0; i < 20; ++i) headers.emplace_back(absl::StrCat("x-big-", i), std::string(60 * 1024, 'a' + i));
  const int32_t id = c.client.Submit("GET", "/huge", headers);
  c.Pump();
  EXPECT_TRUE(c.requests.empty());
  EXPECT_EQ(c.client.responses[id].status, 431);
  EXPECT_EQ(c.client.responses[id].body, "<h1>HTTP Error 431</h1><p>Request Header Field(s) Too Large</p>");
  EXPECT_EQ(c.codec->counters().headers_too_large, 1u);
  // A header list just under the limit is fine (and needs more than nghttp2's default 8 CONTINUATIONs).
  headers.resize(15);
  const int32_t ok = c.client.Submit("GET", "/large", headers);
  c.Pump();
  EXPECT_EQ(c.client.responses[ok].status, 200);
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_EQ(c.requests[0]->headers.Get("x-big-14")->size(), 60u * 1024);
}

TEST(CodecTest, OneFieldOver64KiBIsACompressionError) {
  ClientOptions client_options;
  client_options.max_send_header_block = 4 << 20;
  Connection c(Options(), client_options);
  c.Pump();
  // The limit applies to the encoded field: 120 KiB of 'a' is about 75 KiB once Huffman-coded.
  c.client.Submit("GET", "/huge", {{"x-one", std::string(120 * 1024, 'a')}});
  c.Pump();
  EXPECT_TRUE(c.requests.empty());
  ASSERT_FALSE(c.client.goaways.empty());
  EXPECT_EQ(c.client.goaways.back().error_code, NGHTTP2_COMPRESSION_ERROR);
  EXPECT_TRUE(c.codec->WantsClose());
}

// --- RFC 9113 §8.3 malformed requests: each is RST_STREAM(PROTOCOL_ERROR), the connection survives ---

struct MalformedCase {
  const char* name;
  std::vector<std::pair<std::string, std::string>> headers;
  const char* method = "GET";
  const char* path = "/";
};

class MalformedTest : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedTest, ResetWithProtocolError) {
  ClientOptions client_options;
  client_options.http_messaging = false;
  Connection c(Options(), client_options);
  const MalformedCase& tc = GetParam();
  const int32_t id = c.client.Submit(tc.method, tc.path, tc.headers);
  c.Pump();
  EXPECT_TRUE(c.requests.empty()) << tc.name;
  EXPECT_TRUE(c.client.responses[id].reset) << tc.name;
  EXPECT_EQ(c.client.responses[id].close_error, NGHTTP2_PROTOCOL_ERROR) << tc.name;
  const int32_t next = c.client.Get("/next");
  c.Pump();
  EXPECT_EQ(c.client.responses[next].status, 200) << tc.name;
}

INSTANTIATE_TEST_SUITE_P(Rfc9113, MalformedTest,
                         ::testing::Values(MalformedCase{"connection header", {{"connection", "keep-alive"}}},
                                           MalformedCase{"keep-alive header", {{"keep-alive", "1"}}},
                                           MalformedCase{"transfer-encoding", {{"transfer-encoding", "chunked"}}},
                                           MalformedCase{"upgrade", {{"upgrade", "h2c"}}},
                                           MalformedCase{"te gzip", {{"te", "gzip"}}},
                                           MalformedCase{"duplicate :path", {{":path", "/again"}}},
                                           MalformedCase{"pseudo after regular", {{"x-a", "1"}, {":foo", "1"}}},
                                           MalformedCase{"unknown pseudo", {{":foo", "1"}}},
                                           MalformedCase{"value with newline", {{"x-a", "a\nb"}}},
                                           MalformedCase{"path not origin-form", {}, "GET", "relative"},
                                           MalformedCase{"empty path", {}, "GET", ""}),
                         [](const ::testing::TestParamInfo<MalformedCase>& param_info) {
                           std::string name = param_info.param.name;
                           for (char& ch : name) {
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

TEST(CodecTest, TeTrailersIsAllowed) {
  Connection c;
  const int32_t id = c.client.Submit("GET", "/grpc", {{"te", "trailers"}});
  c.Pump();
  EXPECT_EQ(c.client.responses[id].status, 200);
}

TEST(CodecTest, MissingPseudoHeaderIsRejected) {
  ClientOptions client_options;
  client_options.http_messaging = false;
  Connection c(Options(), client_options);
  c.Pump();
  // HEADERS without :path, written by hand.
  std::string block;
  block.push_back(static_cast<char>(0x82));
  block.push_back(static_cast<char>(0x87));
  block += HpackLiteral(":authority", "example.com");
  ASSERT_THAT(c.FeedRaw(Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1, block)), IsOk());
  EXPECT_TRUE(c.requests.empty());
  EXPECT_NE(c.ServerOutput().find(RstStream(1, NGHTTP2_PROTOCOL_ERROR)), std::string::npos);
}

TEST(CodecTest, UppercaseHeaderNameIsRejected) {
  // nghttp2's client lowercases names, so this one is written by hand.
  Connection c;
  c.Pump();
  const std::string block = RequestHeaderBlock("/", HpackLiteral("X-Upper", "1"));
  ASSERT_THAT(c.FeedRaw(Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1, block)), IsOk());
  EXPECT_TRUE(c.requests.empty());
  EXPECT_NE(c.ServerOutput().find(RstStream(1, NGHTTP2_PROTOCOL_ERROR)), std::string::npos);
  EXPECT_EQ(c.codec->counters().malformed_requests, 1u);
}

TEST(CodecTest, ContentLengthMismatchIsProtocolError) {
  Connection c;
  const std::string body = "short";
  c.auto_answer = false;
  const int32_t id = c.client.Submit("POST", "/x", {{"content-length", "10"}}, &body);
  c.Pump();
  // The request went to its handler on its headers; its body fails when END_STREAM comes 5 bytes short.
  ASSERT_EQ(c.requests.size(), 1u);
  absl::Status read;
  http::ReadBody(c.requests[0], [&](absl::Status status) { read = status; });
  EXPECT_THAT(read, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("malformed request body")));
  EXPECT_EQ(c.client.responses[id].close_error, NGHTTP2_PROTOCOL_ERROR);
  EXPECT_THAT(c.writers[0].Send(http::TextResponse(200, "late")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("response already completed")));
}

TEST(CodecTest, CookieCrumbsAreJoined) {
  Connection c;
  c.client.Submit("GET", "/c", {{"cookie", "a=1"}, {"cookie", "b=2"}});
  c.Pump();
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_EQ(c.requests[0]->headers.Get("cookie"), "a=1; b=2");
}

TEST(CodecTest, RequestTrailersEndTheRequest) {
  Connection c;
  const std::string body = "payload";
  const int32_t id = c.client.Submit("POST", "/t", {}, &body, /*end_stream=*/false);
  c.Pump();
  ASSERT_EQ(c.requests.size(), 1u);  // dispatched on its headers; the answer waits for the whole body
  EXPECT_EQ(c.client.responses[id].status, 0);
  std::string name = "x-trailer", value = "1";
  nghttp2_nv nv = {reinterpret_cast<uint8_t*>(name.data()), reinterpret_cast<uint8_t*>(value.data()), name.size(),
                   value.size(), NGHTTP2_NV_FLAG_NONE};
  ASSERT_EQ(nghttp2_submit_trailer(c.client.session(), id, &nv, 1), 0);
  c.Pump();
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_EQ(c.requests[0]->body, "payload");
  EXPECT_EQ(c.client.responses[id].status, 200);
}

// GoawayCode finds the error code of the last GOAWAY frame in raw server output (0xffffffff if none).
uint32_t GoawayCode(absl::string_view out) {
  uint32_t code = 0xffffffff;
  while (out.size() >= 9) {
    const size_t len =
        (static_cast<uint8_t>(out[0]) << 16) | (static_cast<uint8_t>(out[1]) << 8) | static_cast<uint8_t>(out[2]);
    if (out.size() < 9 + len) break;
    if (out[3] == NGHTTP2_GOAWAY && len >= 8) {
      code = (static_cast<uint8_t>(out[13]) << 24) | (static_cast<uint8_t>(out[14]) << 16) |
             (static_cast<uint8_t>(out[15]) << 8) | static_cast<uint8_t>(out[16]);
    }
    out.remove_prefix(9 + len);
  }
  return code;
}

// --- stream limits (RFC 9113 §5.1.2) ---

TEST(CodecTest, StreamsOverTheLimitBeforeTheAckAreRefused) {
  Options options;
  options.max_concurrent_streams = 2;
  Connection c(options);
  c.auto_answer = false;
  // Raw client: preface and three streams, without acknowledging the server's SETTINGS.
  std::string bytes = ClientPreface();
  for (uint32_t id = 1; id <= 5; id += 2) {
    bytes += Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, id, RequestHeaderBlock("/"));
  }
  ASSERT_THAT(c.FeedRaw(bytes), IsOk());
  EXPECT_EQ(c.writers.size(), 2u);
  EXPECT_FALSE(c.codec->SettingsAcknowledged());
  const std::string out = c.ServerOutput();
  // The third stream got RST_STREAM(REFUSED_STREAM): find the frame.
  const std::string refused = RstStream(5, NGHTTP2_REFUSED_STREAM);
  EXPECT_NE(out.find(refused), std::string::npos);
  EXPECT_FALSE(c.codec->WantsClose());
}

TEST(CodecTest, StreamsOverTheLimitAfterTheAckAreAConnectionError) {
  Options options;
  options.max_concurrent_streams = 2;
  Connection c(options);
  c.auto_answer = false;
  std::string bytes = ClientPreface() + SettingsAck();
  for (uint32_t id = 1; id <= 5; id += 2) {
    bytes += Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, id, RequestHeaderBlock("/"));
  }
  EXPECT_THAT(c.FeedRaw(bytes),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("HTTP/2 protocol error: sent GOAWAY(")));
  EXPECT_TRUE(c.codec->SettingsAcknowledged());
  EXPECT_EQ(c.writers.size(), 2u);
  EXPECT_EQ(GoawayCode(c.ServerOutput()), NGHTTP2_PROTOCOL_ERROR);
  EXPECT_FALSE(c.codec->WantsRead());
}

// --- floods: each counted and answered with GOAWAY(ENHANCE_YOUR_CALM) ---

TEST(FloodTest, PingFlood) {
  Connection c;
  std::string bytes = ClientPreface() + SettingsAck();
  for (int i = 0; i < 2000; ++i) bytes += Ping(i);
  EXPECT_THAT(c.FeedRaw(bytes), StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("SETTINGS/PING")));
  EXPECT_EQ(c.codec->counters().flood(http::FloodKind::kAck), 1u);
  EXPECT_EQ(GoawayCode(c.ServerOutput()), NGHTTP2_ENHANCE_YOUR_CALM);
  EXPECT_TRUE(c.codec->WantsClose());
}

TEST(FloodTest, SettingsFlood) {
  Connection c;
  std::string bytes = ClientPreface() + SettingsAck();
  for (int i = 0; i < 2000; ++i) bytes += Frame(NGHTTP2_SETTINGS, 0, 0, "");
  EXPECT_THAT(c.FeedRaw(bytes), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(c.codec->counters().flood(http::FloodKind::kAck), 1u);
  EXPECT_EQ(GoawayCode(c.ServerOutput()), NGHTTP2_ENHANCE_YOUR_CALM);
  EXPECT_TRUE(c.codec->WantsClose());
}

TEST(FloodTest, SettingsWithTooManyEntries) {
  Connection c;
  std::string entries;
  for (int i = 0; i < 40; ++i) entries += std::string("\x00\x03\x00\x00\x00\x64", 6);  // MAX_CONCURRENT_STREAMS
  std::string bytes = ClientPreface() + Frame(NGHTTP2_SETTINGS, 0, 0, entries);
  c.FeedRaw(bytes).IgnoreError();
  EXPECT_EQ(c.codec->counters().flood(http::FloodKind::kSettings), 1u);
  EXPECT_EQ(GoawayCode(c.ServerOutput()), NGHTTP2_ENHANCE_YOUR_CALM);
  EXPECT_TRUE(c.codec->WantsClose());
}

TEST(FloodTest, PriorityFlood) {
  Connection c;
  std::string bytes = ClientPreface() + SettingsAck();
  for (int i = 0; i < 150; ++i) bytes += Priority(3, 0, 16);
  // No stream opened: 100 PRIORITY frames are allowed, the 101st is a flood.
  EXPECT_THAT(c.FeedRaw(bytes), StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("PRIORITY")));
  EXPECT_EQ(c.codec->counters().flood(http::FloodKind::kPriority), 1u);
  EXPECT_EQ(GoawayCode(c.ServerOutput()), NGHTTP2_ENHANCE_YOUR_CALM);
}

TEST(FloodTest, EmptyDataFlood) {
  Connection c;
  std::string bytes = ClientPreface() + SettingsAck() +
                      Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, 1, RequestHeaderBlock("/upload"));
  for (int i = 0; i < 20; ++i) bytes += Data(1, "", false);
  EXPECT_THAT(c.FeedRaw(bytes), StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("empty DATA")));
  EXPECT_EQ(c.codec->counters().flood(http::FloodKind::kEmptyData), 1u);
  EXPECT_EQ(GoawayCode(c.ServerOutput()), NGHTTP2_ENHANCE_YOUR_CALM);
  EXPECT_TRUE(c.codec->WantsClose());
}

// Found by fuzz/http2_codec_fuzzer: a flood caught inside an nghttp2 callback, followed in the same read by a frame
// nghttp2 rejects itself (a PRIORITY frame of the wrong size), aborted the process in nghttp2_session_mem_recv
// (`iframe->state == NGHTTP2_IB_IGN_ALL`): after an empty DATA frame nghttp2 resumes parsing even though the
// callback terminated the session, and its own second termination is then a no-op. The codec now terminates the
// session only after nghttp2_session_mem_recv returns and stops it at the next frame.
TEST(FloodTest, FloodFollowedByBadFrameInOneRead) {
  const std::string bad_priority = Frame(NGHTTP2_PRIORITY, 0, 3, "");  // must be 5 bytes: FRAME_SIZE_ERROR
  std::string empty_data = Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, 1, RequestHeaderBlock("/upload"));
  for (int i = 0; i < 10; ++i) empty_data += Data(1, "", false);
  std::string priorities;
  for (int i = 0; i < 101; ++i) priorities += Priority(3, 0, 16);
  std::string entries;
  for (int i = 0; i < 40; ++i) entries += std::string("\x00\x03\x00\x00\x00\x64", 6);
  const struct {
    const char* name;
    std::string frames;
    http::FloodKind kind;
  } cases[] = {
      {"empty DATA", empty_data, http::FloodKind::kEmptyData},
      {"PRIORITY", priorities, http::FloodKind::kPriority},
      {"SETTINGS", Frame(NGHTTP2_SETTINGS, 0, 0, entries), http::FloodKind::kSettings},
  };
  for (const auto& test : cases) {
    Connection c;
    EXPECT_THAT(c.FeedRaw(ClientPreface() + SettingsAck() + test.frames + bad_priority + Ping(1)),
                StatusIs(absl::StatusCode::kResourceExhausted))
        << test.name;
    EXPECT_EQ(c.codec->counters().flood(test.kind), 1u) << test.name;
    EXPECT_EQ(GoawayCode(c.ServerOutput()), NGHTTP2_ENHANCE_YOUR_CALM) << test.name;
    EXPECT_TRUE(c.codec->WantsClose()) << test.name;
    EXPECT_THAT(c.FeedRaw(Ping(2)), StatusIs(absl::StatusCode::kResourceExhausted)) << test.name;
  }
}

TEST(FloodTest, ContinuationWithoutEnd) {
  Connection c;
  std::string bytes = ClientPreface() + SettingsAck() + Frame(NGHTTP2_HEADERS, 0, 1, RequestHeaderBlock("/"));
  for (int i = 0; i < 100; ++i) bytes += Frame(NGHTTP2_CONTINUATION, 0, 1, HpackLiteral("x-a", "b"));
  EXPECT_THAT(c.FeedRaw(bytes), StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("CONTINUATION")));
  EXPECT_EQ(c.codec->counters().flood(http::FloodKind::kContinuation), 1u);
  EXPECT_EQ(GoawayCode(c.ServerOutput()), NGHTTP2_ENHANCE_YOUR_CALM);
  EXPECT_TRUE(c.codec->WantsClose());
}

TEST(FloodTest, HpackBomb) {
  Connection c;
  // One 4000-byte field added to the dynamic table, then referenced 2000 times (one byte each): ~8 MB decoded.
  std::string block = RequestHeaderBlock("/");
  std::string indexed;
  indexed.push_back(0x40);  // literal with incremental indexing, new name
  indexed.push_back(5);
  indexed += "x-big";
  indexed.push_back(0x7f);  // value length 4000 as a 7-bit prefixed integer: 127 + 3873
  const uint32_t rest = 4000 - 127;
  indexed.push_back(static_cast<char>((rest & 0x7f) | 0x80));
  indexed.push_back(static_cast<char>(rest >> 7));
  indexed += std::string(4000, 'b');
  block += indexed;
  for (int i = 0; i < 2000; ++i) block.push_back(static_cast<char>(0x80 | 62));  // dynamic table entry 62
  std::string bytes = ClientPreface() + SettingsAck() +
                      Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1, block);
  EXPECT_THAT(c.FeedRaw(bytes), StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("HPACK bomb")));
  EXPECT_EQ(c.codec->counters().flood(http::FloodKind::kHpackBomb), 1u);
  EXPECT_TRUE(c.requests.empty());
  EXPECT_EQ(GoawayCode(c.ServerOutput()), NGHTTP2_ENHANCE_YOUR_CALM);
  EXPECT_TRUE(c.codec->WantsClose());
}

TEST(FloodTest, RapidResetByRate) {
  Options options;
  options.flood.reset_burst = 50;
  options.flood.reset_rate_per_second = 1;
  Connection c(options);
  std::string bytes = ClientPreface() + SettingsAck();
  for (uint32_t id = 1; id < 2 * 200; id += 2) {
    bytes += Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, id, RequestHeaderBlock("/"));
    bytes += RstStream(id, NGHTTP2_CANCEL);
  }
  c.FeedRaw(bytes).IgnoreError();
  const std::string out = c.ServerOutput();
  EXPECT_EQ(c.codec->counters().flood(http::FloodKind::kRapidReset), 1u);
  EXPECT_EQ(GoawayCode(out), NGHTTP2_ENHANCE_YOUR_CALM);
  EXPECT_TRUE(c.codec->WantsClose());
}

TEST(FloodTest, RapidResetLeavingHandlersBusy) {
  Options options;
  options.max_concurrent_streams = 10;
  Connection c(options);
  c.auto_answer = false;  // handlers keep working after their stream is reset
  std::string bytes = ClientPreface() + SettingsAck();
  for (uint32_t id = 1; id < 2 * 20; id += 2) {
    bytes += Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, id, RequestHeaderBlock("/"));
    bytes += RstStream(id, NGHTTP2_CANCEL);
  }
  // Stream resets arrive after their HEADERS in the same read; dispatch happens once the read is parsed, so feed
  // each pair separately, as a client that waits for the server to start the handler would.
  absl::Status last;
  for (size_t pos = 0; pos < bytes.size();) {
    const size_t len = (static_cast<uint8_t>(bytes[pos]) << 16) | (static_cast<uint8_t>(bytes[pos + 1]) << 8) |
                       static_cast<uint8_t>(bytes[pos + 2]);
    const size_t frame = pos == 0 ? NGHTTP2_CLIENT_MAGIC_LEN : 9 + len;
    last = c.FeedRaw(absl::string_view(bytes).substr(pos, frame));
    pos += frame;
    if (!last.ok()) break;
  }
  EXPECT_THAT(last, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("unanswered")));
  EXPECT_EQ(c.codec->counters().flood(http::FloodKind::kHandlerWork), 1u);
  EXPECT_EQ(c.writers.size(), 10u);
  EXPECT_EQ(GoawayCode(c.ServerOutput()), NGHTTP2_ENHANCE_YOUR_CALM);
}

TEST(CodecTest, BadPrefaceIsFatal) {
  Connection c;
  EXPECT_THAT(c.FeedRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bad client connection preface")));
  c.ServerOutput();
  EXPECT_TRUE(c.codec->WantsClose());
  EXPECT_FALSE(c.codec->WantsRead());
}

TEST(CodecTest, InvalidOptionsAreRejected) {
  Options options;
  options.max_concurrent_streams = 0;
  http::CodecContext context;
  EXPECT_THAT(Codec::Create(context, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_concurrent_streams")));
}

// --- closed streams (RFC 9113 §5.1) ---

struct SentFrame {
  uint8_t type;
  int32_t stream_id;
  uint32_t code;  // RST_STREAM and GOAWAY error code, else 0
};

// SentFrames splits raw server output into frames.
std::vector<SentFrame> SentFrames(absl::string_view out) {
  std::vector<SentFrame> frames;
  auto u32 = [](absl::string_view b) {
    return (static_cast<uint32_t>(static_cast<uint8_t>(b[0])) << 24) | (static_cast<uint8_t>(b[1]) << 16) |
           (static_cast<uint8_t>(b[2]) << 8) | static_cast<uint8_t>(b[3]);
  };
  while (out.size() >= 9) {
    const size_t len =
        (static_cast<uint8_t>(out[0]) << 16) | (static_cast<uint8_t>(out[1]) << 8) | static_cast<uint8_t>(out[2]);
    if (out.size() < 9 + len) break;
    SentFrame f{static_cast<uint8_t>(out[3]), static_cast<int32_t>(u32(out.substr(5)) & 0x7fffffff), 0};
    if (f.type == NGHTTP2_RST_STREAM && len == 4) f.code = u32(out.substr(9));
    if (f.type == NGHTTP2_GOAWAY && len >= 8) f.code = u32(out.substr(13));
    frames.push_back(f);
    out.remove_prefix(9 + len);
  }
  return frames;
}

size_t CountFrames(const std::vector<SentFrame>& frames, uint8_t type, int32_t stream_id = -1, uint32_t code = 0) {
  size_t n = 0;
  for (const SentFrame& f : frames) {
    n += f.type == type && (stream_id < 0 || f.stream_id == stream_id) && f.code == code;
  }
  return n;
}

std::string OpenUpload(uint32_t id) {
  return Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, id, RequestHeaderBlock("/upload"));
}

TEST(ClosedStreamTest, DataAfterTheClientResetIsStreamClosed) {
  Connection c;
  c.auto_answer = false;
  ASSERT_THAT(c.FeedRaw(ClientPreface() + SettingsAck() + OpenUpload(1) + RstStream(1, NGHTTP2_CANCEL) +
                        Data(1, "abc", false) + Data(1, "def", true) + Ping(7)),
              IsOk());
  const std::vector<SentFrame> out = SentFrames(c.ServerOutput());
  EXPECT_EQ(CountFrames(out, NGHTTP2_RST_STREAM, 1, NGHTTP2_STREAM_CLOSED), 1u);  // once: later frames ignored
  EXPECT_EQ(CountFrames(out, NGHTTP2_PING, 0), 1u);
  EXPECT_EQ(CountFrames(out, NGHTTP2_GOAWAY), 0u);
  EXPECT_EQ(c.codec->counters().closed_stream_frames, 1u);
  EXPECT_FALSE(c.codec->WantsClose());
}

TEST(ClosedStreamTest, TrailersAfterTheClientResetAreStreamClosedInALaterRead) {
  Connection c;
  ASSERT_THAT(c.FeedRaw(ClientPreface() + SettingsAck() + OpenUpload(1) + RstStream(1, NGHTTP2_CANCEL)), IsOk());
  c.ServerOutput();
  // Trailers: a header block nghttp2 still decodes, so HPACK stays in step for the next request.
  ASSERT_THAT(c.FeedRaw(Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1,
                              HpackLiteral("x-trailer", "1")) +
                        Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 3,
                              RequestHeaderBlock("/next"))),
              IsOk());
  const std::vector<SentFrame> out = SentFrames(c.ServerOutput());
  EXPECT_EQ(CountFrames(out, NGHTTP2_RST_STREAM, 1, NGHTTP2_STREAM_CLOSED), 1u);
  EXPECT_EQ(CountFrames(out, NGHTTP2_GOAWAY), 0u);
  ASSERT_EQ(c.requests.size(), 1u);  // stream 1 was reset in the read that opened it: never dispatched
  EXPECT_EQ(c.requests[0]->path, "/next");
}

// What a client may send after our RST_STREAM (here PROTOCOL_ERROR for a malformed :path) is ignored, and its DATA
// gives the connection window back: more DATA than the whole window arrives without a flow-control error.
TEST(ClosedStreamTest, FramesAfterOurResetAreIgnoredAndTheirCreditReturned) {
  Options options;
  options.max_concurrent_streams = 1;  // connection window: one stream window (256 KiB)
  Connection c(options);
  std::string bytes = ClientPreface() + SettingsAck() +
                      Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, 1, RequestHeaderBlock("no-slash"));
  ASSERT_THAT(c.FeedRaw(bytes), IsOk());
  std::vector<SentFrame> out = SentFrames(c.ServerOutput());
  ASSERT_EQ(CountFrames(out, NGHTTP2_RST_STREAM, 1, NGHTTP2_PROTOCOL_ERROR), 1u);
  size_t window_updates = 0;
  for (int i = 0; i < 40; ++i) {  // 40 × 16 KiB = 640 KiB, over twice the connection window
    ASSERT_THAT(c.FeedRaw(Data(1, std::string(16384, 'x'), false) + Priority(1, 0, 16)), IsOk()) << i;
    out = SentFrames(c.ServerOutput());
    EXPECT_EQ(CountFrames(out, NGHTTP2_RST_STREAM), 0u) << i;
    EXPECT_EQ(CountFrames(out, NGHTTP2_GOAWAY), 0u) << i;
    window_updates += CountFrames(out, NGHTTP2_WINDOW_UPDATE, 0);
  }
  EXPECT_GT(window_updates, 0u);
  EXPECT_EQ(c.codec->counters().closed_stream_frames, 0u);
  EXPECT_FALSE(c.codec->WantsClose());
}

TEST(ClosedStreamTest, DataAfterTheClientResetReturnsItsCredit) {
  Options options;
  options.max_concurrent_streams = 1;
  Connection c(options);
  c.auto_answer = false;
  ASSERT_THAT(c.FeedRaw(ClientPreface() + SettingsAck() + OpenUpload(1) + RstStream(1, NGHTTP2_CANCEL)), IsOk());
  c.ServerOutput();
  for (int i = 0; i < 40; ++i) {
    ASSERT_THAT(c.FeedRaw(Data(1, std::string(16384, 'x'), false)), IsOk()) << i;
    EXPECT_EQ(CountFrames(SentFrames(c.ServerOutput()), NGHTTP2_GOAWAY), 0u) << i;
  }
  EXPECT_EQ(c.codec->counters().closed_stream_frames, 1u);
}

// PRIORITY is legal on a closed stream however it closed (RFC 9113 §5.1, §6.3): accepted, the connection serves on.
TEST(ClosedStreamTest, PriorityOnClosedStreamsIsAccepted) {
  Connection c;
  std::string bytes =
      ClientPreface() + SettingsAck() +
      Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1, RequestHeaderBlock("/answered")) +
      OpenUpload(3) + RstStream(3, NGHTTP2_CANCEL) +
      Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, 5, RequestHeaderBlock("no-slash"));
  ASSERT_THAT(c.FeedRaw(bytes), IsOk());
  c.ServerOutput();
  ASSERT_THAT(c.FeedRaw(Priority(1, 0, 16) + Priority(3, 1, 16) + Priority(5, 3, 16) + Priority(7, 5, 16) +
                        Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 9,
                              RequestHeaderBlock("/after")) +
                        Ping(7)),
              IsOk());
  const std::vector<SentFrame> out = SentFrames(c.ServerOutput());
  EXPECT_EQ(CountFrames(out, NGHTTP2_GOAWAY), 0u);
  EXPECT_EQ(CountFrames(out, NGHTTP2_RST_STREAM), 0u);
  EXPECT_EQ(CountFrames(out, NGHTTP2_PING, 0), 1u);
  ASSERT_EQ(c.requests.size(), 2u);  // stream 3, reset in the read that opened it, was never dispatched
  EXPECT_EQ(c.requests[1]->path, "/after");
  EXPECT_FALSE(c.codec->WantsClose());
}

// The rapid-reset defence still counts resets whose streams then get STREAM_CLOSED answers.
TEST(ClosedStreamTest, ResetsAnsweredWithStreamClosedStillSpendTheResetBudget) {
  Options options;
  options.flood.reset_burst = 5;
  options.flood.reset_rate_per_second = 1;
  Connection c(options);
  std::string bytes = ClientPreface() + SettingsAck();
  for (uint32_t id = 1; id <= 21; id += 2)
    bytes += OpenUpload(id) + RstStream(id, NGHTTP2_CANCEL) + Data(id, "x", false);
  EXPECT_THAT(c.FeedRaw(bytes), StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("rapid reset")));
  EXPECT_EQ(c.codec->counters().flood(http::FloodKind::kRapidReset), 1u);
  EXPECT_EQ(GoawayCode(c.ServerOutput()), NGHTTP2_ENHANCE_YOUR_CALM);
}

}  // namespace
}  // namespace apiserve::http2
