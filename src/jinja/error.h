// Errors of templates: every failure (syntax, unknown filter, raise_exception, a limit) is a
// jinja::TemplateError that points into the template: row, column, the source line and a caret.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace jinja {

// Position in the template source: 1-based row and column (column counts code points).
struct SourcePos {
  int row = 0;
  int column = 0;
  size_t offset = 0;  // byte offset of the spot
};

class TemplateError : public std::runtime_error {
 public:
  // `message` alone: what went wrong ("'x' is undefined"). what() adds the location.
  TemplateError(std::string message, const SourcePos& pos, std::string_view source);
  TemplateError(std::string message);  // no location (e.g. the source is not UTF-8)

  const std::string& message() const { return message_; }
  int row() const { return pos_.row; }
  int column() const { return pos_.column; }
  size_t offset() const { return pos_.offset; }
  const std::string& source_line() const { return source_line_; }

 private:
  std::string message_;
  SourcePos pos_;
  std::string source_line_;
};

// Raised by value operations that do not know where they are (a TypeError of Python); the
// interpreter turns it into a TemplateError at the expression being evaluated.
class EvalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Computes row and column of a byte offset.
SourcePos position_of(std::string_view source, size_t offset);

}  // namespace jinja
