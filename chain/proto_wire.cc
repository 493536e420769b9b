#include "chain/proto_wire.h"

#include <cstring>

namespace apiserve::chain {

void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

void ProtoWriter::Key(int field, WireType type) {
  AppendVarint((static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(type), &data_);
}

void ProtoWriter::Varint(int field, uint64_t value) {
  Key(field, WireType::kVarint);
  AppendVarint(value, &data_);
}

void ProtoWriter::Double(int field, double value) {
  static_assert(sizeof(double) == sizeof(uint64_t), "IEEE-754 binary64");
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  Key(field, WireType::kFixed64);
  for (int i = 0; i < 8; ++i) data_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

void ProtoWriter::Bytes(int field, absl::string_view value) {
  Key(field, WireType::kLengthDelimited);
  AppendVarint(value.size(), &data_);
  data_.append(value.data(), value.size());
}

}  // namespace apiserve::chain
