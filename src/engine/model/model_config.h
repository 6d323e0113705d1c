// The hyperparameters of a model, read from GGUF metadata (`<arch>.*` keys) and checked before
// any buffer is sized from them.
#pragma once

#include <cstdint>
#include <string>

#include "engine/gguf/gguf_file.h"
#include "engine/ops/rope.h"

namespace engine {

enum class Architecture { kLlama, kQwen2, kQwen3 };

struct ModelConfig {
  Architecture arch;
  std::string arch_name;  // general.architecture, e.g. "qwen3"
  std::string name;       // general.name, may be empty
  uint32_t n_vocab = 0;
  uint32_t n_ctx_train = 0;  // context length the model was trained for
  uint32_t n_embd = 0;
  uint32_t n_layer = 0;
  uint32_t n_ff = 0;
  uint32_t n_head = 0;
  uint32_t n_head_kv = 0;
  uint32_t head_dim_k = 0;  // attention.key_length, default n_embd / n_head
  uint32_t head_dim_v = 0;  // attention.value_length, default head_dim_k
  float rms_eps = 1e-6f;
  ops::RopeMode rope_mode = ops::RopeMode::kNeox;  // kNorm for llama
  uint32_t n_rot = 0;  // rotated dimensions of each head (rope.dimension_count)
  float rope_freq_base = 10000.0f;
  float rope_freq_scale = 1.0f;  // 1 / rope.scaling.factor for linear scaling

  uint32_t n_gqa() const { return n_head / n_head_kv; }
};

// Reads and validates the hyperparameters; throws GgufError naming the key that is missing,
// of the wrong type, or out of range, and for an architecture the engine does not run.
ModelConfig read_model_config(const GgufFile& file);

}  // namespace engine
