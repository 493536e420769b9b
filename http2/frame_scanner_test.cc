#include "http2/frame_scanner.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "http2/test_client.h"
#include "nghttp2/nghttp2.h"

namespace apiserve::http2 {
namespace {

std::vector<FrameHeader> ScanInPieces(const std::string& bytes, size_t piece) {
  FrameScanner scanner;
  std::vector<FrameHeader> headers;
  for (size_t i = 0; i < bytes.size(); i += piece) {
    scanner.Scan(absl::string_view(bytes).substr(i, piece),
                 [&](const FrameHeader& h, size_t) { headers.push_back(h); });
  }
  return headers;
}

TEST(FrameScannerTest, ReportsEveryHeaderWhateverTheReads) {
  const std::string bytes = ClientPreface() + SettingsAck() + Data(3, std::string(20000, 'x'), false) +
                            RstStream(0x7ffffffd, NGHTTP2_CANCEL) + Priority(5, 3, 16);
  for (size_t piece : {size_t{1}, size_t{7}, size_t{9}, size_t{4096}, bytes.size()}) {
    const std::vector<FrameHeader> headers = ScanInPieces(bytes, piece);
    ASSERT_EQ(headers.size(), 5u) << piece;
    EXPECT_EQ(headers[0].type, NGHTTP2_SETTINGS) << piece;
    EXPECT_EQ(headers[1].flags, NGHTTP2_FLAG_ACK) << piece;
    EXPECT_EQ(headers[2].type, NGHTTP2_DATA) << piece;
    EXPECT_EQ(headers[2].length, 20000u) << piece;
    EXPECT_EQ(headers[2].stream_id, 3) << piece;
    EXPECT_EQ(headers[3].type, NGHTTP2_RST_STREAM) << piece;
    EXPECT_EQ(headers[3].stream_id, 0x7ffffffd) << piece;
    EXPECT_EQ(headers[4].type, NGHTTP2_PRIORITY) << piece;
    EXPECT_EQ(headers[4].length, 5u) << piece;
  }
}

TEST(FrameScannerTest, ReportsWhereEachHeaderEnds) {
  const std::string bytes = ClientPreface() + Ping(1) + Data(1, "abc", true);
  FrameScanner scanner;
  std::vector<size_t> ends;
  scanner.Scan(bytes, [&](const FrameHeader&, size_t end) { ends.push_back(end); });
  const size_t settings_end = FrameScanner::kPrefaceBytes + FrameScanner::kHeaderBytes;
  EXPECT_EQ(ends, (std::vector<size_t>{settings_end, settings_end + 9, settings_end + 9 + 8 + 9}));
}

TEST(FrameScannerTest, ReservedBitOfTheStreamIdIsIgnored) {
  std::string frame = Data(1, "", true);
  frame[5] = static_cast<char>(0x80);
  const std::vector<FrameHeader> headers = ScanInPieces(ClientPreface() + frame, 1000);
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[1].stream_id, 1);
}

}  // namespace
}  // namespace apiserve::http2
