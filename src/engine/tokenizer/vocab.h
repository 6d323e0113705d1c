// The plain description of a byte-level BPE tokenizer, as a loader reads it from a GGUF file or a
// Hugging Face tokenizer.json, before Tokenizer validates it and builds its tables.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace engine {

using TokenId = int32_t;

// Token types, numbered as GGUF's tokenizer.ggml.token_type (llama.cpp's llama_token_type).
enum class TokenType : int32_t {
  kUndefined = 0,
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,      // special tokens: <|im_start|>, <|endoftext|>
  kUserDefined = 4,  // added tokens that are not special: <tool_call>, <think>
  kUnused = 5,       // padding entries of the vocab: [PAD151669]
  kByte = 6,         // <0x0A> style byte tokens (SentencePiece vocabularies)
};

// Text normalization applied to ordinary text before pre-tokenization.
enum class Normalization { kNone, kNfc };

// Thrown for a vocabulary that cannot be used and for bad encode/decode input. The message says
// what was expected and what was found.
class TokenizerError : public std::runtime_error {
 public:
  explicit TokenizerError(const std::string& message) : std::runtime_error(message) {}
};

struct Vocab {
  std::string model = "gpt2";  // tokenizer.ggml.model; only "gpt2" (byte-level BPE) is supported
  std::string pre;             // tokenizer.ggml.pre: qwen2, qwen35, llama-bpe, gpt-2
  std::vector<std::string> tokens;  // token text, byte-level encoded (GPT-2's byte-to-unicode)
  std::vector<TokenType> types;     // one per token, or empty: all kNormal
  std::vector<std::string> merges;  // "left right", highest priority first
  // Unset: what the pre-tokenizer's models use (NFC for qwen2/qwen35, whose Hugging Face
  // tokenizers normalize; none otherwise).
  std::optional<Normalization> normalization;
  // Unset: true for llama-bpe (as llama.cpp), false otherwise. Hugging Face's ignore_merges: a
  // piece that is a whole token is that token, whatever the merges would make of it.
  std::optional<bool> ignore_merges;

  std::optional<TokenId> bos_id, eos_id, eot_id, eom_id, pad_id;
  std::optional<bool> add_bos;  // unset: true for llama-bpe, false otherwise (as llama.cpp)
};

}  // namespace engine
