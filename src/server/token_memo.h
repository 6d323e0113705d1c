// server::TokenMemo: the token ids of long prompt segments seen before, so that a prompt which
// repeats them is tokenized only where it is new. Claude Code resends its whole 15-25k-token prompt
// every turn and counts tokens in bursts of 40-50 requests that share the system prompt and tools;
// without the memo each of them would re-encode it all.
//
// A rendered prompt is text with the template's special tokens at known spans, and
// chat::tokenize_prompt encodes each stretch of text between two spans on its own. So a stretch's
// ids depend only on its bytes: the memo keys them by the exact text (no hash collisions can give
// a wrong count) and returns the same ids as chat::tokenize_prompt, by construction. The stretches
// of one prompt are its system prompt, each message, each tool result: a new turn adds a few new
// ones after the shared prefix, and only those are encoded.
//
// Bounded by max_bytes (text plus ids), least recently used out first. Thread-safe: the HTTP
// threads of count_tokens and /v1/messages share one memo; encoding runs outside the lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "chat/special_texts.h"
#include "engine/tokenizer/tokenizer.h"

namespace server {

struct TokenMemoStats {
  size_t entries = 0;
  size_t bytes = 0;
  uint64_t hits = 0;    // stretches whose ids came from the memo
  uint64_t misses = 0;  // stretches long enough to keep that were encoded
};

class TokenMemo {
 public:
  // Stretches shorter than this are encoded every time: they are cheap, and many.
  static constexpr size_t kMinBytes = 256;

  // `tokenizer` is borrowed and must outlive the memo.
  TokenMemo(const engine::Tokenizer& tokenizer, size_t max_bytes);

  TokenMemo(const TokenMemo&) = delete;
  TokenMemo& operator=(const TokenMemo&) = delete;

  // The ids chat::tokenize_prompt(tokenizer, text, spans) gives. Throws engine::TokenizerError as
  // it does (text that is not UTF-8).
  std::vector<engine::TokenId> tokenize(std::string_view text,
                                        const std::vector<chat::SpecialSpan>& spans);

  TokenMemoStats stats() const;

 private:
  struct Entry {
    std::string text;
    std::vector<engine::TokenId> ids;
    size_t bytes() const { return text.size() + ids.size() * sizeof(engine::TokenId); }
  };

  void encode_stretch(std::string_view stretch, std::vector<engine::TokenId>& out);

  const engine::Tokenizer& tokenizer_;  // borrowed
  const size_t max_bytes_;
  mutable std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  // Keys view the text of the entry they point to.
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;
  TokenMemoStats stats_;
};

}  // namespace server
