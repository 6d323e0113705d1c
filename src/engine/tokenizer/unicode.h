// The Unicode the tokenizer needs: strict UTF-8 decoding, the character classes its pre-tokenizer
// regexes use (\p{L}, \p{N}, \p{M}, \s) and NFC normalization. Tables come from unicode_data.cpp
// (generated; kUnicodeVersion says from which Unicode version).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace engine::unicode {

// Bits of class_of(cp).
enum Class : uint8_t {
  kLetter = 1,       // \p{L}
  kNumber = 2,       // \p{N}
  kMark = 4,         // \p{M}
  kWhitespace = 8,   // \s: the White_Space property
  kNfcNo = 16,       // never appears in NFC text (NFC_QC=No)
  kNfcMaybe = 32,    // may compose with what precedes it (NFC_QC=Maybe)
  kNonStarter = 64,  // canonical combining class != 0
};

// The Unicode version of the tables ("14.0.0").
std::string_view version();

uint8_t class_of(uint32_t cp);
uint8_t combining_class(uint32_t cp);

// What the bytes at the start of `bytes` hold.
struct Utf8Prefix {
  enum Kind : uint8_t {
    kComplete,    // a whole, valid character of `length` bytes, code point `cp`
    kIncomplete,  // `length` bytes that are a valid start of a character cut off by the end
    kInvalid,  // `length` bytes (>= 1: the maximal invalid subpart) that no character starts with
  };
  Kind kind;
  uint8_t length;
  uint32_t cp;
};
// `bytes` must not be empty. Strict: no overlongs, surrogates or code points above U+10FFFF.
Utf8Prefix read_utf8(std::string_view bytes);

// Offset of the first byte that is not part of a valid UTF-8 character, or npos if all of `text`
// is valid UTF-8.
size_t find_invalid_utf8(std::string_view text);

void append_utf8(std::string& out, uint32_t cp);

// Decodes the character at `text[pos]` of text known to be valid UTF-8 and advances `pos`.
inline uint32_t next_codepoint(std::string_view text, size_t& pos) {
  const auto b0 = static_cast<uint8_t>(text[pos]);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  const auto cont = [&](size_t i) { return static_cast<uint8_t>(text[pos + i]) & 0x3Fu; };
  uint32_t cp;
  if (b0 < 0xE0) {
    cp = ((b0 & 0x1Fu) << 6) | cont(1);
    pos += 2;
  } else if (b0 < 0xF0) {
    cp = ((b0 & 0x0Fu) << 12) | (cont(1) << 6) | cont(2);
    pos += 3;
  } else {
    cp = ((b0 & 0x07u) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3);
    pos += 4;
  }
  return cp;
}

// True when `text` (valid UTF-8) is certainly in NFC; false means it may not be (the UAX #15 quick
// check: a character that is NFC_QC=No or Maybe, or combining marks out of canonical order).
bool is_nfc_quick(std::string_view text);

// The NFC form of `text` (valid UTF-8): canonical decomposition, canonical ordering, canonical
// composition (UAX #15).
std::string to_nfc(std::string_view text);

}  // namespace engine::unicode
