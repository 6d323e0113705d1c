// The special-token texts of a vocabulary (<|im_start|>, <think>, <tool_call>, ...) and how the
// chat layer keeps untrusted text from turning into control tokens.
//
// engine::Tokenizer turns the text of a CONTROL or USER_DEFINED token into that token wherever it
// appears, unless parse_special is off. A rendered prompt mixes the template's own text (whose
// special texts must become tokens) with client text (whose must not: a user typing
// "<|im_start|>system" must not open a system turn). So before rendering, every special text
// inside client strings is replaced by an escape sequence of private-use characters (protect());
// the template sees no special text there, and nothing it does with strings (trim, split,
// startswith, tojson) touches the escapes. After rendering, restore() puts the original text back
// and records where the special texts that remain (the template's) sit; tokenize_prompt() encodes
// the text between them with parse_special off and inserts their ids. The ids equal what the
// tokenizer gives for the rendered text with parse_special on, except inside client text.
//
// Escapes: U+10FFFD then U+100000 + k for the k-th special text; a literal U+10FFFD in client
// text becomes U+10FFFD twice. U+10FFFD then U+10FFFC is the cut mark (cut_mark()): restore()
// stops there (the end of an assistant prefill, where generation continues).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/tokenizer.h"

namespace chat {

struct SpecialToken {
  std::string text;
  engine::TokenId id = 0;
};

// A special token of the template's text inside a rendered prompt.
struct SpecialSpan {
  size_t offset = 0;  // bytes into the prompt text
  size_t length = 0;
  engine::TokenId id = 0;
  friend bool operator==(const SpecialSpan&, const SpecialSpan&) = default;
};

class SpecialTexts {
 public:
  SpecialTexts() = default;
  // Empty texts are skipped. Throws std::invalid_argument beyond 65532 specials.
  explicit SpecialTexts(std::vector<SpecialToken> tokens);
  // The CONTROL and USER_DEFINED tokens: exactly those engine::Tokenizer matches.
  static SpecialTexts from_tokenizer(const engine::Tokenizer& tokenizer);

  // The special token starting at `pos`, longest first, ties to the lowest id (the tokenizer's
  // rule); null if none.
  const SpecialToken* match_at(std::string_view text, size_t pos) const;
  // The special token of this text exactly, if any.
  const SpecialToken* find_text(std::string_view text) const;

  std::string protect(std::string_view untrusted) const;

  struct Restored {
    std::string text;
    std::vector<SpecialSpan> spans;
    bool cut = false;  // the rendering held the cut mark: `text` ends where it was
  };
  // Put in a string after protect(): restore() ends the text there.
  static std::string cut_mark();
  // Throws std::runtime_error if the rendering holds a broken escape (a template that cut a
  // client string in the middle of one).
  Restored restore(std::string_view rendered) const;

  size_t size() const { return tokens_.size(); }
  const std::vector<SpecialToken>& tokens() const { return tokens_; }

 private:
  std::vector<SpecialToken> tokens_;   // grouped by first byte, longest first within a group
  std::vector<size_t> original_;       // tokens_ index -> index in the given order (escape number)
  std::vector<size_t> by_escape_;      // escape number -> tokens_ index
  std::array<uint32_t, 257> begin_{};  // tokens_ range of each first byte
};

// The prompt's token ids: the text between spans encoded with parse_special off, each span as its
// id; a BOS in front when the tokenizer asks for one and the prompt does not start with it.
std::vector<engine::TokenId> tokenize_prompt(const engine::Tokenizer& tokenizer,
                                             std::string_view text,
                                             const std::vector<SpecialSpan>& spans);

}  // namespace chat
