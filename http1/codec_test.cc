#include "http1/codec.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/fake_executor.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/codec_test_peer.h"
#include "http/handler.h"
#include "http/response.h"
#include "http/wire_format.h"

namespace apiserve::http1 {
namespace {

using ::apiserve::base::IsOk;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// IsRejected matches what Feed returns once the codec answered a malformed request with an error and is closing.
::testing::Matcher<const absl::Status&> IsRejected() {
  return base::StatusIs(absl::StatusCode::kInvalidArgument,
                        HasSubstr("malformed HTTP/1.1 request: answered with an error and closing"));
}

// A connection under test: the codec and its peer (http::CodecTestPeer: loop, recording handler, callbacks).
class Connection : public http::CodecTestPeer {
 public:
  explicit Connection(Options options = Options()) { codec = std::make_unique<Codec>(Context(), options); }

  // Feed sends `input` whole or one byte at a time, then runs the loop.
  absl::Status Feed(absl::string_view input, bool byte_by_byte = false) {
    absl::Status status;
    if (byte_by_byte) {
      for (char c : input) {
        absl::Status s = codec->Feed(absl::string_view(&c, 1));
        if (!s.ok()) status = s;
      }
    } else {
      status = codec->Feed(input);
    }
    loop.RunUntilIdle();
    return status;
  }

  // Drain reads all available output.
  std::string Drain() { return DrainOutput(*codec); }

