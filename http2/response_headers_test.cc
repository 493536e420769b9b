#include "http2/response_headers.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::http2 {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

std::vector<std::pair<std::string, std::string>> Fields(const ResponseHeaderBlock& block) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < block.size(); ++i) {
    const nghttp2_nv& nv = block.data()[i];
    out.emplace_back(std::string(reinterpret_cast<const char*>(nv.name), nv.namelen),
                     std::string(reinterpret_cast<const char*>(nv.value), nv.valuelen));
  }
  return out;
}

TEST(ResponseHeaderBlockTest, LowercasesStripsAndAdds) {
  ResponseHeaderBlock block;
  http::HeaderMap headers{{"Content-Type", "application/json"},
                          {"Connection", "keep-alive, Close"},
                          {"Keep-Alive", "timeout=5"},
                          {"Transfer-Encoding", "chunked"},
                          {"Upgrade", "h2c"},
                          {"Proxy-Connection", "x"},
                          {"TE", "trailers"},
                          {"X-Bad", "a\r\nb"},
                          {":status", "200"},
                          {"Content-Length", "999"},
                          {"Audit-ID", "abc"}};
  ResponseHeaderBlock::Extras extras;
  extras.now = absl::FromUnixSeconds(0);
  extras.content_length = 2;
  const bool close = block.Build(201, headers, extras);
  EXPECT_TRUE(close);
  EXPECT_THAT(Fields(block),
              ElementsAre(Pair(":status", "201"), Pair("content-type", "application/json"), Pair("audit-id", "abc"),
                          Pair("content-length", "2"), Pair("date", "Thu, 01 Jan 1970 00:00:00 GMT")));
}

TEST(ResponseHeaderBlockTest, ExtraFieldsFollowAndPerResponseValuesAreNotIndexed) {
  ResponseHeaderBlock block;
  http::HeaderMap headers{{"Content-Type", "application/json"}};
  const http::HeaderField more[] = {
      {"Audit-Id", "6c3f"}, {"Cache-Control", "no-cache, private"}, {"Connection", "close"}};
  ResponseHeaderBlock::Extras extras;
  extras.now = absl::FromUnixSeconds(0);
  extras.more_headers = more;
  EXPECT_TRUE(block.Build(200, headers, extras));  // the connection's first Audit-Id is indexed (see below)
  EXPECT_TRUE(block.Build(200, headers, extras));  // Connection: close among the extra fields still closes
  EXPECT_THAT(Fields(block),
              ElementsAre(Pair(":status", "200"), Pair("content-type", "application/json"), Pair("audit-id", "6c3f"),
                          Pair("cache-control", "no-cache, private"), Pair("date", "Thu, 01 Jan 1970 00:00:00 GMT")));
  for (size_t i = 0; i < block.size(); ++i) {
    const nghttp2_nv& nv = block.data()[i];
    const bool audit_id = std::string(reinterpret_cast<const char*>(nv.name), nv.namelen) == "audit-id";
    EXPECT_EQ(nv.flags & NGHTTP2_NV_FLAG_NO_INDEX, audit_id ? NGHTTP2_NV_FLAG_NO_INDEX : 0) << i;
    // Every name here is a common one, handed to nghttp2 from static storage: it need not copy it.
    EXPECT_NE(nv.flags & NGHTTP2_NV_FLAG_NO_COPY_NAME, 0) << i;
  }
}

// Audit-Id, different in every response, is not indexed — but one in 1024 is, the connection's first included, so
// that the other literals can name it by index.
TEST(ResponseHeaderBlockTest, AuditIdIsIndexedOnceInEvery1024Responses) {
  ResponseHeaderBlock block;
  http::HeaderMap headers;
  ResponseHeaderBlock::Extras extras;
  extras.now = absl::FromUnixSeconds(0);
  std::vector<int> indexed;
  for (int response = 0; response < 3000; ++response) {
    const http::HeaderField more[] = {{"Audit-Id", "6c3f"}};
    extras.more_headers = more;
    block.Build(200, headers, extras);
    for (size_t i = 0; i < block.size(); ++i) {
      const nghttp2_nv& nv = block.data()[i];
      if (std::string(reinterpret_cast<const char*>(nv.name), nv.namelen) != "audit-id") continue;
      if ((nv.flags & NGHTTP2_NV_FLAG_NO_INDEX) == 0) indexed.push_back(response);
    }
  }
  EXPECT_THAT(indexed, ElementsAre(0, 1024, 2048));
}

