#include "http/json_writer.h"

#include "gtest/gtest.h"

namespace apiserve::http {
namespace {

std::string Quote(absl::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

TEST(JsonStringTest, EscapesLikeGo) {
  EXPECT_EQ(Quote("plain"), "\"plain\"");
  EXPECT_EQ(Quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Quote("\n\r\t"), "\"\\n\\r\\t\"");
  EXPECT_EQ(Quote(std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(Quote(std::string("\0", 1)), "\"\\u0000\"");
  EXPECT_EQ(Quote("<a&b>"), "\"\\u003ca\\u0026b\\u003e\"");
}

TEST(JsonStringTest, NonAsciiPassesAndInvalidUtf8IsReplaced) {
  EXPECT_EQ(Quote("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80\"");
  EXPECT_EQ(Quote("\xe2\x80\xa8"), "\"\\u2028\"");
  EXPECT_EQ(Quote("\xff"), "\"\\ufffd\"");
  EXPECT_EQ(Quote("\xc3"), "\"\\ufffd\"");                        // truncated sequence
  EXPECT_EQ(Quote("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // surrogate: each byte replaced
  EXPECT_EQ(Quote("\xc0\xaf"), "\"\\ufffd\\ufffd\"");             // overlong
}

TEST(JsonWriterTest, CompactNesting) {
  JsonWriter json;
  json.BeginObject();
  json.Key("a");
  json.Int(-1);
  json.Key("b");
  json.BeginArray();
  json.Bool(true);
  json.Null();
  json.String("x");
  json.EndArray();
  json.Key("c");
  json.BeginObject();
  json.EndObject();
  json.EndObject();
  EXPECT_EQ(json.text(), R"({"a":-1,"b":[true,null,"x"],"c":{}})");
}

TEST(JsonWriterTest, IndentedLikeMarshalIndent) {
  JsonWriter json("  ");
  json.BeginObject();
  json.Key("paths");
  json.BeginArray();
  json.String("/api");
  json.String("/healthz");
  json.EndArray();
  json.Key("empty");
  json.BeginArray();
  json.EndArray();
  json.EndObject();
  EXPECT_EQ(json.text(), "{\n  \"paths\": [\n    \"/api\",\n    \"/healthz\"\n  ],\n  \"empty\": []\n}");
}

}  // namespace
}  // namespace apiserve::http
