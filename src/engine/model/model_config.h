// The hyperparameters of a model, read from GGUF metadata (`<arch>.*` keys) and checked before
// any buffer is sized from them.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/ops/rope.h"

namespace engine {

enum class Architecture { kLlama, kQwen2, kQwen3, kQwen3Moe, kQwen35, kQwen35Moe };

// The mixture-of-experts feed-forward (qwen3moe, qwen35moe): a router picks n_expert_used of
// n_expert SwiGLU experts per token; qwen35moe adds an always-on shared expert.
struct MoeConfig {
  uint32_t n_expert = 0;
  uint32_t n_expert_used = 0;
  uint32_t n_ff_exp = 0;       // expert_feed_forward_length: hidden size of one expert
  uint32_t n_ff_shexp = 0;     // expert_shared_feed_forward_length; 0: no shared expert
  bool weights_norm = true;    // renormalise the chosen experts' probabilities to sum to 1
  float weights_scale = 1.0f;  // then multiply them by this (expert_weights_scale)
};

// Gated DeltaNet linear attention (qwen35, qwen35moe), in GGUF's ssm.* words: per layer a short
// causal convolution over the q/k/v projections and a [head_v_dim][head_k_dim] float32 state per
// value head, updated by the gated delta rule.
struct DeltaNetConfig {
  uint32_t d_conv = 0;     // ssm.conv_kernel: taps of the causal convolution
  uint32_t d_state = 0;    // ssm.state_size: head_k_dim (= head_v_dim)
  uint32_t n_k_heads = 0;  // ssm.group_count: query/key heads
  uint32_t n_v_heads = 0;  // ssm.time_step_rank: value heads (a multiple of n_k_heads)

  uint32_t key_dim() const { return d_state * n_k_heads; }
  uint32_t value_dim() const { return d_state * n_v_heads; }  // ssm.inner_size
  uint32_t conv_dim() const { return 2 * key_dim() + value_dim(); }
  // Floats of one layer's recurrent state: the convolution's last d_conv - 1 inputs and the
  // delta-rule state of every value head.
  size_t conv_floats() const { return size_t{d_conv - 1} * conv_dim(); }
  size_t ssm_floats() const { return size_t{n_v_heads} * d_state * d_state; }
};

struct ModelConfig {
  Architecture arch;
  std::string arch_name;  // general.architecture, e.g. "qwen3"
  std::string name;       // general.name, may be empty
  uint32_t n_vocab = 0;
  uint32_t n_ctx_train = 0;  // context length the model was trained for
  uint32_t n_embd = 0;
  uint32_t n_layer = 0;  // blocks the forward runs (block_count less any nextn/MTP blocks)
  uint32_t n_ff = 0;     // dense feed-forward length; 0 where the architecture has none
  uint32_t n_head = 0;
  uint32_t n_head_kv = 0;
  uint32_t head_dim_k = 0;  // attention.key_length, default n_embd / n_head
  uint32_t head_dim_v = 0;  // attention.value_length, default head_dim_k
  float rms_eps = 1e-6f;
  ops::RopeMode rope_mode = ops::RopeMode::kNeox;  // kNorm for llama
  uint32_t n_rot = 0;  // rotated dimensions of each head (rope.dimension_count)
  float rope_freq_base = 10000.0f;
  float rope_freq_scale = 1.0f;  // 1 / rope.scaling.factor for linear scaling

  MoeConfig moe;             // n_expert == 0 for the dense architectures
  DeltaNetConfig delta_net;  // d_state == 0 without linear-attention layers
  // [n_layer]: true for a Gated DeltaNet layer, false for an attention layer (all false for the
  // pure transformers).
  std::vector<bool> recurrent;

  uint32_t n_gqa() const { return n_head / n_head_kv; }
  bool is_recurrent(size_t il) const { return recurrent[il]; }
  uint32_t n_layer_recurrent() const;
  uint32_t n_layer_attention() const { return n_layer - n_layer_recurrent(); }
};

// Reads and validates the hyperparameters; throws GgufError naming the key that is missing,
// of the wrong type, or out of range, and for an architecture the engine does not run.
ModelConfig read_model_config(const GgufFile& file);

}  // namespace engine
