// Streaming detokenization: fed token ids one at a time, returns text that never ends inside a
// UTF-8 character. A token whose bytes end in the middle of a character (byte-level BPE splits
// emoji and CJK characters across tokens) is held until the character completes; bytes that cannot
// become a valid character come out as U+FFFD, one per maximal invalid subpart (as Unicode's
// "substitution of maximal subparts" and WHATWG's decoder do), so nothing is held forever.
#pragma once

#include <string>

#include "engine/tokenizer/tokenizer.h"

namespace engine {

class TokenDecoder {
 public:
  explicit TokenDecoder(const Tokenizer& tokenizer) : tokenizer_(&tokenizer) {}

  // The complete characters that `id` adds (possibly none). Throws TokenizerError for an id outside
  // the vocab, leaving the decoder as it was.
  std::string feed(TokenId id);
  // Ends the stream: the held bytes of an unfinished character, as U+FFFD (or nothing).
  std::string finish();
  // Bytes held back, waiting for the rest of their character (0..3).
  size_t pending_size() const { return pending_.size(); }

 private:
  const Tokenizer* tokenizer_;  // borrowed; must outlive this decoder
  std::string pending_;         // the start of an unfinished character
};

// Appends `bytes` to `out` as valid UTF-8, each invalid subpart replaced by U+FFFD; returns how
// many bytes at the end of `bytes` are the valid start of an unfinished character (not appended).
size_t append_valid_utf8(std::string_view bytes, std::string& out);

}  // namespace engine
