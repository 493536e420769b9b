#include "http2/response_headers.h"

#include <cstdint>
#include <cstring>

#include "absl/strings/numbers.h"
#include "http/wire_format.h"

namespace apiserve::http2 {
namespace {

// kLoweredNameChar maps a byte of a field name to its lowercase form, or to 0 where the byte may not appear in a
// name (controls, space, DEL, non-ASCII, ':'), so one pass over a name both validates and lowercases it.
struct NameCharTable {
  char lowered[256];
  constexpr NameCharTable() : lowered() {
    for (int c = 0x21; c < 0x7f; ++c) {
      lowered[c] = c == ':' ? 0 : static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
  }
};
constexpr NameCharTable kLoweredNameChar;

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighBits = 0x8080808080808080ULL;

// HasByteBelow: does any byte of `word` lie below `n` (n <= 0x80)? Exact for the word as a whole (a borrow can
// only follow a byte that already answered yes).
constexpr uint64_t HasByteBelow(uint64_t word, uint64_t n) { return (word - kOnes * n) & ~word & kHighBits; }
constexpr uint64_t HasByte(uint64_t word, uint64_t c) { return HasByteBelow(word ^ (kOnes * c), 1); }

// LowerValidName writes `name` lowercased to `out` (name.size() bytes); false if `name` is empty or not a valid
// field name (so pseudo-headers, which start with ':', are never taken from a handler). Eight bytes at a time: a
// word is valid when every byte is ASCII, none is below 0x21, DEL or ':'; its upper-case letters are then the
// bytes at or above 'A' and not above 'Z', whose 0x20 bit is set. The tail goes through the table.
bool LowerValidName(absl::string_view name, char* out) {
  if (name.empty()) return false;
  const char* const p = name.data();
  const size_t n = name.size();
  size_t i = 0;
  for (; n - i >= 8; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, sizeof(word));
    if (((word & kHighBits) | HasByteBelow(word, 0x21) | HasByte(word, 0x7f) | HasByte(word, ':')) != 0) {
      return false;
    }
    const uint64_t at_least_a = (word + kOnes * (0x80 - 'A')) & kHighBits;
    const uint64_t above_z = (word + kOnes * (0x80 - 'Z' - 1)) & kHighBits;
    word |= (at_least_a & ~above_z) >> 2;  // 0x80 >> 2 == 0x20
    std::memcpy(out + i, &word, sizeof(word));
  }
  for (; i < n; ++i) {
    const char lowered = kLoweredNameChar.lowered[static_cast<unsigned char>(p[i])];
    if (lowered == 0) return false;
    out[i] = lowered;
  }
  return true;
}

// ValidValue: no NUL, CR or LF. Those are all below 0x0e, so eight bytes at a time are first tested for "any
// byte below 0x0e" (the classic SWAR test: a byte b < 0x0e with its top bit clear borrows in b - 0x0e), and only
// a word that has one is looked at byte by byte. Values here are mostly tens of bytes (Audit-Id, Content-Type).
bool ValidValue(absl::string_view value) {
  const char* p = value.data();
  const char* const end = p + value.size();
  auto bad = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
  for (; end - p >= 8; p += 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof(word));
    if (HasByteBelow(word, 0x0e) == 0) continue;
    for (int i = 0; i < 8; ++i) {
      if (bad(p[i])) return false;
    }
  }
  for (; p < end; ++p) {
    if (bad(*p)) return false;
  }
  return true;
}

// What the block needs to know of a lowercase field name, decided once per field.
// kConnection and kConnectionSpecific are the fields RFC 9113 §8.2.2 calls connection-specific (malformed in HTTP/2):
// Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade, TE. They are never sent.
enum class NameKind : uint8_t {
  kOther,
  kContentType,
  kContentLength,
  kDate,
  kAuditId,
  kConnection,
  kConnectionSpecific
};
struct KnownName {
  absl::string_view shared;  // a copy with static storage, or empty
  NameKind kind = NameKind::kOther;
};

// Is compares `p` with a literal of the same length; the constant length lets the compiler inline the comparison.
template <size_t N>
bool Is(const char* p, const char (&literal)[N]) {
  return std::memcmp(p, literal, N - 1) == 0;
}

// Classify finds common response field names by length, then content. A common name has a copy with static storage
// that nghttp2 may reference without copying and lowercasing it again (NGHTTP2_NV_FLAG_NO_COPY_NAME: the name must
// outlive the frame, which a string literal does).
KnownName Classify(absl::string_view lowered) {
  const char* p = lowered.data();
  auto known = [](absl::string_view name, NameKind kind = NameKind::kOther) { return KnownName{name, kind}; };
  switch (lowered.size()) {
    case 2:
      if (Is(p, "te")) return {{}, NameKind::kConnectionSpecific};
      break;
    case 4:
      if (Is(p, "date")) return known("date", NameKind::kDate);
      if (Is(p, "vary")) return known("vary");
      if (Is(p, "etag")) return known("etag");
      break;
    case 7:
      if (Is(p, "upgrade")) return {{}, NameKind::kConnectionSpecific};
      if (Is(p, "warning")) return known("warning");
      if (Is(p, "expires")) return known("expires");
      break;
    case 8:
      if (Is(p, "audit-id")) return known("audit-id", NameKind::kAuditId);
      if (Is(p, "location")) return known("location");
      break;
    case 10:
      if (Is(p, "connection")) return {{}, NameKind::kConnection};
      if (Is(p, "keep-alive")) return {{}, NameKind::kConnectionSpecific};
      break;
    case 11:
      if (Is(p, "retry-after")) return known("retry-after");
      break;
    case 12:
      if (Is(p, "content-type")) return known("content-type", NameKind::kContentType);
      break;
    case 13:
      if (Is(p, "cache-control")) return known("cache-control");
      if (Is(p, "last-modified")) return known("last-modified");
      break;
    case 14:
      if (Is(p, "content-length")) return known("content-length", NameKind::kContentLength);
      break;
    case 16:
      if (Is(p, "content-encoding")) return known("content-encoding");
      if (Is(p, "www-authenticate")) return known("www-authenticate");
      if (Is(p, "proxy-connection")) return {{}, NameKind::kConnectionSpecific};
      break;
    case 17:
      if (Is(p, "transfer-encoding")) return {{}, NameKind::kConnectionSpecific};
      break;
    case 22:
      if (Is(p, "x-content-type-options")) return known("x-content-type-options");
      break;
    case 25:
      if (Is(p, "strict-transport-security")) return known("strict-transport-security");
      break;
    case 30:
      if (Is(p, "x-kubernetes-pf-flowschema-uid")) return known("x-kubernetes-pf-flowschema-uid");
      break;
    case 33:
      if (Is(p, "x-kubernetes-pf-prioritylevel-uid")) return known("x-kubernetes-pf-prioritylevel-uid");
      break;
    default:
      break;
  }
  return {};
}

}  // namespace

