#include "http1/response_encoder.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::http1 {
namespace {

TEST(ResponseHeadTest, SizedWithDateAndClose) {
  HeadOptions options;
  options.status = 404;
  options.content_length = 19;
  options.close = true;
  options.now = absl::FromUnixSeconds(0);
  std::string out;
  AppendResponseHead(http::HeaderMap{{"Content-Type", "text/plain"}, {"Connection", "keep-alive"}}, options, &out);
  EXPECT_EQ(out,
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
            "Content-Length: 19\r\nConnection: close\r\n\r\n");
}

TEST(ResponseHeadTest, ChunkedDropsHandlerContentLengthAndSniffs) {
  HeadOptions options;
  options.framing = BodyFraming::kChunked;
  options.sniff_content_type = true;
  options.body_prefix = "{\"a\":1}";
  options.now = absl::FromUnixSeconds(0);
  std::string out;
  AppendResponseHead(http::HeaderMap{{"Content-Length", "5"}}, options, &out);
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
            "Transfer-Encoding: chunked\r\n\r\n");
}

TEST(ChunkTest, Framing) {
  std::string out;
  AppendChunkHeader(255, &out);
  EXPECT_EQ(out, "ff\r\n");
  out.clear();
  AppendLastChunk(http::HeaderMap{{"X-T", "1"}}, &out);
  EXPECT_EQ(out, "0\r\nX-T: 1\r\n\r\n");
}

}  // namespace
}  // namespace apiserve::http1
