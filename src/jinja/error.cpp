#include "jinja/error.h"

#include <algorithm>

#include "jinja/unicode.h"

namespace jinja {

namespace {

// The message, the location, the source line (a window of it when long) and a caret.
std::string format_error(const std::string& message, const SourcePos& pos,
                         const std::string& line) {
  constexpr size_t kWindow = 60;  // code points shown on each side of the spot of a long line
  std::u32string u = utf8_decode(line);
  size_t col = pos.column > 0 ? static_cast<size_t>(pos.column - 1) : 0;
  size_t begin = 0, end = u.size();
  if (u.size() > 2 * kWindow + 20) {
    begin = col > kWindow ? col - kWindow : 0;
    end = std::min(u.size(), col + kWindow);
  }
  std::string shown = (begin > 0 ? "..." : "") + utf8_encode(u.substr(begin, end - begin)) +
                      (end < u.size() ? "..." : "");
  size_t caret = col - begin + (begin > 0 ? 3 : 0);
  std::string out = message;
  out += "\n  at row " + std::to_string(pos.row) + ", column " + std::to_string(pos.column) + ":\n";
  out += shown + "\n" + std::string(caret, ' ') + "^";
  return out;
}

std::string line_at(std::string_view source, size_t offset) {
  if (offset > source.size()) offset = source.size();
  size_t begin = 0;
  if (offset > 0) {
    size_t nl = source.rfind('\n', offset - 1);
    if (nl != std::string_view::npos) begin = nl + 1;
  }
  size_t end = source.find('\n', offset);
  if (end == std::string_view::npos) end = source.size();
  return std::string(source.substr(begin, end - begin));
}

}  // namespace

SourcePos position_of(std::string_view source, size_t offset) {
  if (offset > source.size()) offset = source.size();
  SourcePos pos;
  pos.offset = offset;
  pos.row = 1;
  size_t line_begin = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (source[i] == '\n') {
      ++pos.row;
      line_begin = i + 1;
    }
  }
  pos.column = static_cast<int>(utf8_length(source.substr(line_begin, offset - line_begin))) + 1;
  return pos;
}

TemplateError::TemplateError(std::string message, const SourcePos& pos, std::string_view source)
    : std::runtime_error(format_error(message, pos, line_at(source, pos.offset))),
      message_(std::move(message)),
      pos_(pos),
      source_line_(line_at(source, pos.offset)) {}

TemplateError::TemplateError(std::string message)
    : std::runtime_error(message), message_(std::move(message)) {}

}  // namespace jinja