absl::string_view ResponseHeaderBlock::Store(absl::string_view text) {
  const size_t offset = storage_.size();
  storage_.append(text.data(), text.size());
  return absl::string_view(storage_.data() + offset, text.size());
}

void ResponseHeaderBlock::Push(absl::string_view name, absl::string_view value, uint8_t flags) {
  // Filled in place, in an array sized by Start: an entry built on the stack and copied in was stored as 8-byte
  // words and reloaded as 16-byte ones, which the store buffer cannot forward (a stall on every field).
  nghttp2_nv& nv = nv_[count_++];
  nv.name = reinterpret_cast<uint8_t*>(const_cast<char*>(name.data()));
  nv.namelen = name.size();
  nv.value = reinterpret_cast<uint8_t*>(const_cast<char*>(value.data()));
  nv.valuelen = value.size();
  nv.flags = flags;
}

bool ResponseHeaderBlock::AddFields(absl::Span<const http::HeaderField> headers, bool drop_content_length,
                                    bool* has_content_type, bool* has_date) {
  bool close = false;
  for (const http::HeaderField& field : headers) {
    // Lowercase the name (validating it on the way) on the stack, and copy it into storage only when it is not a
    // common name with a static copy; values are referenced where they are (nghttp2 copies them on submit). A name
    // too long for the stack is lowered in storage directly; a rejected one leaves storage_ as it was.
    const absl::string_view name = field.name;
    char on_stack[kStackNameBytes];
    const size_t offset = storage_.size();
    const bool long_name = name.size() > sizeof(on_stack);
    if (long_name) storage_.resize(offset + name.size());
    char* const lowered = long_name ? &storage_[offset] : on_stack;
    if (!LowerValidName(name, lowered)) {
      if (long_name) storage_.resize(offset);
      continue;
    }
    absl::string_view lowered_name(lowered, name.size());
    const KnownName known = Classify(lowered_name);
    if (known.kind == NameKind::kConnection || known.kind == NameKind::kConnectionSpecific) {
      if (known.kind == NameKind::kConnection && http::HeaderValueHasToken(field.value, "close")) close = true;
      if (long_name) storage_.resize(offset);  // (no such name is that long today; storage stays exact anyway)
      continue;
    }
    if (!ValidValue(field.value) || (drop_content_length && known.kind == NameKind::kContentLength)) {
      if (long_name) storage_.resize(offset);
      continue;
    }
    if (known.kind == NameKind::kContentType) *has_content_type = true;
    if (known.kind == NameKind::kDate) *has_date = true;
    // A field whose value differs in every response (Audit-Id) goes out as a literal: indexing every value would
    // only churn the connection's dynamic table (each insert evicts fields that do repeat, such as content-type).
    // One in kReindexAuditIdEvery is indexed all the same (the first on a connection included), so that the name
    // has an entry to refer to: the other literals then carry a one-byte name index instead of "audit-id" itself
    // (7 bytes fewer per response, and one Huffman string fewer for the client to decode).
    uint8_t flags = NGHTTP2_NV_FLAG_NONE;
    if (known.kind == NameKind::kAuditId && audit_ids_sent_++ % kReindexAuditIdEvery != 0) {
      flags = NGHTTP2_NV_FLAG_NO_INDEX;
    }
    if (!known.shared.empty()) {
      if (long_name) storage_.resize(offset);
      lowered_name = known.shared;
      flags |= NGHTTP2_NV_FLAG_NO_COPY_NAME;
    } else if (!long_name) {
      lowered_name = Store(lowered_name);
    }
    Push(lowered_name, field.value, flags);
  }
  return close;
}

