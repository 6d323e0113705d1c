#include "engine/tokenizer/byte_level.h"

#include <array>

#include "engine/tokenizer/unicode.h"

namespace engine {
namespace {

// GPT-2's bytes_to_unicode(): bytes '!'..'~', U+00A1..U+00AC and U+00AE..U+00FF map to
// themselves; the rest, in byte order, to U+0100, U+0101, ...
struct ByteMaps {
  std::array<uint32_t, 256> to_cp{};
  std::array<int16_t, 0x144> to_byte{};  // indexed by code point < 0x144
};

constexpr ByteMaps make_byte_maps() {
  ByteMaps m{};
  for (auto& b : m.to_byte) b = -1;
  uint32_t next = 0x100;
  for (uint32_t b = 0; b < 256; ++b) {
    const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
    m.to_cp[b] = printable ? b : next++;
    m.to_byte[m.to_cp[b]] = static_cast<int16_t>(b);
  }
  return m;
}

constexpr ByteMaps kMaps = make_byte_maps();

}  // namespace

uint32_t byte_to_codepoint(uint8_t b) {
  return kMaps.to_cp[b];
}

int codepoint_to_byte(uint32_t cp) {
  return cp < kMaps.to_byte.size() ? kMaps.to_byte[cp] : -1;
}

std::string byte_level_encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) unicode::append_utf8(out, byte_to_codepoint(static_cast<uint8_t>(c)));
  return out;
}

std::string byte_level_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const unicode::Utf8Prefix p = unicode::read_utf8(text.substr(pos));
    const int b = p.kind == unicode::Utf8Prefix::kComplete ? codepoint_to_byte(p.cp) : -1;
    if (b >= 0) {
      out.push_back(static_cast<char>(b));
    } else {
      out.append(text.substr(pos, p.length));
    }
    pos += p.length;
  }
  return out;
}

}  // namespace engine
