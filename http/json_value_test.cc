#include "http/json_value.h"

#include <string>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::http {
namespace {

using ::apiserve::base::StatusIs;

std::string RoundTrip(absl::string_view text) {
  absl::StatusOr<JsonValue> value = ParseJson(text);
  if (!value.ok()) return "error: " + std::string(value.status().message());
  return value->Serialize();
}

std::string ErrorOf(absl::string_view text, const JsonParseOptions& options = {}) {
  absl::StatusOr<JsonValue> value = ParseJson(text, options);
  EXPECT_THAT(value, StatusIs(absl::StatusCode::kInvalidArgument)) << text;
  return value.ok() ? "" : std::string(value.status().message());
}

TEST(JsonValueTest, ParsesEveryTypeAndWritesItBackCompact) {
  EXPECT_EQ(RoundTrip(R"( {"a": [1, -2.5e+3, true, false, null], "b": {"c": "d"}, "e": []} )"),
            R"({"a":[1,-2.5e+3,true,false,null],"b":{"c":"d"},"e":[]})");
  EXPECT_EQ(RoundTrip("\"x\""), "\"x\"");
  EXPECT_EQ(RoundTrip("0"), "0");
  EXPECT_EQ(RoundTrip(" null\n"), "null");
}

TEST(JsonValueTest, KeepsMemberOrderAndTheLastValueOfADuplicateKey) {
  EXPECT_EQ(RoundTrip(R"({"z":1,"a":2,"z":3})"), R"({"z":3,"a":2})");
}

TEST(JsonValueTest, DecodesEscapesSurrogatePairsAndReplacesInvalidUtf8) {
  absl::StatusOr<JsonValue> value = ParseJson(R"("a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800x")");
  ASSERT_THAT(value, base::IsOk());
  EXPECT_EQ(value->string_value(), "a\"\\/\b\f\n\r\t\xC3\xA9\xF0\x9F\x98\x80\xEF\xBF\xBDx");
  absl::StatusOr<JsonValue> invalid = ParseJson("\"\xff\"");
  ASSERT_THAT(invalid, base::IsOk());
  EXPECT_EQ(invalid->string_value(), "\xEF\xBF\xBD");
}

TEST(JsonValueTest, ErrorsUseGoEncodingJsonMessages) {
  EXPECT_EQ(ErrorOf(""), "unexpected end of JSON input");
  EXPECT_EQ(ErrorOf("{\"a\":1"), "unexpected end of JSON input");
  EXPECT_EQ(ErrorOf("x"), "invalid character 'x' looking for beginning of value");
  EXPECT_EQ(ErrorOf("{1:2}"), "invalid character '1' looking for beginning of object key string");
  EXPECT_EQ(ErrorOf("{\"a\" 1}"), "invalid character '1' after object key");
  EXPECT_EQ(ErrorOf("{\"a\":1 \"b\"}"), "invalid character '\"' after object key:value pair");
  EXPECT_EQ(ErrorOf("[1 2]"), "invalid character '2' after array element");
  EXPECT_EQ(ErrorOf("[1,]"), "invalid character ']' looking for beginning of value");
  EXPECT_EQ(ErrorOf("{} {}"), "invalid character '{' after top-level value");
  EXPECT_EQ(ErrorOf("tru"), "unexpected end of JSON input");
  EXPECT_EQ(ErrorOf("trux"), "invalid character 'x' in literal true (expecting 'e')");
  EXPECT_EQ(ErrorOf("nul1"), "invalid character '1' in literal null (expecting 'l')");
  EXPECT_EQ(ErrorOf("-x"), "invalid character 'x' in numeric literal");
  EXPECT_EQ(ErrorOf("1.x"), "invalid character 'x' after decimal point in numeric literal");
  EXPECT_EQ(ErrorOf("1ex"), "invalid character 'x' in exponent of numeric literal");
  EXPECT_EQ(ErrorOf("01"), "invalid character '1' after top-level value");
  EXPECT_EQ(ErrorOf("\"a\nb\""), "invalid character '\\n' in string literal");
  EXPECT_EQ(ErrorOf("\"\\x\""), "invalid character 'x' in string escape code");
  EXPECT_EQ(ErrorOf("\"\\u12g4\""), "invalid character 'g' in \\u hexadecimal character escape");
  EXPECT_EQ(ErrorOf("\x01"), "invalid character '\\x01' looking for beginning of value");
  EXPECT_EQ(ErrorOf("'"), "invalid character '\\'' looking for beginning of value");
}

TEST(JsonValueTest, ErrorOffsetSaysWhereParsingStopped) {
  size_t offset = 0;
  EXPECT_FALSE(ParseJson("[1, 2, x]", {}, &offset).ok());
  EXPECT_EQ(offset, 7u);
}

TEST(JsonValueTest, DepthAndSizeLimits) {
  JsonParseOptions options;
  options.max_depth = 3;
  EXPECT_THAT(ParseJson("[[[1]]]", options), base::IsOk());
  EXPECT_EQ(ErrorOf("[[[[1]]]]", options), "exceeded max depth");
  EXPECT_EQ(ErrorOf("[{\"a\":[{}]}]", options), "exceeded max depth");
  // The default depth is reached long before the stack: a megabyte of '[' fails cleanly.
  EXPECT_EQ(ErrorOf(std::string(1 << 20, '[')), "exceeded max depth");
  options.max_bytes = 4;
  EXPECT_EQ(ErrorOf("[1,2]", options), "JSON input of 5 bytes exceeds the limit of 4 bytes");
}

TEST(JsonValueTest, ManyDuplicateKeysParseInLinearTime) {
  std::string text = "{";
  for (int i = 0; i < 200000; ++i) text += (i ? ",\"k" : "\"k") + std::to_string(i % 1000) + "\":" + std::to_string(i);
  text += "}";
  absl::StatusOr<JsonValue> value = ParseJson(text);
  ASSERT_THAT(value, base::IsOk());
  EXPECT_EQ(value->object().size(), 1000u);
  EXPECT_EQ(value->Find("k999")->number_text(), "199999");
}

TEST(JsonValueTest, NumbersKeepTheirTextAndConvert) {
  absl::StatusOr<JsonValue> value = ParseJson(R"([42, -7, 1.5, 1e3, 99999999999999999999])");
  ASSERT_THAT(value, base::IsOk());
  const JsonValue::Array& a = value->array();
  EXPECT_EQ(a[0].AsInt64(), 42);
  EXPECT_EQ(a[1].AsInt64(), -7);
  EXPECT_EQ(a[2].AsInt64(), std::nullopt);
  EXPECT_EQ(a[2].AsDouble(), 1.5);
  EXPECT_EQ(a[3].AsDouble(), 1000.0);
  EXPECT_EQ(a[4].AsInt64(), std::nullopt);
  EXPECT_EQ(a[4].number_text(), "99999999999999999999");
  EXPECT_EQ(JsonValue::String("x").AsInt64(), std::nullopt);
}

TEST(JsonValueTest, FindSetEraseAndEquality) {
  JsonValue object = JsonValue::MakeObject({{"metadata", JsonValue::MakeObject({{"name", JsonValue::String("a")}})}});
  ASSERT_NE(object.FindPath({"metadata", "name"}), nullptr);
  EXPECT_EQ(object.FindPath({"metadata", "name"})->string_value(), "a");
  EXPECT_EQ(object.FindPath({"metadata", "uid"}), nullptr);
  EXPECT_EQ(object.FindPath({"metadata", "name", "x"}), nullptr);
  object.Set("spec", JsonValue::MakeObject());
  object.Find("metadata")->Set("name", JsonValue::String("b"));
  EXPECT_EQ(object.Serialize(), R"({"metadata":{"name":"b"},"spec":{}})");
  EXPECT_TRUE(object.Erase("spec"));
  EXPECT_FALSE(object.Erase("spec"));
  EXPECT_EQ(*ParseJson(R"({"a":1,"b":[1.0,"x"]})"), *ParseJson(R"({"b":[1,"x"],"a":1e0})"));
  EXPECT_NE(*ParseJson(R"({"a":1})"), *ParseJson(R"({"a":1,"b":2})"));
  EXPECT_NE(*ParseJson("1"), *ParseJson("\"1\""));
}

TEST(JsonValueTest, SerializeEscapesAsGoDoes) {
  EXPECT_EQ(JsonValue::String("<a&b>\n").Serialize(), R"("\u003ca\u0026b\u003e\n")");
}

}  // namespace
}  // namespace apiserve::http