// (The block references the handler's values where they are: each test keeps its HeaderMap alive while it reads.)
// Names nghttp2 may reference without copying are only ever string literals; any other name is lowercased into the
// block's storage and copied by nghttp2 (it does not outlive the block's next Build).
TEST(ResponseHeaderBlockTest, OnlyStaticNamesAreNotCopied) {
  ResponseHeaderBlock block;
  ResponseHeaderBlock::Extras extras;
  extras.now = absl::FromUnixSeconds(0);
  extras.content_length = 0;
  const http::HeaderMap headers_block{{"X-Custom", "1"}, {"Cache-Control", "no-cache"}, {"Warning", "299 - x"}};
  block.Build(200, headers_block, extras);
  ASSERT_THAT(Fields(block), ElementsAre(Pair(":status", "200"), Pair("x-custom", "1"),
                                         Pair("cache-control", "no-cache"), Pair("warning", "299 - x"),
                                         Pair("content-length", "0"), Pair("date", "Thu, 01 Jan 1970 00:00:00 GMT")));
  const std::string first_name(reinterpret_cast<const char*>(block.data()[1].name), block.data()[1].namelen);
  for (size_t i = 0; i < block.size(); ++i) {
    EXPECT_EQ((block.data()[i].flags & NGHTTP2_NV_FLAG_NO_COPY_NAME) != 0, i != 1) << i;
  }
  // A second block reusing the storage changes what the custom name's bytes hold; the static names do not move.
  const uint8_t* cache_control = block.data()[2].name;
  const http::HeaderMap other_headers{{"X-Other", "2"}, {"Cache-Control", "no-store"}};
  block.Build(200, other_headers, extras);
  EXPECT_EQ(block.data()[2].name, cache_control);
  EXPECT_EQ(first_name, "x-custom");
}

// Names and values are checked a word at a time on the fast path: every forbidden byte must be caught at every
// position of a long value (in a full word or the tail), and bytes next to the forbidden ones (0x0e, 0x7f, 0x80+)
// must pass; a name with a forbidden byte anywhere is dropped, and a rejected field leaves nothing behind.
TEST(ResponseHeaderBlockTest, RejectsForbiddenBytesAtEveryPosition) {
  for (const char bad : {'\0', '\r', '\n'}) {
    for (size_t length : {1, 7, 8, 9, 23, 40}) {
      for (size_t at = 0; at < length; ++at) {
        std::string value(length, 'v');
        value[at] = bad;
        ResponseHeaderBlock block;
        ResponseHeaderBlock::Extras extras;
        extras.now = absl::FromUnixSeconds(0);
        const http::HeaderMap headers_block{{"X-Value", value}, {"X-Next", "n"}};
        block.Build(200, headers_block, extras);
        EXPECT_THAT(Fields(block), ElementsAre(Pair(":status", "200"), Pair("x-next", "n"),
                                               Pair("date", "Thu, 01 Jan 1970 00:00:00 GMT")))
            << static_cast<int>(bad) << " at " << at << " of " << length;
      }
    }
  }
  const std::string fine = std::string("\x0e\x1f\t \x7f\x80\xff", 7) + std::string(20, 'a') + "\x0e";
  ResponseHeaderBlock block;
  ResponseHeaderBlock::Extras extras;
  extras.now = absl::FromUnixSeconds(0);
  const http::HeaderMap headers_block{{"X-Fine", fine}};
  block.Build(200, headers_block, extras);
  EXPECT_THAT(Fields(block),
              ElementsAre(Pair(":status", "200"), Pair("x-fine", fine), Pair("date", "Thu, 01 Jan 1970 00:00:00 GMT")));
  for (const char bad : {' ', ':', '\x7f', '\x80', '\x01'}) {
    std::string name = "X-Name-Long";
    name[5] = bad;
    ResponseHeaderBlock named;
    const http::HeaderMap headers_named{{name, "v"}, {"", "empty"}, {"X-OK", "v"}};
    named.Build(204, headers_named, extras);
    EXPECT_THAT(Fields(named),
                ElementsAre(Pair(":status", "204"), Pair("x-ok", "v"), Pair("date", "Thu, 01 Jan 1970 00:00:00 GMT")))
        << static_cast<int>(bad);
  }
}

