#include "shape.h"

#include <array>
#include <stdexcept>

namespace make_test_model {
namespace {

// n_ctx 0: the architecture's default. The real shapes are those of the models' config.json.
const std::array kPresets = {
    Shape{.name = "tiny",
          .n_layer = 2,
          .n_embd = 64,
          .n_head = 4,
          .n_head_kv = 2,
          .head_dim = 16,
          .n_ff = 128,
          .n_vocab = kQwenPaddedVocab,
          .tied = true},
    Shape{.name = "small",
          .n_layer = 4,
          .n_embd = 256,
          .n_head = 4,
          .n_head_kv = 2,
          .head_dim = 64,
          .n_ff = 512,
          .n_vocab = kQwenPaddedVocab,
          .tied = true},
    Shape{.name = "qwen3-0.6b",
          .n_layer = 28,
          .n_embd = 1024,
          .n_head = 16,
          .n_head_kv = 8,
          .head_dim = 128,
          .n_ff = 3072,
          .n_vocab = kQwenPaddedVocab,
          .n_ctx = 40960,
          .tied = true},
    Shape{.name = "qwen3-1.7b",
          .n_layer = 28,
          .n_embd = 2048,
          .n_head = 16,
          .n_head_kv = 8,
          .head_dim = 128,
          .n_ff = 6144,
          .n_vocab = kQwenPaddedVocab,
          .n_ctx = 40960,
          .tied = true},
    Shape{.name = "qwen3-8b",
          .n_layer = 36,
          .n_embd = 4096,
          .n_head = 32,
          .n_head_kv = 8,
          .head_dim = 128,
          .n_ff = 12288,
          .n_vocab = kQwenPaddedVocab,
          .n_ctx = 40960,
          .tied = false},
    Shape{.name = "qwen2.5-0.5b",
          .n_layer = 24,
          .n_embd = 896,
          .n_head = 14,
          .n_head_kv = 2,
          .head_dim = 64,
          .n_ff = 4864,
          .n_vocab = kQwenPaddedVocab,
          .n_ctx = 32768,
          .tied = true},
    // Llama 3.2 1B with Qwen's vocab (its own cannot be had here); rope_scaling factor 32 as in
    // its config.json.
    Shape{.name = "llama3.2-1b",
          .n_layer = 16,
          .n_embd = 2048,
          .n_head = 32,
          .n_head_kv = 8,
          .head_dim = 64,
          .n_ff = 8192,
          .n_vocab = kQwenPaddedVocab,
          .n_ctx = 131072,
          .tied = true,
          .rope_scaling_factor = 32.0f},
    // Mixture of experts for tests (qwen3moe, qwen35moe): 16 experts (llama.cpp's quantizer
    // treats exactly 8 specially), 4 per token.
    Shape{.name = "tiny-moe",
          .n_layer = 2,
          .n_embd = 64,
          .n_head = 4,
          .n_head_kv = 2,
          .head_dim = 16,
          .n_ff = 128,
          .n_vocab = kQwenPaddedVocab,
          .tied = true,
          .n_expert = 16,
          .n_expert_used = 4,
          .n_ff_exp = 32,
          .n_ff_shexp = 64},
    // Gated DeltaNet hybrids for tests (qwen35, qwen35moe): 4 blocks, the last one full
    // attention; 2 key heads shared by 4 value heads as in Qwen3.6; partial rope (8 of 16).
    Shape{.name = "tiny-hybrid",
          .n_layer = 4,
          .n_embd = 64,
          .n_head = 4,
          .n_head_kv = 2,
          .head_dim = 16,
          .n_ff = 128,
          .n_vocab = kQwenPaddedVocab,
          .tied = false,
          .n_expert = 16,
          .n_expert_used = 4,
          .n_ff_exp = 32,
          .n_ff_shexp = 64,
          .ssm_d_state = 16,
          .ssm_n_k_heads = 2,
          .ssm_n_v_heads = 4,
          .n_rot = 8},
    // Qwen3-Coder-30B-A3B-Instruct's config.json (qwen3moe).
    Shape{.name = "qwen3-coder-30b-a3b",
          .n_layer = 48,
          .n_embd = 2048,
          .n_head = 32,
          .n_head_kv = 4,
          .head_dim = 128,
          .n_ff = 6144,
          .n_vocab = kQwenPaddedVocab,
          .n_ctx = 262144,
          .tied = false,
          .n_expert = 128,
          .n_expert_used = 8,
          .n_ff_exp = 768},
    // Qwen3.6-35B-A3B (qwen35moe): 40 blocks, every 4th full attention (16 heads of 256, 2 KV
    // heads, 64 rotated dims); DeltaNet 16 key / 32 value heads of 128; 256 experts of 512, 8
    // per token, one shared expert of 512. Its own vocab is 248320 rows.
    Shape{.name = "qwen3.6-35b-a3b",
          .n_layer = 40,
          .n_embd = 2048,
          .n_head = 16,
          .n_head_kv = 2,
          .head_dim = 256,
          .n_ff = 512,
          .n_vocab = 248320,
          .n_ctx = 262144,
          .tied = false,
          .n_expert = 256,
          .n_expert_used = 8,
          .n_ff_exp = 512,
          .n_ff_shexp = 512,
          .ssm_d_state = 128,
          .ssm_n_k_heads = 16,
          .ssm_n_v_heads = 32,
          .n_rot = 64},
    // Qwen3.6-27B (qwen35): 64 blocks, every 4th full attention (24 heads of 256, 4 KV heads);
    // DeltaNet 16 key / 48 value heads of 128; SwiGLU of 17408.
    Shape{.name = "qwen3.6-27b",
          .n_layer = 64,
          .n_embd = 5120,
          .n_head = 24,
          .n_head_kv = 4,
          .head_dim = 256,
          .n_ff = 17408,
          .n_vocab = 248320,
          .n_ctx = 262144,
          .tied = false,
          .ssm_d_state = 128,
          .ssm_n_k_heads = 16,
          .ssm_n_v_heads = 48,
          .n_rot = 64},
};

// Vocab rows beyond this are a typo, not a model (the largest real vocabs have ~260K tokens).
constexpr uint32_t kMaxVocab = uint32_t{1} << 24;

void require_positive(const char* flag, uint32_t value) {
  if (value == 0) throw std::invalid_argument(std::string(flag) + " must be > 0, got 0");
}

}  // namespace

std::string preset_names() {
  std::string names;
  for (const Shape& s : kPresets) names += (names.empty() ? "" : ", ") + s.name;
  return names;
}

Shape preset_shape(std::string_view name) {
  for (const Shape& s : kPresets) {
    if (s.name == name) return s;
  }
  throw std::invalid_argument("unknown shape '" + std::string(name) + "'; the presets are " +
                              preset_names());
}

Shape make_shape(std::string_view preset, const ShapeOverrides& o) {
  Shape s = preset_shape(preset);
  s.n_layer = o.n_layer.value_or(s.n_layer);
  s.n_embd = o.n_embd.value_or(s.n_embd);
  s.n_head = o.n_head.value_or(s.n_head);
  s.n_head_kv = o.n_head_kv.value_or(s.n_head_kv);
  s.head_dim = o.head_dim.value_or(s.head_dim);
  s.n_ff = o.n_ff.value_or(s.n_ff);
  s.n_vocab = o.n_vocab.value_or(s.n_vocab);
  s.n_ctx = o.n_ctx.value_or(s.n_ctx);
  s.tied = o.tied.value_or(s.tied);

  require_positive("--layers", s.n_layer);
  require_positive("--embd", s.n_embd);
  require_positive("--heads", s.n_head);
  require_positive("--heads-kv", s.n_head_kv);
  require_positive("--head-dim", s.head_dim);
  require_positive("--ff", s.n_ff);
  require_positive("--vocab-pad", s.n_vocab);
  if (s.n_vocab > kMaxVocab) {
    throw std::invalid_argument("--vocab-pad " + std::to_string(s.n_vocab) + " is more than " +
                                std::to_string(kMaxVocab) + " rows");
  }
  if (s.n_head % s.n_head_kv != 0) {
    throw std::invalid_argument("--heads " + std::to_string(s.n_head) +
                                " must be a multiple of --heads-kv " + std::to_string(s.n_head_kv));
  }
  if (s.head_dim % 2 != 0) {
    throw std::invalid_argument("--head-dim must be even (RoPE rotates pairs), got " +
                                std::to_string(s.head_dim));
  }
  return s;
}

}  // namespace make_test_model
