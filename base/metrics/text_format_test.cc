#include "base/metrics/text_format.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace apiserve::base::metrics {
namespace {

TEST(TextFormatTest, WritesHelpTypeAndSamples) {
  FamilySnapshot counter{"a_total", "Counts a.", MetricType::kCounter, {}};
  counter.samples.push_back({"", {{"code", "200"}, {"verb", "GET"}}, 3});
  counter.samples.push_back({"", {}, 1});
  EXPECT_EQ(WriteTextFormat({counter}),
            "# HELP a_total Counts a.\n"
            "# TYPE a_total counter\n"
            "a_total{code=\"200\",verb=\"GET\"} 3\n"
            "a_total 1\n");
}

TEST(TextFormatTest, EscapesHelpAndLabelValues) {
  FamilySnapshot gauge{"g", "back\\slash\nnew \"quoted\"", MetricType::kGauge, {}};
  gauge.samples.push_back({"", {{"path", "a\"b\\c\nd"}}, 0.5});
  EXPECT_EQ(WriteTextFormat({gauge}),
            "# HELP g back\\\\slash\\nnew \"quoted\"\n"
            "# TYPE g gauge\n"
            "g{path=\"a\\\"b\\\\c\\nd\"} 0.5\n");
}

TEST(TextFormatTest, SkipsEmptyFamilies) {
  EXPECT_EQ(WriteTextFormat({FamilySnapshot{"empty", "nothing", MetricType::kGauge, {}}}), "");
}

TEST(TextFormatTest, FormatsValuesLikeGo) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(42), "42");
  EXPECT_EQ(FormatValue(-7), "-7");
  EXPECT_EQ(FormatValue(0.005), "0.005");
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(1e10), "10000000000");
  EXPECT_EQ(FormatValue(1.25), "1.25");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
}

}  // namespace
}  // namespace apiserve::base::metrics
