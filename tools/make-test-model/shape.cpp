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
