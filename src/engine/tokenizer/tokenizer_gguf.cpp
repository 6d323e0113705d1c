// Tokenizer from a GGUF file's tokenizer.ggml.* metadata, the keys llama.cpp's
// convert_hf_to_gguf.py writes.
#include <limits>

#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/tokenizer.h"

namespace engine {
namespace {

std::optional<TokenId> read_id(const GgufFile& file, std::string_view key) {
  const auto value = file.get_uint(key);
  if (!value) return std::nullopt;
  if (*value > static_cast<uint64_t>(std::numeric_limits<TokenId>::max())) {
    throw TokenizerError(file.path().string() + ": " + std::string(key) + " is " +
                         std::to_string(*value) + ", not a token id");
  }
  return static_cast<TokenId>(*value);
}

}  // namespace

Tokenizer Tokenizer::from_gguf(const GgufFile& file) {
  const std::string where = file.path().string() + ": ";
  const auto require_string = [&](std::string_view key, std::string_view why) {
    const auto value = file.get_string(key);
    if (!value)
      throw TokenizerError(where + "no " + std::string(key) + " (" + std::string(why) + ")");
    return std::string(*value);
  };

  Vocab vocab;
  vocab.model = require_string("tokenizer.ggml.model", "the tokenizer type, e.g. gpt2");
  vocab.pre = require_string("tokenizer.ggml.pre",
                             "how to pre-tokenize; supported: " + supported_pre_tokenizer_names());
  const auto tokens = file.get_string_array("tokenizer.ggml.tokens");
  if (!tokens) throw TokenizerError(where + "no tokenizer.ggml.tokens (the vocab)");
  vocab.tokens.assign(tokens->begin(), tokens->end());
  if (const auto types = file.get_int_array("tokenizer.ggml.token_type")) {
    vocab.types.reserve(types->size());
    for (size_t i = 0; i < types->size(); ++i) {
      const int64_t t = (*types)[i];
      if (t < 0 || t > static_cast<int64_t>(TokenType::kByte)) {
        throw TokenizerError(where + "tokenizer.ggml.token_type[" + std::to_string(i) + "] is " +
                             std::to_string(t) + "; expected 0..6");
      }
      vocab.types.push_back(static_cast<TokenType>(t));
    }
  }
  const auto merges = file.get_string_array("tokenizer.ggml.merges");
  if (!merges) throw TokenizerError(where + "no tokenizer.ggml.merges (BPE needs its merges)");
  vocab.merges.assign(merges->begin(), merges->end());

  vocab.bos_id = read_id(file, "tokenizer.ggml.bos_token_id");
  vocab.eos_id = read_id(file, "tokenizer.ggml.eos_token_id");
  vocab.eot_id = read_id(file, "tokenizer.ggml.eot_token_id");
  vocab.eom_id = read_id(file, "tokenizer.ggml.eom_token_id");
  vocab.pad_id = read_id(file, "tokenizer.ggml.padding_token_id");
  vocab.add_bos = file.get_bool("tokenizer.ggml.add_bos_token");
  try {
    return Tokenizer(std::move(vocab));
  } catch (const TokenizerError& e) {
    throw TokenizerError(where + e.what());
  }
}

}  // namespace engine
