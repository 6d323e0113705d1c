#include "chat/tool_call_json.h"

#include <algorithm>
#include <cctype>

#include "api/json_body.h"
#include "chat/text_scan.h"

namespace chat {
namespace {

using Json = nlohmann::ordered_json;

using scan::is_ws;

std::optional<Json> parse_strict(std::string_view text) {
  if (text.empty()) return std::nullopt;
  api::Result<Json> parsed = api::parse_json_body(text);
  if (!parsed.ok()) return std::nullopt;
  return std::move(parsed).value();
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

}  // namespace

std::optional<size_t> JsonEndScanner::scan(std::string_view text) {
  if (end_) return end_;
  for (; pos_ < text.size(); ++pos_) {
    const char c = text[pos_];
    if (!start_) {
      if (c == '{' || c == '[') {
        start_ = pos_;
        depth_ = max_depth_ = 1;
      } else if (!is_ws(c)) {
        junk_ = true;
      }
      continue;
    }
    if (quote_ != 0) {
      if (escape_) {
        escape_ = false;
      } else if (c == '\\') {
        escape_ = true;
      } else if (c == quote_) {
        quote_ = 0;
      }
      continue;
    }
    if (c == '"' || c == '\'') {
      quote_ = c;
    } else if (c == '{' || c == '[') {
      max_depth_ = std::max(max_depth_, ++depth_);
    } else if (c == '}' || c == ']') {
      if (--depth_ == 0) {
        end_ = ++pos_;
        return end_;
      }
    }
  }
  return std::nullopt;
}

std::string_view strip_code_fence(std::string_view text) {
  size_t b = 0;
  while (b < text.size() && is_ws(text[b])) ++b;
  size_t e = text.size();
  while (e > b && is_ws(text[e - 1])) --e;
  std::string_view t = text.substr(b, e - b);
  if (!t.starts_with("```") || t.size() < 6 || !t.ends_with("```")) return text;
  const size_t line_end = t.find('\n');
  if (line_end == std::string_view::npos || line_end + 3 > t.size() - 3) return text;
  // The info string ("json", "JSON", "") must be a single word.
  for (size_t i = 3; i < line_end; ++i) {
    if (!is_word_char(t[i]) && !is_ws(t[i])) return text;
  }
  std::string_view inner = t.substr(line_end + 1, t.size() - 3 - (line_end + 1));
  while (!inner.empty() && is_ws(inner.back())) inner.remove_suffix(1);
  return inner;
}

std::string repair_json_text(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  char quote = 0;
  bool escape = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote == '"') {
      out += c;
      if (escape) {
        escape = false;
      } else if (c == '\\') {
        escape = true;
      } else if (c == '"') {
        quote = 0;
      }
      continue;
    }
    if (quote == '\'') {  // a single-quoted string becomes a double-quoted one
      if (escape) {
        escape = false;
        if (c == '\'') {
          out.back() = '\'';  // \' needs no escape in JSON: replace the backslash
        } else {
          out += c;
        }
      } else if (c == '\\') {
        escape = true;
        out += c;
      } else if (c == '\'') {
        quote = 0;
        out += '"';
      } else if (c == '"') {
        out += "\\\"";
      } else {
        out += c;
      }
      continue;
    }
    if (c == '"') {
      quote = '"';
      out += c;
    } else if (c == '\'') {
      quote = '\'';
      out += '"';
    } else if (c == ',') {
      size_t j = i + 1;
      while (j < text.size() && is_ws(text[j])) ++j;
      if (j < text.size() && (text[j] == '}' || text[j] == ']')) continue;  // trailing comma
      out += c;
    } else if (is_word_char(c) && (i == 0 || !is_word_char(text[i - 1]))) {
      size_t j = i;
      while (j < text.size() && is_word_char(text[j])) ++j;
      const std::string_view word = text.substr(i, j - i);
      if (word == "True") {
        out += "true";
      } else if (word == "False") {
        out += "false";
      } else if (word == "None") {
        out += "null";
      } else {
        out += word;
      }
      i = j - 1;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<Json> parse_lenient_json(std::string_view text) {
  text = strip_code_fence(text);
  if (auto strict = parse_strict(text)) return strict;
  return parse_strict(repair_json_text(text));
}

std::optional<std::string> leading_name(std::string_view s) {
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < s.size() && is_ws(s[i])) ++i;
  };
  if (i >= s.size() || s[i] != '{') return std::nullopt;
  ++i;
  skip_ws();
  if (i >= s.size() || (s[i] != '"' && s[i] != '\'')) return std::nullopt;
  const char q = s[i];
  const std::string key = std::string(1, q) + "name" + q;
  if (s.compare(i, key.size(), key) != 0) return std::nullopt;
  i += key.size();
  skip_ws();
  if (i >= s.size() || s[i] != ':') return std::nullopt;
  ++i;
  skip_ws();
  if (i >= s.size() || s[i] != q) return std::nullopt;
  const size_t begin = ++i;
  while (i < s.size() && s[i] != q && s[i] != '\\' && s[i] != '\n') ++i;
  if (i >= s.size() || s[i] != q) return std::nullopt;
  return std::string(s.substr(begin, i - begin));
}

}  // namespace chat