// Names are validated and lowercased eight bytes at a time: every byte value at every position of names of every
// length up to three words is judged as the per-byte rule judges it.
TEST(ResponseHeaderBlockTest, NamesJudgedAndLoweredLikeByteByByte) {
  ResponseHeaderBlock::Extras extras;
  extras.now = absl::FromUnixSeconds(0);
  for (size_t length = 1; length <= 24; ++length) {
    for (size_t at = 0; at < length; ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string name(length, 'Q');
        name[at] = static_cast<char>(byte);
        const bool valid = byte > 0x20 && byte < 0x7f && byte != ':';
        std::string lowered(length, 'q');
        lowered[at] = static_cast<char>(byte >= 'A' && byte <= 'Z' ? byte + 32 : byte);
        ResponseHeaderBlock block;
        const http::HeaderMap headers_block{{name, "v"}};
        block.Build(200, headers_block, extras);
        ASSERT_EQ(block.size(), valid ? 3u : 2u) << "byte " << byte << " at " << at << " of " << length;
        if (valid) {
          EXPECT_EQ(std::string(reinterpret_cast<const char*>(block.data()[1].name), block.data()[1].namelen), lowered)
              << "byte " << byte << " at " << at << " of " << length;
        }
      }
    }
  }
}

// Names up to 64 bytes are lowered on the stack and copied only when they have no static copy; longer ones are
// lowered in the block's storage directly. Both kinds, valid or not, mixed with common names, come out right.
TEST(ResponseHeaderBlockTest, NamesLongerThanTheStackBufferAreLoweredInStorage) {
  ResponseHeaderBlock::Extras extras;
  extras.now = absl::FromUnixSeconds(0);
  const std::string at_limit = "X-" + std::string(62, 'L');
  const std::string over_limit = "X-" + std::string(63, 'M');
  const std::string long_bad = "X-" + std::string(70, 'B') + " ";
  const std::string very_long = "X-" + std::string(300, 'V');
  const http::HeaderMap headers{
      {at_limit, "1"},  {"Content-Type", "text/plain"}, {over_limit, "2"},      {long_bad, "3"}, {"X-Short", "4"},
      {very_long, "5"}, {over_limit, "a\nb"},           {"Connection", "close"}};
  ResponseHeaderBlock block;
  EXPECT_TRUE(block.Build(200, headers, extras));
  EXPECT_THAT(Fields(block),
              ElementsAre(Pair(":status", "200"), Pair(absl::AsciiStrToLower(at_limit), "1"),
                          Pair("content-type", "text/plain"), Pair(absl::AsciiStrToLower(over_limit), "2"),
                          Pair("x-short", "4"), Pair(absl::AsciiStrToLower(very_long), "5"),
                          Pair("date", "Thu, 01 Jan 1970 00:00:00 GMT")));
}

TEST(ResponseHeaderBlockTest, SniffsAndKeepsHandlerDate) {
  ResponseHeaderBlock block;
  ResponseHeaderBlock::Extras extras;
  extras.sniff_body_prefix = "ok";
  const http::HeaderMap headers{{"Date", "yesterday"}};  // values are referenced, not copied: keep them alive
  EXPECT_FALSE(block.Build(200, headers, extras));
  EXPECT_THAT(Fields(block), ElementsAre(Pair(":status", "200"), Pair("date", "yesterday"),
                                         Pair("content-type", "text/plain; charset=utf-8")));
  EXPECT_EQ(SniffContentType(std::string("\x01\x02", 2)), "application/octet-stream");
}

TEST(ResponseHeaderBlockTest, Trailers) {
  ResponseHeaderBlock block;
  const http::HeaderMap trailers{{"Grpc-Status", "0"}, {"Connection", "close"}};
  block.BuildTrailers(trailers);
  EXPECT_THAT(Fields(block), ElementsAre(Pair("grpc-status", "0")));
}

}  // namespace
}  // namespace apiserve::http2