void ResponseHeaderBlock::Start(size_t max_entries, size_t max_stored_bytes) {
  count_ = 0;
  if (nv_.size() < max_entries) nv_.resize(max_entries);
  storage_.clear();
  storage_.reserve(max_stored_bytes);  // every view handed to nghttp2 points into it: no reallocation below
}

bool ResponseHeaderBlock::Build(int status, const http::HeaderMap& headers, const Extras& extras) {
  size_t needed = 64;  // status, content-length digits, date
  for (const http::HeaderField& field : headers) needed += field.name.size();
  for (const http::HeaderField& field : extras.more_headers) needed += field.name.size();
  Start(headers.size() + extras.more_headers.size() + 4, needed);  // + status, content-type, -length, date

  char digits[16];
  const int clamped = status < 100 || status > 999 ? 500 : status;
  char* end = absl::numbers_internal::FastIntToBuffer(clamped, digits);
  Push(":status", Store(absl::string_view(digits, static_cast<size_t>(end - digits))), NGHTTP2_NV_FLAG_NO_COPY_NAME);

  bool has_content_type = false;
  bool has_date = false;
  bool close = AddFields(headers.fields(), extras.content_length.has_value(), &has_content_type, &has_date);
  if (AddFields(extras.more_headers, extras.content_length.has_value(), &has_content_type, &has_date)) close = true;
  if (!has_content_type && !extras.sniff_body_prefix.empty()) {
    Push("content-type", SniffContentType(extras.sniff_body_prefix), NGHTTP2_NV_FLAG_NO_COPY_NAME);
  }
  if (extras.content_length.has_value()) {
    end = absl::numbers_internal::FastIntToBuffer(static_cast<uint64_t>(*extras.content_length), digits);
    Push("content-length", Store(absl::string_view(digits, static_cast<size_t>(end - digits))),
         NGHTTP2_NV_FLAG_NO_COPY_NAME);
  }
  if (!has_date) Push("date", Store(HttpDate(extras.now)), NGHTTP2_NV_FLAG_NO_COPY_NAME);
  return close;
}

void ResponseHeaderBlock::BuildTrailers(const http::HeaderMap& trailers) {
  size_t needed = 0;
  for (const http::HeaderField& field : trailers) needed += field.name.size();
  Start(trailers.size(), needed);
  bool unused_type = false;
  bool unused_date = false;
  AddFields(trailers.fields(), /*drop_content_length=*/false, &unused_type, &unused_date);
}

}  // namespace apiserve::http2
