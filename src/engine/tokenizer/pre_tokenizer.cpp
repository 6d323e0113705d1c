#include "engine/tokenizer/pre_tokenizer.h"

#include <array>
#include <cstdint>

#include "engine/tokenizer/unicode.h"

namespace engine {
namespace {

using unicode::kLetter;
using unicode::kMark;
using unicode::kNumber;
using unicode::kWhitespace;

struct NamedKind {
  std::string_view name;
  PreTokenizerKind kind;
};

// The first name of each kind is its canonical one. Names as llama.cpp's llama-vocab.cpp reads
// them.
constexpr std::array kNames = {
    NamedKind{"gpt-2", PreTokenizerKind::kGpt2},
    NamedKind{"gpt2", PreTokenizerKind::kGpt2},
    NamedKind{"llama-bpe", PreTokenizerKind::kLlama3},
    NamedKind{"llama3", PreTokenizerKind::kLlama3},
    NamedKind{"llama-v3", PreTokenizerKind::kLlama3},
    NamedKind{"qwen2", PreTokenizerKind::kQwen2},
    NamedKind{"qwen35", PreTokenizerKind::kQwen35},
};

constexpr uint32_t kEnd = 0xFFFFFFFF;

// One character of the text: code point, UTF-8 length and unicode::Class bits. At the end of the
// text: cp == kEnd, len 0, no class bits.
struct Char {
  uint32_t cp;
  uint32_t len;
  uint8_t cls;
};

constexpr std::array<uint8_t, 128> make_ascii_classes() {
  std::array<uint8_t, 128> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = kLetter;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = kLetter;
  for (int c = '0'; c <= '9'; ++c) t[c] = kNumber;
  for (int c : {'\t', '\n', '\v', '\f', '\r', ' '}) t[c] = kWhitespace;
  return t;
}
constexpr std::array<uint8_t, 128> kAsciiClasses = make_ascii_classes();

class Splitter {
 public:
  Splitter(std::string_view text, std::vector<std::string_view>& pieces)
      : text_(text), pieces_(pieces) {}

  Char at(size_t pos) const {
    if (pos >= text_.size()) return {kEnd, 0, 0};
    const auto b = static_cast<uint8_t>(text_[pos]);
    if (b < 0x80) return {b, 1, kAsciiClasses[b]};
    size_t next = pos;
    const uint32_t cp = unicode::next_codepoint(text_, next);
    return {cp, static_cast<uint32_t>(next - pos), unicode::class_of(cp)};
  }

