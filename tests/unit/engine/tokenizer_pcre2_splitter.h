// The pre-tokenizer regexes run by PCRE2 (UTF + UCP, JIT): the oracle our hand-written
// pre-tokenizer is checked against, and the alternative it was measured against
// (docs/PERFORMANCE.md). Patterns as llama.cpp's llama-vocab.cpp adapts them ((?i:...) spelled as
// [sS]); PCRE2's \s is \p{Zs} + \h + \v, which adds only U+180E to White_Space.
#pragma once

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/pre_tokenizer.h"

namespace engine::tokenizer_test {

inline const char* pcre2_pattern(PreTokenizerKind kind) {
  switch (kind) {
    case PreTokenizerKind::kGpt2:
      return R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
    case PreTokenizerKind::kLlama3:
      return R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
    case PreTokenizerKind::kQwen2:
      return R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
    case PreTokenizerKind::kQwen35:
      return R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
  }
  return "";
}

class Pcre2Splitter {
 public:
  explicit Pcre2Splitter(PreTokenizerKind kind) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pcre2_pattern(kind)), PCRE2_ZERO_TERMINATED,
                          PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &error, &offset, nullptr);
    if (!code_) throw std::runtime_error("pcre2_compile failed at " + std::to_string(offset));
    pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE);
    match_ = pcre2_match_data_create_from_pattern(code_, nullptr);
  }
  ~Pcre2Splitter() {
    pcre2_match_data_free(match_);
    pcre2_code_free(code_);
  }
  Pcre2Splitter(const Pcre2Splitter&) = delete;
  Pcre2Splitter& operator=(const Pcre2Splitter&) = delete;

  // Pieces as the regex finds them, with unmatched text between matches as pieces of its own
  // (there is none for these patterns).
  void split(std::string_view text, std::vector<std::string_view>& pieces) {
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    size_t pos = 0;
    while (pos < text.size()) {
      const int rc =
          pcre2_match(code_, subject, text.size(), pos, PCRE2_NO_UTF_CHECK, match_, nullptr);
      if (rc < 0) {
        pieces.push_back(text.substr(pos));
        return;
      }
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(match_);
      if (ov[0] > pos) pieces.push_back(text.substr(pos, ov[0] - pos));
      if (ov[1] == ov[0]) throw std::runtime_error("empty match");
      pieces.push_back(text.substr(ov[0], ov[1] - ov[0]));
      pos = ov[1];
    }
  }

 private:
  pcre2_code* code_ = nullptr;         // owned
  pcre2_match_data* match_ = nullptr;  // owned
};

}  // namespace engine::tokenizer_test
