// Template text to tokens, with the whitespace rules of Jinja2's lexer under Hugging Face's
// settings: trim_blocks (drop the newline after a block or comment tag), lstrip_blocks (drop the
// spaces and tabs before a block or comment tag that starts a line), `-` and `+` markers, and
// keep_trailing_newline off (one final newline of the template is dropped).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace jinja {

enum class Tok {
  kData,
  kVariableBegin,
  kVariableEnd,
  kBlockBegin,
  kBlockEnd,
  kName,
  kString,
  kInteger,
  kFloat,
  // operators
  kAdd,
  kSub,
  kDiv,
  kFloorDiv,
  kMul,
  kMod,
  kPow,
  kTilde,
  kLBracket,
  kRBracket,
  kLParen,
  kRParen,
  kLBrace,
  kRBrace,
  kEq,
  kNe,
  kGt,
  kGtEq,
  kLt,
  kLtEq,
  kAssign,
  kDot,
  kColon,
  kPipe,
  kComma,
  kSemicolon,
  kEof,
  kError,  // a lexical error, raised when the parser reaches it (Jinja2 lexes lazily)
};

struct Token {
  Tok type;
  std::string text;  // data, name, decoded string literal, or the operator
  int64_t int_value = 0;
  double float_value = 0;
  size_t offset = 0;  // byte offset in the normalized source
};

// Newlines as Jinja2 sees them: \r\n and \r become \n, and one trailing newline is removed.
std::string normalize_source(std::string_view source);

// Tokenizes a normalized source. A lexical error ends the list with a kError token whose text is
// the message, so that errors come in source order as in Jinja2.
std::vector<Token> tokenize(std::string_view source);

// A short description of a token for messages ("end of print statement", "'foo'").
std::string describe(const Token& t);

}  // namespace jinja
