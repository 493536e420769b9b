#ifndef APISERVE_CHAIN_PROTO_WIRE_H_
#define APISERVE_CHAIN_PROTO_WIRE_H_

// chain::ProtoWriter: the protocol-buffer wire format (protobuf.dev/programming-guides/encoding), written by hand for
// the few messages apiserve serves (the protobuf form of /openapi/v2), so nothing links libprotobuf.
//
//   ProtoWriter info;
//   info.String(1, "title");                 // field 1, wire type 2 (length-delimited)
//   ProtoWriter doc;
//   doc.String(1, "2.0");
//   doc.Message(2, info);                    // an embedded message is length-delimited too
//   std::string bytes = doc.Take();
//
// Every call appends one field, in the order of the calls; the writer never skips a value, so proto3's "a default
// value is not written" is the caller's choice (the Opt* helpers make it). Repeated fields are the same call
// repeated. Not thread-safe; a plain value.

#include <cstdint>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace apiserve::chain {

// WireType is the low three bits of a field's key.
enum class WireType : uint8_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

// AppendVarint appends `value` as a base-128 varint (7 bits a byte, least significant first, high bit = more).
void AppendVarint(uint64_t value, std::string* out);

class ProtoWriter {
 public:
  // Varint writes `value` with wire type 0 (uint32, uint64, and enums).
  void Varint(int field, uint64_t value);
  // Int64 writes `value` with wire type 0 as two's complement (int32 and int64: a negative value takes 10 bytes).
  void Int64(int field, int64_t value) { Varint(field, static_cast<uint64_t>(value)); }
  // Bool writes 1 or 0 with wire type 0.
  void Bool(int field, bool value) { Varint(field, value ? 1 : 0); }
  // Double writes the IEEE-754 bits of `value`, little-endian, with wire type 1.
  void Double(int field, double value);
  // Bytes writes `value` with wire type 2 (string, bytes): its length as a varint, then the bytes.
  void Bytes(int field, absl::string_view value);
  void String(int field, absl::string_view value) { Bytes(field, value); }
  // Message writes `message`'s bytes as an embedded message (wire type 2). An empty message still writes its key
  // and a zero length: a present-but-empty submessage, as Go's proto.Marshal writes a non-nil pointer.
  void Message(int field, const ProtoWriter& message) { Bytes(field, message.data_); }

  // Proto3 singular fields: written only when not the default (empty, false, zero).
  void OptString(int field, absl::string_view value) {
    if (!value.empty()) String(field, value);
  }
  void OptBool(int field, bool value) {
    if (value) Bool(field, true);
  }
  void OptInt64(int field, int64_t value) {
    if (value != 0) Int64(field, value);
  }
  void OptDouble(int field, double value) {
    if (value != 0) Double(field, value);
  }

  const std::string& data() const { return data_; }
  bool empty() const { return data_.empty(); }
  // Take returns the bytes and leaves the writer empty.
  std::string Take() { return std::move(data_); }

 private:
  void Key(int field, WireType type);
  std::string data_;
};

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_PROTO_WIRE_H_
