// UTF-8 validation for names read from files (metadata keys, tensor names).
#pragma once

#include <string_view>

namespace engine {

// True when `text` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
// above U+10FFFF, no truncated sequences.
bool is_valid_utf8(std::string_view text);

}  // namespace engine
