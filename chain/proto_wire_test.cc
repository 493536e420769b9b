#include "chain/proto_wire.h"

#include <cstdint>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace apiserve::chain {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

std::string Varint(uint64_t value) {
  std::string out;
  AppendVarint(value, &out);
  return out;
}

TEST(ProtoWireTest, Varints) {
  EXPECT_EQ(Varint(0), Bytes({0x00}));
  EXPECT_EQ(Varint(1), Bytes({0x01}));
  EXPECT_EQ(Varint(127), Bytes({0x7f}));
  EXPECT_EQ(Varint(128), Bytes({0x80, 0x01}));
  EXPECT_EQ(Varint(150), Bytes({0x96, 0x01}));  // the encoding guide's example
  EXPECT_EQ(Varint(300), Bytes({0xac, 0x02}));
  EXPECT_EQ(Varint(16384), Bytes({0x80, 0x80, 0x01}));
  EXPECT_EQ(Varint(std::numeric_limits<uint64_t>::max()),
            Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
}

TEST(ProtoWireTest, ScalarFields) {
  ProtoWriter w;
  w.Varint(1, 150);
  EXPECT_EQ(w.data(), Bytes({0x08, 0x96, 0x01}));  // field 1, wire type 0
  ProtoWriter negative;
  negative.Int64(2, -1);  // two's complement: ten bytes
  EXPECT_EQ(negative.data(), Bytes({0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
  ProtoWriter flags;
  flags.Bool(3, true);
  flags.Bool(4, false);
  EXPECT_EQ(flags.data(), Bytes({0x18, 0x01, 0x20, 0x00}));
  ProtoWriter real;
  real.Double(7, 1.0);  // field 7, wire type 1, little-endian IEEE-754
  EXPECT_EQ(real.data(), Bytes({0x39, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f}));
  ProtoWriter high;
  high.Varint(16, 1);  // a field number above 15 takes a two-byte key
  EXPECT_EQ(high.data(), Bytes({0x80, 0x01, 0x01}));
}

TEST(ProtoWireTest, LengthDelimitedAndEmbedded) {
  ProtoWriter w;
  w.String(2, "testing");
  EXPECT_EQ(w.data(), Bytes({0x12, 0x07}) + "testing");
  ProtoWriter inner;
  inner.Varint(1, 150);
  ProtoWriter outer;
  outer.Message(3, inner);
  EXPECT_EQ(outer.data(), Bytes({0x1a, 0x03, 0x08, 0x96, 0x01}));
  ProtoWriter with_empty;
  with_empty.Message(9, ProtoWriter());  // present but empty: key and zero length
  EXPECT_EQ(with_empty.data(), Bytes({0x4a, 0x00}));
  ProtoWriter long_string;
  long_string.Bytes(1, std::string(200, 'x'));
  EXPECT_EQ(long_string.data().substr(0, 3), Bytes({0x0a, 0xc8, 0x01}));
  EXPECT_EQ(long_string.data().size(), 203u);
  ProtoWriter repeated;
  repeated.String(5, "a");
  repeated.String(5, "");  // a repeated element is written even when empty
  EXPECT_EQ(repeated.data(), Bytes({0x2a, 0x01, 'a', 0x2a, 0x00}));
}

TEST(ProtoWireTest, Proto3DefaultsAreNotWritten) {
  ProtoWriter w;
  w.OptString(1, "");
  w.OptBool(2, false);
  w.OptInt64(3, 0);
  w.OptDouble(4, 0.0);
  EXPECT_TRUE(w.empty());
  w.OptString(1, "x");
  w.OptBool(2, true);
  w.OptInt64(3, 5);
  w.OptDouble(4, -0.5);
  EXPECT_EQ(w.Take(), Bytes({0x0a, 0x01, 'x', 0x10, 0x01, 0x18, 0x05, 0x21, 0, 0, 0, 0, 0, 0, 0xe0, 0xbf}));
  EXPECT_TRUE(w.empty());
}

}  // namespace
}  // namespace apiserve::chain
