// What make-test-model writes, before any byte is written: the model's shape (sizes, from a preset
// and flags) and the list of its tensors, each with its role and how its random values are drawn.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace make_test_model {

// The sizes of a model. The presets (shape.cpp) are real models' shapes or small ones for tests.
struct Shape {
  std::string name;        // the preset it came from: "qwen3-0.6b"
  uint32_t n_layer = 0;    // block_count
  uint32_t n_embd = 0;     // embedding_length
  uint32_t n_head = 0;     // attention.head_count
  uint32_t n_head_kv = 0;  // attention.head_count_kv
  uint32_t head_dim = 0;   // attention.key_length = value_length
  uint32_t n_ff = 0;       // feed_forward_length
  uint32_t n_vocab = 0;    // rows of token_embd / output: the tokenizer's vocab padded to this
  uint32_t n_ctx = 0;      // context_length; 0: the architecture's default
  bool tied = true;        // no output.weight: the output projection reuses token_embd
  // Llama 3's rope_scaling.factor (8 for Llama 3.1, 32 for Llama 3.2); only llama uses it.
  float rope_scaling_factor = 8.0f;
  // Mixture of experts (qwen3moe, qwen35moe); 0 experts for the dense shapes.
  uint32_t n_expert = 0;       // expert_count
  uint32_t n_expert_used = 0;  // expert_used_count
  uint32_t n_ff_exp = 0;       // expert_feed_forward_length
  uint32_t n_ff_shexp = 0;     // expert_shared_feed_forward_length (qwen35moe)
  // Gated DeltaNet layers (qwen35, qwen35moe); 0 heads for the pure transformers.
  uint32_t ssm_d_state = 0;    // ssm.state_size: linear_key_head_dim = linear_value_head_dim
  uint32_t ssm_n_k_heads = 0;  // ssm.group_count: linear_num_key_heads
  uint32_t ssm_n_v_heads = 0;  // ssm.time_step_rank: linear_num_value_heads
  uint32_t ssm_d_conv = 4;     // ssm.conv_kernel
  uint32_t full_attention_interval = 4;
  uint32_t n_rot = 0;  // rope.dimension_count: head_dim * partial_rotary_factor; 0: head_dim
};

// What a tensor is for; the quantization mix (weight_mix.cpp) picks types by role, as llama.cpp's
// llama_tensor_get_type does by name.
enum class TensorRole {
  kTokenEmbd,
  kOutput,
  kOutputNorm,
  kRopeFreqs,
  kAttnNorm,
  kAttnQ,
  kAttnK,
  kAttnV,
  kAttnOutput,
  kAttnQNorm,
  kAttnKNorm,
  kAttnBias,
  kFfnNorm,
  kFfnGate,
  kFfnUp,
  kFfnDown,
  kFfnGateInp,  // the router: kept f32 by converter and quantizer alike
  kFfnGateExps,
  kFfnUpExps,
  kFfnDownExps,
  kFfnGateInpShexp,  // 1-D
  kFfnGateShexp,
  kFfnUpShexp,
  kFfnDownShexp,
  kAttnPostNorm,
  kSsmQkv,   // attn_qkv
  kSsmGate,  // attn_gate (z)
  kSsmAlpha,
  kSsmBeta,
  kSsmConv1d,  // kept f32 by converter and quantizer alike
  kSsmDt,      // 1-D
  kSsmA,       // 1-D
  kSsmNorm,    // 1-D
  kSsmOut,
};

// Values of a tensor: `values` when given (exact, e.g. Llama 3's rope frequency factors), otherwise
// mean + stddev * z with z drawn from a seeded, approximately standard normal source.
struct TensorInit {
  float mean = 0.0f;
  float stddev = 0.0f;
  std::vector<float> values;  // [ne[0]] for a 1-D tensor, or empty

  static TensorInit normal(float mean, float stddev) { return {mean, stddev, {}}; }
  static TensorInit fixed(std::vector<float> values) { return {0.0f, 0.0f, std::move(values)}; }
};

struct TensorSpec {
  std::string name;          // GGUF name: "blk.0.attn_q.weight"
  std::vector<uint64_t> ne;  // GGML order: ne[0] is the row length
  TensorRole role;
  int layer = -1;  // the block, or -1 outside the blocks
  TensorInit init;

  uint64_t n_elements() const {
    uint64_t n = 1;
    for (const uint64_t d : ne) n *= d;
    return n;
  }
  uint64_t n_rows() const { return n_elements() / ne[0]; }
};

}  // namespace make_test_model
