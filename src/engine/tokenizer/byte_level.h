// GPT-2's byte-to-unicode mapping: byte-level BPE vocabularies spell each byte as a printable
// character (the printable Latin-1 bytes as themselves, the other 68 as U+0100..U+0143), so " the"
// is the token "Ġthe".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace engine {

// The character that stands for byte `b`.
uint32_t byte_to_codepoint(uint8_t b);
// The byte that `cp` stands for, or -1 when `cp` is not one of the 256 characters.
int codepoint_to_byte(uint32_t cp);

// Bytes -> vocab spelling (UTF-8).
std::string byte_level_encode(std::string_view bytes);
// Vocab spelling -> bytes. Characters outside the 256 (and invalid UTF-8) are kept as they are.
std::string byte_level_decode(std::string_view text);

}  // namespace engine
