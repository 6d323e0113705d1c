#include "engine/gguf/utf8.h"

#include <cstdint>

namespace engine {

bool is_valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n_continuation = 0;
    uint32_t min_code_point = 0;
    uint32_t code_point = 0;
    if ((c & 0xE0) == 0xC0) {
      n_continuation = 1, min_code_point = 0x80, code_point = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n_continuation = 2, min_code_point = 0x800, code_point = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n_continuation = 3, min_code_point = 0x10000, code_point = c & 0x07;
    } else {
      return false;  // a stray continuation byte, or 0xF8..0xFF
    }
    if (end - p <= n_continuation) return false;
    for (int i = 1; i <= n_continuation; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (p[i] & 0x3F);
    }
    if (code_point < min_code_point) return false;                   // overlong
    if (code_point > 0x10FFFF) return false;                         // beyond Unicode
    if (code_point >= 0xD800 && code_point <= 0xDFFF) return false;  // UTF-16 surrogate
    p += n_continuation + 1;
  }
  return true;
}

}  // namespace engine
