// The pre-tokenizers of byte-level BPE vocabularies: each splits text into the pieces ("words")
// that BPE then encodes one by one. Hand-written equivalents of the regexes of the Hugging Face
// tokenizer.json files (and of llama.cpp's llama-vocab.cpp for the same GGUF tokenizer.ggml.pre):
//
//   gpt2    's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   llama3  (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//           ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//   qwen2   as llama3 with \p{N} (one digit per piece)
//   qwen35  as qwen2 with letter runs [\p{L}\p{M}]+ (combining marks join words) and
//           [^\s\p{L}\p{M}\p{N}] as the punctuation class
//
// The case-insensitive contractions match ASCII letters only ('S, 'Ll), as llama.cpp and
// transformers.js do. \s is Unicode White_Space (as in Rust's regex and llama.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace engine {

enum class PreTokenizerKind { kGpt2, kLlama3, kQwen2, kQwen35 };

// The kind for a GGUF tokenizer.ggml.pre value ("qwen2", "qwen35", "llama-bpe", "gpt-2", ...),
// or nullopt for a value we do not support.
std::optional<PreTokenizerKind> pre_tokenizer_from_name(std::string_view name);

// The accepted tokenizer.ggml.pre values, for error messages: "gpt-2, gpt2, llama-bpe, ...".
std::string supported_pre_tokenizer_names();

std::string_view pre_tokenizer_name(PreTokenizerKind kind);  // "qwen2", "llama-bpe", ...

// Appends the pieces of `text` (valid UTF-8) to `pieces`, in order; they are views into `text`
// and together cover it exactly.
void pre_tokenize(PreTokenizerKind kind, std::string_view text,
                  std::vector<std::string_view>& pieces);

}  // namespace engine