  // Length of the contraction ('s 't 're 've 'm 'll 'd) at `pos` (which holds '), or 0.
  size_t contraction(size_t pos, bool ignore_case) const {
    const auto lower = [&](size_t i) -> int {
      if (i >= text_.size()) return -1;
      char c = text_[i];
      if (ignore_case && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      return c;
    };
    const int a = lower(pos + 1);
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    const int b = lower(pos + 2);
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
    return 0;
  }

  // Past the run of characters having any of `bits`, starting at `pos`.
  size_t skip(size_t pos, uint8_t bits) const {
    for (Char c = at(pos); c.cls & bits; c = at(pos)) pos += c.len;
    return pos;
  }

  // Past the run of characters having none of `bits`, starting at `pos`.
  size_t skip_not(size_t pos, uint8_t bits) const {
    for (Char c = at(pos); c.cp != kEnd && !(c.cls & bits); c = at(pos)) pos += c.len;
    return pos;
  }

  // The whitespace alternatives at `pos`, which holds whitespace. With `newline_rule`,
  // \s*[\r\n]+ first (to the last \r or \n of the run); then \s+(?!\S) (the run less its last
  // character when something follows it), then \s+. Returns the end of the piece.
  size_t whitespace(size_t pos, bool newline_rule) const {
    size_t end = pos, last_start = pos, newline_end = 0, count = 0;
    Char c = at(pos);
    for (; c.cls & kWhitespace; c = at(end)) {
      last_start = end;
      end += c.len;
      if (c.cp == '\r' || c.cp == '\n') newline_end = end;
      ++count;
    }
    if (newline_rule && newline_end != 0) return newline_end;
    if (count > 1 && c.cp != kEnd) return last_start;
    return count > 0 ? end : pos + at(pos).len;
  }

  void emit(size_t begin, size_t end) { pieces_.push_back(text_.substr(begin, end - begin)); }

  // gpt2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
  void split_gpt2() {
    size_t pos = 0;
    while (pos < text_.size()) {
      const size_t begin = pos;
      const Char c = at(pos);
      if (c.cp == '\'') {
        if (const size_t n = contraction(pos, /*ignore_case=*/false)) {
          emit(begin, pos + n);
          pos += n;
          continue;
        }
      }
      size_t p = pos;
      Char d = c;
      if (c.cp == ' ') {
        p += 1;
        d = at(p);
      }
      if (d.cls & kLetter) {
        pos = skip(p, kLetter);
      } else if (d.cls & kNumber) {
        pos = skip(p, kNumber);
      } else if (d.cp != kEnd && !(d.cls & (kWhitespace | kLetter | kNumber))) {
        pos = skip_not(p, kWhitespace | kLetter | kNumber);
      } else {
        pos = whitespace(pos, /*newline_rule=*/false);
      }
      emit(begin, pos);
    }
  }

  // llama3, qwen2 and qwen35 (see the header): `max_digits` 3 or 1; `marks_in_words` for qwen35.
  void split_llama3_family(int max_digits, bool marks_in_words) {
    const uint8_t word = kLetter | (marks_in_words ? kMark : 0);
    const uint8_t not_punct = kWhitespace | kNumber | word;
    size_t pos = 0;
    while (pos < text_.size()) {
      const size_t begin = pos;
      const Char c = at(pos);
      // (?i:'s|'t|'re|'ve|'m|'ll|'d)
      if (c.cp == '\'') {
        if (const size_t n = contraction(pos, /*ignore_case=*/true)) {
          emit(begin, pos + n);
          pos += n;
          continue;
        }
      }
      // [^\r\n\p{L}\p{N}]?\p{L}+: a word, with at most one leading character that is not a
      // newline or a digit.
      if (c.cp != '\r' && c.cp != '\n' && !(c.cls & kNumber) &&
          ((c.cls & word) || (at(pos + c.len).cls & word))) {
        pos = skip(pos + c.len, word);
        emit(begin, pos);
        continue;
      }
      // \p{N}{1,3} or \p{N}
      if (c.cls & kNumber) {
        pos += c.len;
        for (int n = 1; n < max_digits; ++n) {
          const Char d = at(pos);
          if (!(d.cls & kNumber)) break;
          pos += d.len;
        }
        emit(begin, pos);
        continue;
      }
      // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
      const size_t p = c.cp == ' ' ? pos + 1 : pos;
      const Char d = at(p);
      if (d.cp != kEnd && !(d.cls & not_punct)) {
        pos = skip_not(p, not_punct);
        for (Char e = at(pos); e.cp == '\r' || e.cp == '\n'; e = at(pos)) pos += 1;
        emit(begin, pos);
        continue;
      }
      // \s*[\r\n]+|\s+(?!\S)|\s+
      pos = whitespace(pos, /*newline_rule=*/true);
      emit(begin, pos);
    }
  }

 private:
  std::string_view text_;
  std::vector<std::string_view>& pieces_;
};

}  // namespace

std::optional<PreTokenizerKind> pre_tokenizer_from_name(std::string_view name) {
  for (const auto& n : kNames) {
    if (n.name == name) return n.kind;
  }
  return std::nullopt;
}

std::string supported_pre_tokenizer_names() {
  std::string out;
  for (const auto& n : kNames) {
    if (!out.empty()) out += ", ";
    out += n.name;
  }
  return out;
}

std::string_view pre_tokenizer_name(PreTokenizerKind kind) {
  for (const auto& n : kNames) {
    if (n.kind == kind) return n.name;
  }
  return "unknown";
}

void pre_tokenize(PreTokenizerKind kind, std::string_view text,
                  std::vector<std::string_view>& pieces) {
  Splitter splitter(text, pieces);
  switch (kind) {
    case PreTokenizerKind::kGpt2:
      splitter.split_gpt2();
      return;
    case PreTokenizerKind::kLlama3:
      splitter.split_llama3_family(3, false);
      return;
    case PreTokenizerKind::kQwen2:
      splitter.split_llama3_family(1, false);
      return;
    case PreTokenizerKind::kQwen35:
      splitter.split_llama3_family(1, true);
      return;
  }
}

}  // namespace engine