  std::unique_ptr<Codec> codec;
};

std::string StatusLineOf(absl::string_view out) { return std::string(out.substr(0, out.find("\r\n"))); }

TEST(Http1CodecTest, SimpleGet) {
  Connection c;
  EXPECT_THAT(c.Feed("GET /healthz?verbose HTTP/1.1\r\nHost: example\r\nUser-Agent: t\r\n\r\n"), IsOk());
  const std::string out = c.Drain();
  EXPECT_THAT(out, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(out, HasSubstr("Content-Type: text/plain; charset=utf-8\r\n"));
  EXPECT_THAT(out, HasSubstr("Content-Length: 14\r\n"));
  EXPECT_THAT(out, HasSubstr("\r\nDate: "));
  EXPECT_THAT(out, Not(HasSubstr("Connection:")));
  EXPECT_TRUE(absl::EndsWith(out, "\r\n\r\nGET /healthz 0"));
  ASSERT_EQ(c.requests.size(), 1u);
  const http::Request& r = *c.requests[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/healthz?verbose");
  EXPECT_EQ(r.path, "/healthz");
  EXPECT_EQ(r.raw_query, "verbose");
  EXPECT_EQ(r.authority, "example");
  EXPECT_EQ(r.headers.Get("user-agent"), "t");
  EXPECT_EQ(r.protocol, http::Protocol::kHttp11);
  EXPECT_EQ(r.executor, &c.loop);
  EXPECT_FALSE(c.codec->WantsClose());
  EXPECT_EQ(c.codec->phase(), http::CodecPhase::kIdle);
}

TEST(Http1CodecTest, KeepAliveAndPipeliningInOrder) {
  Connection c;
  c.auto_answer = false;
  ASSERT_THAT(c.Feed("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n"), IsOk());
  ASSERT_EQ(c.writers.size(), 2u);
  // The second finishes first: nothing is written until the first is answered.
  ASSERT_THAT(c.writers[1].Send(http::TextResponse(200, "second")), IsOk());
  EXPECT_EQ(c.Drain(), "");
  ASSERT_THAT(c.writers[0].Send(http::TextResponse(201, "first")), IsOk());
  const std::string out = c.Drain();
  const size_t first = out.find("HTTP/1.1 201 Created");
  const size_t second = out.find("HTTP/1.1 200 OK");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_GT(c.output_ready, 0);
}

// Transactions are recycled: what one response set (HEAD, chunked framing, a streamed head) must not leak into the
// next, and dropping the spares (idle trim) changes nothing.
// The requests of one read are stamped with the time that read was handled (base::BatchClock); a later read, later.
TEST(Http1CodecTest, RequestsOfOneReadShareTheirReceivedTime) {
  Connection c;
  c.auto_answer = false;
  const absl::Time first_read = c.loop.Now();
  ASSERT_THAT(c.Feed("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n"), IsOk());
  c.loop.AdvanceTime(absl::Seconds(3));
  ASSERT_THAT(c.writers[0].Send(http::TextResponse(200, "a")), IsOk());
  ASSERT_THAT(c.writers[1].Send(http::TextResponse(200, "b")), IsOk());
  ASSERT_THAT(c.Feed("GET /c HTTP/1.1\r\nHost: h\r\n\r\n"), IsOk());
  ASSERT_EQ(c.requests.size(), 3u);
  EXPECT_EQ(c.requests[0]->received_time, first_read);
  EXPECT_EQ(c.requests[1]->received_time, first_read);
  EXPECT_EQ(c.requests[2]->received_time, first_read + absl::Seconds(3));
  // Answers given outside a read are dated when they are sent.
  EXPECT_THAT(c.Drain(), HasSubstr("Date: " + std::string(http::HttpDate(first_read + absl::Seconds(3)))));
}

TEST(Http1CodecTest, RecycledTransactionsStartClean) {
  Connection c;
  c.auto_answer = false;
  ASSERT_THAT(c.Feed("HEAD /a HTTP/1.1\r\nHost: h\r\n\r\n"), IsOk());
  ASSERT_THAT(c.writers.back().Send(http::TextResponse(200, "head body")), IsOk());
  std::string out = c.Drain();
  EXPECT_THAT(out, HasSubstr("Content-Length: 9\r\n"));
  EXPECT_THAT(out, Not(HasSubstr("head body")));

  ASSERT_THAT(c.Feed("GET /b HTTP/1.1\r\nHost: h\r\n\r\n"), IsOk());
  ASSERT_THAT(c.writers.back().WriteHead(200, {{"Content-Type", "text/plain"}}), IsOk());
  ASSERT_THAT(c.writers.back().Write("streamed"), IsOk());
  ASSERT_THAT(c.writers.back().Finish(), IsOk());
  out = c.Drain();
  EXPECT_THAT(out, HasSubstr("Transfer-Encoding: chunked\r\n"));
  EXPECT_THAT(out, HasSubstr("8\r\nstreamed\r\n0\r\n\r\n"));

  c.codec->ReleaseIdleMemory();
  for (const char* path : {"/c", "/d"}) {
    ASSERT_THAT(c.Feed(absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: h\r\n\r\n")), IsOk());
    ASSERT_THAT(c.writers.back().Send(http::TextResponse(200, absl::StrCat("body of ", path))), IsOk());
    out = c.Drain();
    EXPECT_THAT(out, StartsWith("HTTP/1.1 200 OK\r\n"));
    EXPECT_THAT(out, Not(HasSubstr("chunked")));
    EXPECT_THAT(out, HasSubstr(absl::StrCat("\r\n\r\nbody of ", path)));
  }
  EXPECT_EQ(c.requests.size(), 4u);
  EXPECT_EQ(c.requests[3]->path, "/d");
  EXPECT_FALSE(c.codec->WantsClose());
}

// A long stream read by a slow client: the queue of unsent chunks never empties, and is compacted as chunks leave;
// the bytes must come out in order, each chunk once.
TEST(Http1CodecTest, LongStreamWhoseQueueNeverEmptiesKeepsItsOrder) {
  Connection c;
  c.auto_answer = false;
  ASSERT_THAT(c.Feed("GET /watch HTTP/1.1\r\nHost: h\r\n\r\n"), IsOk());
  http::ResponseWriter& writer = c.writers.back();
  ASSERT_THAT(writer.WriteHead(200, {{"Content-Type", "text/plain"}}), IsOk());
  std::string expected_body;
  std::string received;
  auto write = [&](int i) {
    const std::string event = absl::StrCat("event ", i, "\n");
    ASSERT_THAT(writer.Write(event), IsOk());
    absl::StrAppend(&expected_body, absl::Hex(event.size()), "\r\n", event, "\r\n");
  };
  write(0);
  write(1);
  for (int i = 2; i < 200; ++i) {
    const absl::string_view front = c.codec->PeekOutput();  // take one chunk, leave at least one queued
    received.append(front.data(), front.size());
    c.codec->ConsumeOutput(front.size());
    write(i);
  }
  ASSERT_THAT(writer.Finish(), IsOk());
  received += c.Drain();
  const size_t body_start = received.find("\r\n\r\n");
  ASSERT_NE(body_start, std::string::npos);
  EXPECT_EQ(received.substr(body_start + 4), expected_body + "0\r\n\r\n");
}

TEST(Http1CodecTest, PipelineReadAheadIsBounded) {
  Options options;
  options.max_pipelined_requests = 2;
  Connection c(options);
  c.auto_answer = false;
  std::string four;
  for (int i = 0; i < 4; ++i) absl::StrAppend(&four, "GET /", i, " HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_THAT(c.Feed(four), IsOk());
  EXPECT_EQ(c.requests.size(), 2u);
  EXPECT_FALSE(c.codec->WantsRead());
  ASSERT_THAT(c.writers[0].Send(http::TextResponse(200, "0")), IsOk());
  c.Drain();  // Writing the first response frees a slot: the third request is parsed and dispatched.
  EXPECT_EQ(c.requests.size(), 3u);
  ASSERT_THAT(c.writers[1].Send(http::TextResponse(200, "1")), IsOk());
  c.Drain();
  EXPECT_EQ(c.requests.size(), 4u);
  EXPECT_EQ(c.requests[3]->path, "/3");
}

struct ByteCase {
  std::string name;
  std::string input;
  std::string expected_status_line;
  int expected_requests;
};

class ByteByByteTest : public ::testing::TestWithParam<ByteCase> {};

// Every request fed one byte at a time gives the same result as fed whole.
TEST_P(ByteByByteTest, SameResultEitherWay) {
  const ByteCase& tc = GetParam();
  Connection whole;
  whole.Feed(tc.input).IgnoreError();
  Connection bytes;
  bytes.Feed(tc.input, /*byte_by_byte=*/true).IgnoreError();
  const std::string out_whole = whole.Drain();
  const std::string out_bytes = bytes.Drain();
  EXPECT_EQ(StatusLineOf(out_whole), tc.expected_status_line);
  EXPECT_EQ(StatusLineOf(out_bytes), tc.expected_status_line);
  EXPECT_EQ(whole.requests.size(), static_cast<size_t>(tc.expected_requests));
  EXPECT_EQ(bytes.requests.size(), static_cast<size_t>(tc.expected_requests));
  // Bodies and request counts agree (the Date header may differ only if a second passed; the fake clock is fixed).
  EXPECT_EQ(out_whole, out_bytes);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ByteByByteTest,
    ::testing::Values(
        ByteCase{"get", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 200 OK", 1},
        ByteCase{"content_length_body", "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
                 "HTTP/1.1 200 OK", 1},
        ByteCase{
            "chunked_body",
            "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK", 1},
        ByteCase{"http10_no_host", "GET / HTTP/1.0\r\n\r\n", "HTTP/1.1 200 OK", 1},
        ByteCase{"missing_host", "GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request", 0},
        ByteCase{"obs_fold", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\n", "HTTP/1.1 400 Bad Request", 0},
        ByteCase{"space_before_colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", "HTTP/1.1 400 Bad Request", 0},
        ByteCase{"bad_request_line", "GET\r\n\r\n", "HTTP/1.1 400 Bad Request", 0},
        ByteCase{"http2_version", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported", 0}),
    [](const ::testing::TestParamInfo<ByteCase>& param_info) { return param_info.param.name; });

TEST(Http1CodecTest, BodiesReachTheHandler) {
  Connection c;
  ASSERT_THAT(c.Feed("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
              IsOk());
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_EQ(c.requests[0]->body, "hello world");
}

// Each smuggling shape of RFC 9112 §6.3 / §11.2 is refused before any handler runs, with a lingering close.
struct RejectCase {
  std::string name;
  std::string input;
  std::string status_line;
  std::string body_substring;
};

class RejectTest : public ::testing::TestWithParam<RejectCase> {};

TEST_P(RejectTest, AnsweredWithErrorAndLingeringClose) {
  const RejectCase& tc = GetParam();
  Connection c;
  EXPECT_THAT(c.Feed(tc.input), IsRejected());
  const std::string out = c.Drain();
  EXPECT_EQ(StatusLineOf(out), tc.status_line) << out;
  EXPECT_THAT(out, HasSubstr("Connection: close\r\n"));
  EXPECT_THAT(out, HasSubstr(tc.body_substring));
  EXPECT_TRUE(c.requests.empty()) << "handler ran for " << c.requests[0]->target;
  EXPECT_TRUE(c.codec->WantsLingeringClose());
  EXPECT_TRUE(c.codec->WantsClose());
  // Later input is ignored: nothing smuggled behind the error is served.
  EXPECT_THAT(c.Feed("GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n"), IsOk());
  EXPECT_TRUE(c.requests.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RejectTest,
    ::testing::Values(
        RejectCase{"cl_and_te",
                   "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                   "HTTP/1.1 400 Bad Request", "400 Bad Request"},
        RejectCase{"differing_duplicate_cl",
                   "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde",
                   "HTTP/1.1 400 Bad Request", "400 Bad Request"},
        RejectCase{"cl_list", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4, 5\r\n\r\nabcd",
                   "HTTP/1.1 400 Bad Request", "400 Bad Request"},
        RejectCase{"te_gzip", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n",
                   "HTTP/1.1 501 Not Implemented", "unsupported transfer encoding"},
        // llhttp itself refuses a coding after "chunked".
        RejectCase{"te_chunked_then_identity",
                   "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
                   "HTTP/1.1 400 Bad Request", "Transfer-Encoding"},
        RejectCase{"te_identity_then_chunked",
                   "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n",
                   "HTTP/1.1 501 Not Implemented", "unsupported transfer encoding"},
        RejectCase{
            "te_twice",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "HTTP/1.1 400 Bad Request", "Transfer-Encoding"},
        RejectCase{"te_xchunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n\r\n",
                   "HTTP/1.1 501 Not Implemented", "unsupported transfer encoding"},
        RejectCase{"te_space_before_colon",
                   "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
                   "HTTP/1.1 400 Bad Request", "400 Bad Request"},
        RejectCase{"obs_fold", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\n", "HTTP/1.1 400 Bad Request",
                   "obsolete line folding"},
        RejectCase{"te_obs_fold", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n",
                   "HTTP/1.1 400 Bad Request", "400 Bad Request"},
        RejectCase{"two_hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "HTTP/1.1 400 Bad Request",
                   "too many Host headers"},
        RejectCase{"missing_host", "GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request",
                   "400 Bad Request: missing required Host header"},
        RejectCase{"bare_lf", "GET / HTTP/1.1\nHost: h\n\n", "HTTP/1.1 400 Bad Request", "400 Bad Request"},
        RejectCase{"nul_in_header", std::string("GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n", 35),
                   "HTTP/1.1 400 Bad Request", "400 Bad Request"},
        RejectCase{"expect_unknown", "GET / HTTP/1.1\r\nHost: h\r\nExpect: magic\r\n\r\n",
                   "HTTP/1.1 417 Expectation Failed", "417"},
        RejectCase{"relative_target", "GET healthz HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 400 Bad Request",
                   "400 Bad Request"}),
    [](const ::testing::TestParamInfo<RejectCase>& param_info) { return param_info.param.name; });

// A malformed body is found only after its request went to the handler (on its headers): the body fails, and the
// codec's 400 answers the request in place of the handler, with a lingering close.
TEST(Http1CodecTest, MalformedChunkedBodyFailsTheBodyAndAnswers400) {
  for (const std::string bad : {"fffffffffffffffff\r\n", "5\x01\r\nhello\r\n0\r\n\r\n"}) {
    Connection c;
    c.auto_answer = false;
    ASSERT_THAT(c.Feed("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"), IsOk());
    ASSERT_EQ(c.requests.size(), 1u);
    absl::Status ended;
    http::ReadBody(c.requests[0], [&](absl::Status status) { ended = status; });
    EXPECT_THAT(c.Feed(bad), IsRejected());
    EXPECT_THAT(ended, base::StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("malformed request body")));
    const std::string out = c.Drain();
    EXPECT_EQ(StatusLineOf(out), "HTTP/1.1 400 Bad Request") << out;
    EXPECT_EQ(out.find("HTTP/1.1", 1), std::string::npos) << "one answer only: " << out;
    EXPECT_THAT(c.writers[0].Send(http::TextResponse(200, "late")),
                base::StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("response already completed")));
    EXPECT_TRUE(c.codec->WantsLingeringClose());
    EXPECT_TRUE(c.codec->WantsClose());
  }
}

// A chunked body's trailers come after the request went to its handler: dropped, and the request completes (found by
// the fuzzer: the trailer fields were added to a request already handed over).
TEST(Http1CodecTest, ChunkedTrailersAfterDispatchAreDropped) {
  Connection c;
  ASSERT_THAT(c.Feed("PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n"
                     "X-T: 1\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n"),
              IsOk());
  ASSERT_EQ(c.requests.size(), 2u);
  EXPECT_EQ(c.requests[0]->body, "hello");
  EXPECT_FALSE(c.requests[0]->headers.Has("X-T"));
  const std::string out = c.Drain();
  EXPECT_THAT(out, HasSubstr("PUT /c 5"));
  EXPECT_THAT(out, HasSubstr("GET /next 0"));
}

TEST(Http1CodecTest, RequestsWithABodyAreDispatchedOnTheirHeaders) {
  Connection c;
  c.auto_answer = false;
  ASSERT_THAT(c.Feed("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123"), IsOk());
  ASSERT_EQ(c.requests.size(), 1u);  // before the body is complete
  http::RequestBody* body = c.requests[0]->body_stream.get();
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(body->content_length(), 10u);
  EXPECT_EQ(body->buffered(), 4u);
  std::string got;
  absl::Status ended = absl::UnknownError("not yet");
  body->Read([&](absl::string_view chunk) { got.append(chunk.data(), chunk.size()); },
             [&](absl::Status status) { ended = status; });
  EXPECT_EQ(got, "0123");
  EXPECT_THAT(ended, base::StatusIs(absl::StatusCode::kUnknown));
  ASSERT_THAT(c.Feed("456789"), IsOk());
  EXPECT_EQ(got, "0123456789");
  EXPECT_THAT(ended, IsOk());
  ASSERT_THAT(c.writers[0].Send(http::TextResponse(200, "ok")), IsOk());
  EXPECT_THAT(c.Drain(), StartsWith("HTTP/1.1 200 OK"));
  EXPECT_FALSE(c.codec->WantsClose());
  // Keep-alive: the next request is served.
  ASSERT_THAT(c.Feed("GET /next HTTP/1.1\r\nHost: h\r\n\r\n"), IsOk());
  EXPECT_EQ(c.requests.size(), 2u);
}

// A request refused on its headers (a 401, say) is answered at once, without waiting for a body that may never come;
// with more of the body announced than is worth draining, the answer closes the connection (lingering).
TEST(Http1CodecTest, AnsweredBeforeALargeBodyClosesAfterTheAnswer) {
  Connection c;
  c.auto_answer = false;
  ASSERT_THAT(c.Feed("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3145728\r\n\r\nabc"), IsOk());
  ASSERT_EQ(c.requests.size(), 1u);
  ASSERT_THAT(c.writers[0].Send(http::TextResponse(401, "Unauthorized")), IsOk());
  const std::string out = c.Drain();
  EXPECT_EQ(StatusLineOf(out), "HTTP/1.1 401 Unauthorized");
  EXPECT_THAT(out, HasSubstr("Connection: close\r\n"));
  EXPECT_TRUE(c.codec->WantsClose());
  EXPECT_TRUE(c.codec->WantsLingeringClose());
  EXPECT_FALSE(c.codec->WantsRead());
  EXPECT_EQ(http::BufferedRequestBodyBytes(), 0u);  // what the body held was dropped
}

TEST(Http1CodecTest, ChunkedBodyAnsweredEarlyClosesAfterTheAnswer) {
  Connection c;
  c.auto_answer = false;
  ASSERT_THAT(c.Feed("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"), IsOk());
  ASSERT_THAT(c.writers[0].Send(http::TextResponse(403, "no")), IsOk());
  EXPECT_THAT(c.Drain(), HasSubstr("Connection: close\r\n"));
  EXPECT_TRUE(c.codec->WantsClose());
}

// With little left to come, the rest is read and dropped and the connection stays; the read-header timeout bounds
// the wait for it.
TEST(Http1CodecTest, AnsweredBeforeASmallBodyDrainsItAndKeepsTheConnection) {
  Connection c;
  c.auto_answer = false;
  ASSERT_THAT(c.Feed("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123"), IsOk());
  ASSERT_THAT(c.writers[0].Send(http::TextResponse(401, "Unauthorized")), IsOk());
  const std::string out = c.Drain();
  EXPECT_THAT(out, Not(HasSubstr("Connection: close")));
  EXPECT_FALSE(c.codec->WantsClose());
  EXPECT_EQ(c.codec->phase(), http::CodecPhase::kReadingHeaders);
  c.auto_answer = true;
  ASSERT_THAT(c.Feed("456789GET /next HTTP/1.1\r\nHost: h\r\n\r\n"), IsOk());
  ASSERT_EQ(c.requests.size(), 2u);
  EXPECT_EQ(c.requests[1]->path, "/next");
  EXPECT_THAT(c.Drain(), StartsWith("HTTP/1.1 200 OK"));
}

// The codec reads ahead of the body's reader only up to max_buffered_body_bytes, then stops reading until the
// reader takes bytes.
TEST(Http1CodecTest, UnreadBodyStopsReadingAtTheBound) {
  Options options;
  options.max_buffered_body_bytes = 8;
  Connection c(options);
  c.auto_answer = false;
  ASSERT_THAT(c.Feed("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 20\r\n\r\n0123456789abcdefghij"), IsOk());
  http::RequestBody* body = c.requests[0]->body_stream.get();
  EXPECT_EQ(body->buffered(), 8u);
  EXPECT_FALSE(c.codec->WantsRead());
  std::string got;
  bool complete = false;
  body->Read([&](absl::string_view chunk) { got.append(chunk.data(), chunk.size()); },
             [&](absl::Status status) { complete = status.ok(); });
  EXPECT_EQ(got, "01234567");
  c.Drain();  // the server pulls output next, and the codec reads on
  EXPECT_EQ(got, "0123456789abcdefghij");
  EXPECT_TRUE(complete);
  EXPECT_TRUE(c.codec->WantsRead());
}

TEST(Http1CodecTest, BodyLimitOverTheReaderEndsWithResourceExhausted) {
  Connection c;
  c.auto_answer = false;
  ASSERT_THAT(c.Feed("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"), IsOk());
  http::RequestBody* body = c.requests[0]->body_stream.get();
  int exceeded = 0;
  body->SetLimit(10, [&] { ++exceeded; });
  absl::Status read;
  http::ReadBody(c.requests[0], [&](absl::Status status) { read = status; });
  ASSERT_THAT(c.Feed("8\r\n12345678\r\n8\r\n12345678\r\n"), IsOk());
  EXPECT_EQ(exceeded, 1);
  EXPECT_THAT(read, base::StatusIs(absl::StatusCode::kResourceExhausted,
                                   HasSubstr("request body exceeds the limit of 10 bytes")));
  EXPECT_TRUE(c.requests[0]->body.empty());
}

TEST(Http1CodecTest, HeaderBlockOverLimitIs431) {
  Options options;
  options.max_header_bytes = 2048;
  Connection c(options);
  const std::string big(3000, 'a');
  EXPECT_THAT(c.Feed(absl::StrCat("GET / HTTP/1.1\r\nHost: h\r\nX-Big: ", big, "\r\n\r\n")), IsRejected());
  EXPECT_EQ(StatusLineOf(c.Drain()), "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_TRUE(c.codec->WantsLingeringClose());
}

TEST(Http1CodecTest, DefaultHeaderLimitIsOneMiB) {
  Connection c;
  const std::string fits((1 << 20) - 100, 'a');
  EXPECT_THAT(c.Feed(absl::StrCat("GET / HTTP/1.1\r\nHost: h\r\nX: ", fits, "\r\n\r\n")), IsOk());
  EXPECT_EQ(c.requests.size(), 1u);
  Connection d;
  const std::string too_big((1 << 20) + 1, 'a');
  EXPECT_THAT(d.Feed(absl::StrCat("GET / HTTP/1.1\r\nHost: h\r\nX: ", too_big, "\r\n\r\n")), IsRejected());
  EXPECT_EQ(StatusLineOf(d.Drain()), "HTTP/1.1 431 Request Header Fields Too Large");
}

TEST(Http1CodecTest, ExpectContinueOnlyWhenTheBodyIsRefusedOnItsHeaders) {
  Connection c;
  c.auto_answer = false;
  ASSERT_THAT(c.Feed("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"), IsOk());
  EXPECT_EQ(c.Drain(), "");  // no 100 Continue until the handler reads
  ASSERT_THAT(c.writers[0].Send(http::TextResponse(401, "Unauthorized")), IsOk());
  const std::string out = c.Drain();
  EXPECT_EQ(StatusLineOf(out), "HTTP/1.1 401 Unauthorized");
  EXPECT_THAT(out, Not(HasSubstr("100 Continue")));
  EXPECT_THAT(out, HasSubstr("Connection: close\r\n"));  // the client may or may not send the body now
}

TEST(Http1CodecTest, ExpectContinueWhenTheHandlerReads) {
  Connection c;
  ASSERT_THAT(c.Feed("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"), IsOk());
  EXPECT_EQ(c.Drain(), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_THAT(c.Feed("abc"), IsOk());
  EXPECT_THAT(c.Drain(), StartsWith("HTTP/1.1 200 OK"));
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_EQ(c.requests[0]->body, "abc");
}

TEST(Http1CodecTest, ConnectionCloseFromClientAndHandler) {
  Connection c;
  ASSERT_THAT(c.Feed("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"), IsOk());
  EXPECT_THAT(c.Drain(), HasSubstr("Connection: close\r\n"));
  EXPECT_TRUE(c.codec->WantsClose());
  EXPECT_FALSE(c.codec->WantsLingeringClose());

  Connection d;
  d.auto_answer = false;
  ASSERT_THAT(d.Feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), IsOk());
  http::Response response = http::TextResponse(429, "busy\n");
  response.headers.Add("Connection", "close");
  ASSERT_THAT(d.writers[0].Send(std::move(response)), IsOk());
  const std::string out = d.Drain();
  EXPECT_EQ(absl::StrCat(out.find("Connection: close\r\n") != std::string::npos), "1");
  EXPECT_EQ(out.find("Connection: close"), out.rfind("Connection: close"));  // exactly once
  EXPECT_TRUE(d.codec->WantsClose());
}

TEST(Http1CodecTest, Http10ClosesUnlessKeepAlive) {
  Connection c;
  ASSERT_THAT(c.Feed("GET / HTTP/1.0\r\n\r\n"), IsOk());
  c.Drain();
  EXPECT_TRUE(c.codec->WantsClose());
  Connection d;
  ASSERT_THAT(d.Feed("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), IsOk());
  d.Drain();
  EXPECT_FALSE(d.codec->WantsClose());
}

TEST(Http1CodecTest, HeadHasLengthButNoBody) {
  Connection c;
  ASSERT_THAT(c.Feed("HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n"), IsOk());
  const std::string out = c.Drain();
  EXPECT_THAT(out, HasSubstr("Content-Length: 9\r\n"));
  EXPECT_TRUE(absl::EndsWith(out, "\r\n\r\n"));
}

TEST(Http1CodecTest, StreamedResponseIsChunkedWithTrailers) {
  Connection c;
  c.auto_answer = false;
  ASSERT_THAT(c.Feed("GET /ticks HTTP/1.1\r\nHost: h\r\n\r\n"), IsOk());
  http::ResponseWriter& w = c.writers[0];
  ASSERT_THAT(w.WriteHead(200, http::HeaderMap{{"Content-Type", "application/json"}}), IsOk());
  std::string out = c.Drain();
  EXPECT_THAT(out, HasSubstr("Transfer-Encoding: chunked\r\n"));
  ASSERT_THAT(w.Write("{\"tick\":1}\n"), IsOk());
  EXPECT_EQ(c.Drain(), "b\r\n{\"tick\":1}\n\r\n");
  ASSERT_THAT(w.Finish(http::HeaderMap{{"X-Count", "1"}}), IsOk());
  EXPECT_EQ(c.Drain(), "0\r\nX-Count: 1\r\n\r\n");
  EXPECT_FALSE(c.codec->WantsClose());
}

TEST(Http1CodecTest, StreamingOverHttp10EndsAtClose) {
  Connection c;
  c.auto_answer = false;
  ASSERT_THAT(c.Feed("GET /ticks HTTP/1.0\r\n\r\n"), IsOk());
  ASSERT_THAT(c.writers[0].WriteHead(200, {}), IsOk());
  ASSERT_THAT(c.writers[0].Write("data"), IsOk());
  ASSERT_THAT(c.writers[0].Finish(), IsOk());
  const std::string out = c.Drain();
  EXPECT_THAT(out, Not(HasSubstr("chunked")));
  EXPECT_TRUE(absl::EndsWith(out, "\r\n\r\ndata"));
  EXPECT_TRUE(c.codec->WantsClose());
}

TEST(Http1CodecTest, DroppedWriterAnswers500AndAbortClosesWithoutLastChunk) {
  Connection c;
  c.auto_answer = false;
  ASSERT_THAT(c.Feed("GET /a HTTP/1.1\r\nHost: h\r\n\r\n"), IsOk());
  c.writers.clear();
  EXPECT_EQ(StatusLineOf(c.Drain()), "HTTP/1.1 500 Internal Server Error");

  Connection d;
  d.auto_answer = false;
  ASSERT_THAT(d.Feed("GET /a HTTP/1.1\r\nHost: h\r\n\r\n"), IsOk());
  ASSERT_THAT(d.writers[0].WriteHead(200, {}), IsOk());
  ASSERT_THAT(d.writers[0].Write("partial"), IsOk());
  d.writers.clear();
  const std::string out = d.Drain();
  EXPECT_THAT(out, HasSubstr("7\r\npartial\r\n"));
  EXPECT_THAT(out, Not(HasSubstr("0\r\n\r\n")));
  EXPECT_TRUE(d.codec->WantsClose());
}

TEST(Http1CodecTest, PeerCloseCompletesPendingExchanges) {
  Connection c;
  c.auto_answer = false;
  ASSERT_THAT(c.Feed("GET /a HTTP/1.1\r\nHost: h\r\n\r\n"), IsOk());
  http::CompletionReason reason = http::CompletionReason::kAnswered;
  c.writers[0].OnComplete([&](const http::Completion& done) { reason = done.reason; });
  c.codec->OnPeerClosed();
  EXPECT_EQ(reason, http::CompletionReason::kClientGone);
  EXPECT_THAT(c.writers[0].Send(http::TextResponse(200, "late")),
              base::StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("response already completed")));
  EXPECT_TRUE(c.codec->WantsClose());
}

TEST(Http1CodecTest, PhasesFollowTheRequest) {
  Connection c;
  c.auto_answer = false;
  EXPECT_EQ(c.codec->phase(), http::CodecPhase::kIdle);
  ASSERT_THAT(c.Feed("GET / HTTP/1.1\r\nHo"), IsOk());
  EXPECT_EQ(c.codec->phase(), http::CodecPhase::kReadingHeaders);
  ASSERT_THAT(c.Feed("st: h\r\n\r\n"), IsOk());
  EXPECT_EQ(c.codec->phase(), http::CodecPhase::kBusy);
  EXPECT_EQ(c.codec->ActiveRequests(), 1u);
  ASSERT_THAT(c.writers[0].Send(http::TextResponse(200, "ok")), IsOk());
  c.Drain();
  EXPECT_EQ(c.codec->phase(), http::CodecPhase::kIdle);
  EXPECT_EQ(c.codec->ActiveRequests(), 0u);
}

TEST(Http1CodecTest, ShutdownClosesIdleAndMarksBusyResponses) {
  Connection idle;
  idle.codec->BeginShutdown();
  EXPECT_TRUE(idle.codec->WantsClose());

  Connection busy;
  busy.auto_answer = false;
  ASSERT_THAT(busy.Feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), IsOk());
  busy.codec->BeginShutdown();
  EXPECT_FALSE(busy.codec->WantsClose());
  ASSERT_THAT(busy.writers[0].Send(http::TextResponse(200, "ok")), IsOk());
  EXPECT_THAT(busy.Drain(), HasSubstr("Connection: close\r\n"));
  EXPECT_TRUE(busy.codec->WantsClose());
}

TEST(Http1CodecTest, DrainKeepsIdleOpenAndClosesAfterTheNextResponse) {
  Connection c;
  c.codec->BeginDrain();
  EXPECT_FALSE(c.codec->WantsClose());  // idle: kept open, unlike BeginShutdown
  ASSERT_THAT(c.Feed("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n"), IsOk());
  const std::string out = c.Drain();
  ASSERT_EQ(c.requests.size(), 1u);  // the first request was served whole; the pipelined one is not read
  EXPECT_EQ(c.requests[0]->path, "/a");
  EXPECT_THAT(out, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(out, HasSubstr("Connection: close\r\n"));
  EXPECT_TRUE(c.codec->WantsClose());
}

TEST(Http1CodecTest, AbsoluteFormAndUpgradeH2cIgnored) {
  Connection c;
  ASSERT_THAT(c.Feed("GET https://api.example:6443/api/v1?x=1 HTTP/1.1\r\nHost: other\r\n\r\n"
                     "GET /b HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                     "HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n"),
              IsOk());
  const std::string out = c.Drain();
  ASSERT_EQ(c.requests.size(), 2u);
  EXPECT_EQ(c.requests[0]->path, "/api/v1");
  EXPECT_EQ(c.requests[0]->raw_query, "x=1");
  EXPECT_EQ(c.requests[0]->authority, "api.example:6443");
  EXPECT_EQ(c.requests[1]->path, "/b");
  EXPECT_THAT(out, Not(HasSubstr("101")));
}

TEST(Http1CodecTest, SharedResponseBodyIsWrittenFromTheSharedBuffer) {
  Connection c;
  c.auto_answer = false;
  ASSERT_THAT(c.Feed("GET /big HTTP/1.1\r\nHost: h\r\n\r\n"), IsOk());
  http::ResponsePtr big = http::Shared(http::TextResponse(200, std::string(100000, 'z')));
  ASSERT_THAT(c.writers[0].Send(big), IsOk());
  absl::string_view head = c.codec->PeekOutput();
  c.codec->ConsumeOutput(head.size());
  absl::string_view body = c.codec->PeekOutput();
  EXPECT_EQ(body.data(), big->body.data());  // zero-copy
  EXPECT_EQ(body.size(), big->body.size());
  c.codec->ConsumeOutput(body.size());
  EXPECT_TRUE(c.codec->PeekOutput().empty());
}

}  // namespace
}  // namespace apiserve::http1
