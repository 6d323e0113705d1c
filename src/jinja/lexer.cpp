#include "jinja/lexer.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "jinja/error.h"
#include "jinja/unicode.h"

namespace jinja {

std::string normalize_source(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    char c = source[i];
    if (c == '\r') {
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
      out.push_back('\n');
    } else {
      out.push_back(c);
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

namespace {

[[noreturn]] void fail(std::string_view src, size_t offset, const std::string& msg) {
  throw TemplateError(msg, position_of(src, offset), src);
}

// Python reports lexer positions as str indexes: code points, not bytes.
std::string char_index(std::string_view src, size_t offset) {
  return std::to_string(utf8_length(src.substr(0, offset)));
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || is_digit(c);
}
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of Python whitespace at `pos` (\s, Unicode aware).
size_t whitespace_len(std::string_view s, size_t pos) {
  size_t i = pos;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (!py_isspace(c)) break;
      ++i;
      continue;
    }
    size_t n = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : 4;
    if (i + n > s.size()) break;
    char32_t cp = utf8_decode(s.substr(i, n))[0];
    if (!py_isspace(cp)) break;
    i += n;
  }
  return i - pos;
}

// Python's str.rstrip() on data text.
std::string_view rstrip_ws(std::string_view s) {
  std::u32string u = utf8_decode(s);
  size_t e = u.size();
  while (e > 0 && py_isspace(u[e - 1])) --e;
  size_t bytes = 0;
  for (size_t i = 0; i < e; ++i) {
    char32_t c = u[i];
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return s.substr(0, bytes);
}

bool all_whitespace(std::string_view s) {
  return !s.empty() && whitespace_len(s, 0) == s.size();
}

// Decodes a string literal's body the way Jinja2 does:
// body.encode("ascii", "backslashreplace").decode("unicode-escape").
std::string decode_string(std::string_view src, size_t offset, std::string_view body) {
  // First the backslashreplace step: non-ASCII code points become \xNN, \uNNNN or \UNNNNNNNN.
  std::string ascii;
  ascii.reserve(body.size());
  for (char32_t c : utf8_decode(body)) {
    if (c < 0x80) {
      ascii.push_back(static_cast<char>(c));
    } else {
      char buf[16];
      if (c < 0x100) {
        std::snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned>(c));
      } else if (c < 0x10000) {
        std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
      } else {
        std::snprintf(buf, sizeof(buf), "\\U%08x", static_cast<unsigned>(c));
      }
      ascii += buf;
    }
  }
  // Then unicode-escape.
  std::string out;
  size_t i = 0;
  auto read_hex = [&](size_t count, const char* what) -> char32_t {
    char32_t v = 0;
    for (size_t k = 0; k < count; ++k) {
      if (i >= ascii.size() || hex_value(ascii[i]) < 0) {
        fail(src, offset,
             std::string("(unicode error) 'unicodeescape' codec can't decode bytes: ") +
                 "truncated " + what + " escape");
      }
      v = v * 16 + static_cast<char32_t>(hex_value(ascii[i++]));
    }
    return v;
  };
  while (i < ascii.size()) {
    char c = ascii[i++];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (i >= ascii.size()) fail(src, offset, "\\ at end of string");
    char e = ascii[i++];
    char32_t cp;
    switch (e) {
      case '\n':
        continue;
      case '\\':
      case '\'':
      case '"':
        out.push_back(e);
        continue;
      case 'a':
        out.push_back('\a');
        continue;
      case 'b':
        out.push_back('\b');
        continue;
      case 'f':
        out.push_back('\f');
        continue;
      case 'n':
        out.push_back('\n');
        continue;
      case 'r':
        out.push_back('\r');
        continue;
      case 't':
        out.push_back('\t');
        continue;
      case 'v':
        out.push_back('\v');
        continue;
      case 'x':
        cp = read_hex(2, "\\xXX");
        break;
      case 'u':
        cp = read_hex(4, "\\uXXXX");
        break;
      case 'U':
        cp = read_hex(8, "\\UXXXXXXXX");
        if (cp > 0x10ffff) fail(src, offset, "illegal Unicode character in string literal");
        break;
      case 'N':
        fail(src, offset, "\\N{...} escapes in string literals are not supported");
      default:
        if (e >= '0' && e <= '7') {
          cp = static_cast<char32_t>(e - '0');
          for (int k = 0; k < 2 && i < ascii.size() && ascii[i] >= '0' && ascii[i] <= '7'; ++k) {
            cp = cp * 8 + static_cast<char32_t>(ascii[i++] - '0');
          }
          break;
        }
        out.push_back('\\');
        out.push_back(e);
        continue;
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      fail(src, offset, "surrogate code points in string literals are not supported");
    }
    utf8_append(out, cp);
  }
  return out;
}

struct OperatorSpec {
  const char* text;
  Tok type;
};

// Longest first, as Jinja2 sorts its operator regex.
constexpr OperatorSpec kOperators[] = {
    {"//", Tok::kFloorDiv}, {"**", Tok::kPow},      {"==", Tok::kEq},    {"!=", Tok::kNe},
    {">=", Tok::kGtEq},     {"<=", Tok::kLtEq},     {"+", Tok::kAdd},    {"-", Tok::kSub},
    {"/", Tok::kDiv},       {"*", Tok::kMul},       {"%", Tok::kMod},    {"~", Tok::kTilde},
    {"[", Tok::kLBracket},  {"]", Tok::kRBracket},  {"(", Tok::kLParen}, {")", Tok::kRParen},
    {"{", Tok::kLBrace},    {"}", Tok::kRBrace},    {">", Tok::kGt},     {"<", Tok::kLt},
    {"=", Tok::kAssign},    {".", Tok::kDot},       {":", Tok::kColon},  {"|", Tok::kPipe},
    {",", Tok::kComma},     {";", Tok::kSemicolon},
};

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  std::vector<Token> run() {
    try {
      while (pos_ < src_.size()) root();
      tokens_.push_back(Token{Tok::kEof, "", 0, 0, src_.size()});
    } catch (const TemplateError& e) {
      tokens_.push_back(Token{Tok::kError, e.message(), 0, 0, e.offset()});
    }
    return std::move(tokens_);
  }

 private:
  void emit(Tok type, std::string text, size_t offset) {
    tokens_.push_back(Token{type, std::move(text), 0, 0, offset});
  }

  // Finds the next tag start at or after pos_; returns npos if none.
  size_t next_tag(size_t from) const {
    size_t p = from;
    while (true) {
      p = src_.find('{', p);
      if (p == std::string_view::npos || p + 1 >= src_.size()) return std::string_view::npos;
      char n = src_[p + 1];
      if (n == '{' || n == '%' || n == '#') return p;
      ++p;
    }
  }

  // Whether a `{%` at `p` opens `{% raw %}`; sets `end` past its closing `%}`.
  bool raw_begin(size_t p, size_t& end) const {
    size_t i = p + 2;
    if (i < src_.size() && (src_[i] == '-' || src_[i] == '+')) ++i;
    i += whitespace_len(src_, i);
    if (src_.compare(i, 3, "raw") != 0) return false;
    i += 3;
    i += whitespace_len(src_, i);
    if (src_.compare(i, 3, "-%}") == 0) {
      end = i + 3 + whitespace_len(src_, i + 3);
      return true;
    }
    if (src_.compare(i, 2, "%}") == 0) {
      end = i + 2;
      return true;
    }
    return false;
  }

  // Applies `-` / lstrip_blocks to the data before a tag and emits it.
  void emit_data_before(std::string_view text, size_t text_offset, char sign, bool is_variable) {
    if (sign == '-') {
      text = rstrip_ws(text);
    } else if (sign != '+' && !is_variable) {
      size_t nl = text.rfind('\n');
      size_t l_pos = nl == std::string_view::npos ? 0 : nl + 1;
      if ((l_pos > 0 || line_starting_) && all_whitespace(text.substr(l_pos))) {
        text = text.substr(0, l_pos);
      }
    }
    if (!text.empty()) emit(Tok::kData, std::string(text), text_offset);
  }

  void root() {
    size_t tag = next_tag(pos_);
    if (tag == std::string_view::npos) {
      emit(Tok::kData, std::string(src_.substr(pos_)), pos_);
      pos_ = src_.size();
      return;
    }
    char kind = src_[tag + 1];
    char sign = 0;
    size_t after = tag + 2;
    if (after < src_.size() && (src_[after] == '-' || src_[after] == '+')) sign = src_[after++];
    std::string_view text = src_.substr(pos_, tag - pos_);
    size_t raw_end = 0;
    if (kind == '%' && raw_begin(tag, raw_end)) {
      emit_data_before(text, pos_, sign, false);
      raw_body(raw_end);
      return;
    }
    emit_data_before(text, pos_, sign, kind == '{');
    line_starting_ = false;
    pos_ = after;
    if (kind == '#') {
      comment(tag);
    } else {
      emit(kind == '{' ? Tok::kVariableBegin : Tok::kBlockBegin, "", tag);
      inside_tag(kind == '{');
    }
  }

  void raw_body(size_t start) {
    size_t p = start;
    while (true) {
      p = src_.find("{%", p);
      if (p == std::string_view::npos) fail(src_, start, "Missing end of raw directive");
      size_t i = p + 2;
      char sign = 0;
      if (i < src_.size() && (src_[i] == '-' || src_[i] == '+')) sign = src_[i++];
      i += whitespace_len(src_, i);
      if (src_.compare(i, 6, "endraw") == 0) {
        i += 6;
        i += whitespace_len(src_, i);
        size_t end = end_of_block_tag(i);
        if (end != std::string_view::npos) {
          emit_data_before(src_.substr(start, p - start), start, sign, false);
          line_starting_ = src_[end - 1] == '\n';
          pos_ = end;
          return;
        }
      }
      p += 2;
    }
  }

  // Matches `+%}`, `-%}\s*` or `%}\n?` at i; returns the end or npos.
  size_t end_of_block_tag(size_t i) const {
    if (src_.compare(i, 3, "+%}") == 0) return i + 3;
    if (src_.compare(i, 3, "-%}") == 0) return i + 3 + whitespace_len(src_, i + 3);
    if (src_.compare(i, 2, "%}") == 0) {
      size_t e = i + 2;
      if (e < src_.size() && src_[e] == '\n') ++e;
      return e;
    }
    return std::string_view::npos;
  }

  void comment(size_t tag) {
    for (size_t p = pos_; p < src_.size(); ++p) {
      size_t end = std::string_view::npos;
      if (src_.compare(p, 3, "+#}") == 0) {
        end = p + 3;
      } else if (src_.compare(p, 3, "-#}") == 0) {
        end = p + 3 + whitespace_len(src_, p + 3);
      } else if (src_.compare(p, 2, "#}") == 0) {
        end = p + 2;
        if (end < src_.size() && src_[end] == '\n') ++end;
      }
      if (end != std::string_view::npos) {
        line_starting_ = src_[end - 1] == '\n';
        pos_ = end;
        return;
      }
    }
    fail(src_, tag, "Missing end of comment tag");
  }

  void inside_tag(bool variable) {
    std::vector<char> balance;
    while (pos_ < src_.size()) {
      if (balance.empty()) {
        size_t end = std::string_view::npos;
        if (variable) {
          if (src_.compare(pos_, 3, "-}}") == 0) {
            end = pos_ + 3 + whitespace_len(src_, pos_ + 3);
          } else if (src_.compare(pos_, 2, "}}") == 0) {
            end = pos_ + 2;
          }
        } else {
          end = end_of_block_tag(pos_);
        }
        if (end != std::string_view::npos) {
          emit(variable ? Tok::kVariableEnd : Tok::kBlockEnd, "", pos_);
          line_starting_ = src_[end - 1] == '\n';
          pos_ = end;
          return;
        }
      }
      size_t ws = whitespace_len(src_, pos_);
      if (ws > 0) {
        line_starting_ = src_[pos_ + ws - 1] == '\n';
        pos_ += ws;
        continue;
      }
      line_starting_ = false;
      if (number()) continue;
      char c = src_[pos_];
      if (is_name_start(c)) {
        size_t b = pos_;
        while (pos_ < src_.size() && is_name_char(src_[pos_])) ++pos_;
        emit(Tok::kName, std::string(src_.substr(b, pos_ - b)), b);
        continue;
      }
      if (c == '\'' || c == '"') {
        string_literal(c);
        continue;
      }
      operator_token(balance);
    }
    // Running out of text inside a tag: the parser reports the missing end.
  }

  void string_literal(char quote) {
    size_t b = pos_;
    size_t i = pos_ + 1;
    while (i < src_.size() && src_[i] != quote) {
      if (src_[i] == '\\') ++i;
      ++i;
    }
    if (i >= src_.size())
      fail(src_, b,
           std::string("unexpected char ") + std::string(1, quote) + std::string(" at ") +
               std::to_string(b));
    std::string_view body = src_.substr(b + 1, i - b - 1);
    emit(Tok::kString, decode_string(src_, b, body), b);
    pos_ = i + 1;
  }

  void operator_token(std::vector<char>& balance) {
    for (const OperatorSpec& op : kOperators) {
      size_t n = std::char_traits<char>::length(op.text);
      if (src_.compare(pos_, n, op.text) != 0) continue;
      char c = op.text[0];
      if (n == 1 && (c == '{' || c == '(' || c == '[')) {
        balance.push_back(c == '{' ? '}' : c == '(' ? ')' : ']');
      } else if (n == 1 && (c == '}' || c == ')' || c == ']')) {
        if (balance.empty()) fail(src_, pos_, std::string("unexpected '") + c + "'");
        char expected = balance.back();
        balance.pop_back();
        if (expected != c) {
          fail(src_, pos_, std::string("unexpected '") + c + "', expected '" + expected + "'");
        }
      }
      emit(op.type, op.text, pos_);
      pos_ += n;
      return;
    }
    std::string shown;
    utf8_append(shown, utf8_decode(src_.substr(pos_, 4))[0]);
    fail(src_, pos_, "unexpected char '" + shown + std::string("' at ") + char_index(src_, pos_));
  }

  // Length of (\d+_)*\d+ at i, 0 if there is no digit.
  size_t digits(size_t i) const {
    size_t j = i;
    if (j >= src_.size() || !is_digit(src_[j])) return 0;
    while (true) {
      while (j < src_.size() && is_digit(src_[j])) ++j;
      if (j + 1 < src_.size() && src_[j] == '_' && is_digit(src_[j + 1])) {
        ++j;
        continue;
      }
      return j - i;
    }
  }

  bool number() {
    char c = src_[pos_];
    if (!is_digit(c)) return false;
    // float: (?<!\.)(\d+_)*\d+((\.(\d+_)*\d+)?e[+\-]?(\d+_)*\d+|\.(\d+_)*\d+)
    if (pos_ == 0 || src_[pos_ - 1] != '.') {
      size_t i = pos_ + digits(pos_);
      size_t frac_end = 0;
      if (i < src_.size() && src_[i] == '.') {
        size_t d = digits(i + 1);
        if (d > 0) frac_end = i + 1 + d;
      }
      size_t mant_end = frac_end ? frac_end : i;
      size_t end = 0;
      if (mant_end < src_.size() && (src_[mant_end] == 'e' || src_[mant_end] == 'E')) {
        size_t j = mant_end + 1;
        if (j < src_.size() && (src_[j] == '+' || src_[j] == '-')) ++j;
        size_t d = digits(j);
        if (d > 0) end = j + d;
      }
      if (!end) end = frac_end;
      if (end) {
        std::string text;
        for (size_t k = pos_; k < end; ++k) {
          if (src_[k] != '_') text.push_back(src_[k]);
        }
        Token t{Tok::kFloat, text, 0, std::strtod(text.c_str(), nullptr), pos_};
        tokens_.push_back(t);
        pos_ = end;
        return true;
      }
    }
    // integer: 0b.., 0o.., 0x.., [1-9](_?\d)*, 0(_?0)*
    size_t b = pos_;
    int base = 10;
    size_t i = pos_;
    auto run = [&](auto ok) {
      size_t n = 0;
      while (i < src_.size()) {
        if (ok(src_[i])) {
          ++i;
          ++n;
        } else if (src_[i] == '_' && i + 1 < src_.size() && ok(src_[i + 1])) {
          i += 2;
          ++n;
        } else {
          break;
        }
      }
      return n;
    };
    char n1 = pos_ + 1 < src_.size() ? static_cast<char>(src_[pos_ + 1] | 0x20) : 0;
    if (c == '0' && (n1 == 'b' || n1 == 'o' || n1 == 'x')) {
      base = n1 == 'b' ? 2 : n1 == 'o' ? 8 : 16;
      i = pos_ + 2;
      size_t n = run([&](char ch) {
        int v = hex_value(ch);
        return v >= 0 && v < base;
      });
      if (n == 0) {
        i = pos_ + 1;
        base = 10;
      }
    } else if (c == '0') {
      i = pos_ + 1;
      run([](char ch) { return ch == '0'; });
    } else {
      i = pos_ + 1;
      run([](char ch) { return is_digit(ch); });
    }
    std::string text;
    for (size_t k = base == 10 ? b : b + 2; k < i; ++k) {
      if (src_[k] != '_') text.push_back(src_[k]);
    }
    errno = 0;
    unsigned long long v = std::strtoull(text.c_str(), nullptr, base);
    if (errno == ERANGE || v > static_cast<unsigned long long>(INT64_MAX)) {
      fail(src_, b,
           std::string("integer literal ") + std::string(src_.substr(b, i - b)) +
               " is larger than 2^63-1, which is not supported");
    }
    Token t{Tok::kInteger, std::string(src_.substr(b, i - b)), static_cast<int64_t>(v), 0, b};
    tokens_.push_back(t);
    pos_ = i;
    return true;
  }

  std::string_view src_;
  size_t pos_ = 0;
  bool line_starting_ = true;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source) {
  return Lexer(source).run();
}

std::string describe(const Token& t) {
  switch (t.type) {
    case Tok::kEof:
      return "end of template";
    case Tok::kBlockEnd:
      return "end of statement block";
    case Tok::kVariableEnd:
      return "end of print statement";
    case Tok::kBlockBegin:
      return "begin of statement block";
    case Tok::kVariableBegin:
      return "begin of print statement";
    case Tok::kData:
      return "template data";
    case Tok::kString:
      return "string";
    default:
      return t.text;
  }
}

}  // namespace jinja
