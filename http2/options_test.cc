#include "http2/options.h"

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::http2 {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(OptionsTest, DefaultsAreKubes) {
  const Options options;
  EXPECT_EQ(options.max_concurrent_streams, 100u);
  EXPECT_EQ(options.max_read_frame_size, 256u * 1024);
  EXPECT_EQ(options.max_upload_buffer_per_stream, 256u * 1024);
  EXPECT_EQ(options.max_upload_buffer_per_connection(), uint64_t{256} * 1024 * 100);  // 25 MiB
  EXPECT_EQ(options.idle_timeout, absl::Seconds(90));
  EXPECT_EQ(options.max_header_list_size, 1u << 20);
  EXPECT_FALSE(options.disable_http2);
  EXPECT_EQ(options.response_high_water_mark, size_t{1} << 20);
  EXPECT_EQ(kResourceBody99Percentile, 256u * 1024);
  EXPECT_THAT(options.Validate(), IsOk());
}

TEST(OptionsTest, FloodDefaults) {
  const FloodLimits flood;
  EXPECT_EQ(flood.reset_burst, 1000u);
  EXPECT_EQ(flood.reset_rate_per_second, 33u);
  EXPECT_EQ(flood.max_outbound_ack, 1000u);
  EXPECT_EQ(flood.max_settings_entries, 32u);
  EXPECT_EQ(flood.max_priority_frames_per_stream, 100u);
  EXPECT_EQ(flood.max_consecutive_empty_data_frames, 8u);
  EXPECT_EQ(flood.hpack_bomb_factor, 4u);
  EXPECT_EQ(flood.header_table_size, 4096u);
}

TEST(OptionsTest, ConnectionWindowFollowsTheStreamLimit) {
  Options options;
  options.max_concurrent_streams = 250;                                               // the seed's value
  EXPECT_EQ(options.max_upload_buffer_per_connection(), uint64_t{256} * 1024 * 250);  // 62.5 MiB
  options.max_upload_buffer_per_stream = 1 << 16;
  EXPECT_EQ(options.max_upload_buffer_per_connection(), uint64_t{1 << 16} * 250);
}

TEST(OptionsTest, ContinuationsCoverTheHeaderList) {
  Options options;
  EXPECT_EQ(options.max_continuations(), 65u);  // 1 MiB in 16 KiB frames, plus one
  options.max_header_list_size = 16384;
  EXPECT_EQ(options.max_continuations(), 2u);
}

TEST(OptionsTest, ValidateListsEveryProblem) {
  Options options;
  options.max_concurrent_streams = 0;
  options.max_read_frame_size = 100;
  options.idle_timeout = absl::ZeroDuration();
  options.max_header_list_size = 10;
  EXPECT_THAT(options.Validate(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("max_concurrent_streams must be at least 1"),
                             HasSubstr("max_read_frame_size 100 must be between 16384 and 16777215"),
                             HasSubstr("idle_timeout 0 must be positive"),
                             HasSubstr("max_header_list_size 10 must be at least 1024"))));
}

TEST(OptionsTest, ConnectionWindowMustFitRfcLimit) {
  Options options;
  options.max_concurrent_streams = 10000;  // 256 KiB x 10000 > 2^31-1
  EXPECT_THAT(options.Validate(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("max_upload_buffer_per_connection (max_upload_buffer_per_stream 262144 x "
                                 "max_concurrent_streams 10000 = 2621440000) must not exceed 2147483647")));
  options.max_concurrent_streams = 1000;  // kube's RecommendedOptions
  EXPECT_THAT(options.Validate(), IsOk());
}

}  // namespace
}  // namespace apiserve::http2
