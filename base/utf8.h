#ifndef APISERVE_BASE_UTF8_H_
#define APISERVE_BASE_UTF8_H_

// Utf8SequenceLength: the one UTF-8 validator of the project (Go's rules: no overlong forms, no surrogates, nothing
// beyond U+10FFFF).

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace apiserve::base {

// Utf8SequenceLength returns the length (1 to 4) of the valid UTF-8 sequence starting at s[i], or 0 when the bytes
// there are not valid UTF-8. If `rune` is non-null it receives the code point. Requires i < s.size().
size_t Utf8SequenceLength(absl::string_view s, size_t i, uint32_t* rune = nullptr);

}  // namespace apiserve::base

#endif  // APISERVE_BASE_UTF8_H_
