#include "engine/model/token_embedding.h"

#include "engine/gguf/gguf_error.h"
#include "engine/kernels/weight_type.h"

namespace engine {

TokenEmbedding::TokenEmbedding(const GgufFile& file, WeightBinder& w, size_t n_embd, size_t n_vocab)
    : file_(file), tensor_(&w.tensor("token_embd.weight", n_embd, n_vocab)), n_embd_(n_embd) {
  if (!kernels::find_weight_type(static_cast<GgmlType>(tensor_->type_id))) {
    throw GgufError(file.path().string() + ": tensor 'token_embd.weight' has type " +
                    tensor_->type_name() + ", which this engine does not run");
  }
  row_bytes_ = tensor_->n_bytes / n_vocab;
}

void TokenEmbedding::lookup(std::span<const int32_t> tokens, float* x) const {
  const auto type = static_cast<GgmlType>(tensor_->type_id);
  const auto table = file_.tensor_data(*tensor_);
  for (size_t i = 0; i < tokens.size(); ++i) {
    const auto bytes = table.subspan(static_cast<size_t>(tokens[i]) * row_bytes_, row_bytes_);
    kernels::dequantize_row(type, {reinterpret_cast<const uint8_t*>(bytes.data()), row_bytes_},
                            x + i * n_embd_, n_embd_);
  }
}

}  // namespace engine
