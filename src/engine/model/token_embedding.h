// The token embedding table (token_embd.weight, [n_embd, n_vocab] in GGUF order), read in place
// from the mapped file: a token's row is dequantized when it is looked up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "engine/gguf/gguf_file.h"
#include "engine/model/weight_binder.h"

namespace engine {

class TokenEmbedding {
 public:
  // Throws GgufError when the tensor is missing, shaped otherwise, or of a type we cannot run.
  TokenEmbedding(const GgufFile& file, WeightBinder& w, size_t n_embd, size_t n_vocab);

  // x[i] = the row of tokens[i], for ids already checked against the vocabulary.
  void lookup(std::span<const int32_t> tokens, float* x) const;  // x: [tokens.size(), n_embd]

 private:
  const GgufFile& file_;          // borrowed: the model holds the file
  const GgufTensorInfo* tensor_;  // borrowed from file_
  size_t n_embd_, row_bytes_;
};

}  // namespace engine
