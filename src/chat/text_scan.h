// Small scanning helpers the output parser and the tool-call readers share.
#pragma once

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <string_view>

namespace chat::scan {

inline bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

inline size_t skip_ws(std::string_view s, size_t pos) {
  while (pos < s.size() && is_ws(s[pos])) ++pos;
  return pos;
}

// `tag` stands in `s` at `pos`.
inline bool at(std::string_view s, size_t pos, std::string_view tag) {
  return s.compare(pos, tag.size(), tag) == 0;
}

// The rest of `s` from `pos` is a proper, non-empty prefix of one of `tags`.
inline bool partial(std::string_view s, size_t pos, std::initializer_list<std::string_view> tags) {
  const std::string_view rest = s.substr(std::min(pos, s.size()));
  if (rest.empty()) return false;
  for (std::string_view tag : tags) {
    if (rest.size() < tag.size() && tag.starts_with(rest)) return true;
  }
  return false;
}

}  // namespace chat::scan
