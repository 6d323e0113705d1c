// UTF-8 and the parts of Python's str model that templates touch: strings are sequences of code
// points (len, indexing, slicing), whitespace is Unicode whitespace (strip, split), repr() escapes
// non-printable characters.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace jinja {

// Decodes valid UTF-8 (validate first); one code point per element.
std::u32string utf8_decode(std::string_view s);
void utf8_append(std::string& out, char32_t cp);
std::string utf8_encode(std::u32string_view s);
// Whether `s` is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
bool utf8_valid(std::string_view s);
// Number of code points.
size_t utf8_length(std::string_view s);

// str.isspace() / the `\s` of Python's re module for str patterns.
bool py_isspace(char32_t c);
// str.isprintable(), for repr(): false for controls, separators other than ' ', format
// characters, private use and unassigned ranges that Python knows of (approximated by blocks).
bool py_isprintable(char32_t c);
// Case mapping for the scripts templates meet: ASCII, Latin-1, Latin Extended-A, Greek and
// Cyrillic. Other code points are returned unchanged.
char32_t to_upper(char32_t c);
char32_t to_lower(char32_t c);
bool is_cased_upper(char32_t c);
bool is_cased_lower(char32_t c);
bool is_alpha(char32_t c);
bool is_decimal(char32_t c);
// \w of Python's re: alphanumeric or underscore.
bool is_word(char32_t c);

// Python's str.upper() / str.lower() on UTF-8 ('ß'.upper() is 'SS').
std::string py_upper(std::string_view s);
std::string py_lower(std::string_view s);
// Python's str.strip(chars) family; `chars` empty-optional means whitespace.
std::string py_strip(std::string_view s, const std::u32string* chars, bool left, bool right);
// str.splitlines() (without keepends).
std::vector<std::string> py_splitlines(std::string_view s);

}  // namespace jinja
