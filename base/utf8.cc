#include "base/utf8.h"

namespace apiserve::base {

size_t Utf8SequenceLength(absl::string_view s, size_t i, uint32_t* rune_out) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    if (rune_out != nullptr) *rune_out = c;
    return 1;
  }
  size_t len = 0;
  uint32_t rune = 0;
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
    rune = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    rune = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    rune = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return 0;
    rune = (rune << 6) | (cc & 0x3f);
  }
  // Reject overlong forms, surrogates and values beyond U+10FFFF.
  if ((len == 3 && rune < 0x800) || (len == 4 && rune < 0x10000) || (rune >= 0xd800 && rune <= 0xdfff) ||
      rune > 0x10ffff) {
    return 0;
  }
  if (rune_out != nullptr) *rune_out = rune;
  return len;
}

}  // namespace apiserve::base
