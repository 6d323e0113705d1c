// Rotary position embeddings as ggml computes them (ggml_rope_ext without YaRN): the angle of pair
// i at position p is p * freq_scale * base^(-2i/n_rot) / freq_factor[i], the powers built by
// repeated multiplication in float as ggml does, so angles match llama.cpp's bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace engine::ops {

enum class RopeMode {
  kNorm,  // rotates adjacent pairs (x[2i], x[2i+1]): llama
  kNeox,  // rotates halves (x[i], x[i + n_rot/2]): qwen2, qwen3
};

struct RopeParams {
  RopeMode mode = RopeMode::kNeox;
  uint32_t n_rot = 0;  // rotated dimensions of each head; the rest pass through
  float freq_base = 10000.0f;
  float freq_scale = 1.0f;
  std::vector<float> freq_factors;  // [n_rot / 2] or empty (llama 3's rope_freqs tensor)
};

class Rope {
 public:
  explicit Rope(RopeParams params);

  // Rotates n_heads heads of head_dim floats each ([n_heads][head_dim]) for position pos.
  void apply(float* x, size_t n_heads, size_t head_dim, int64_t pos) const;

  const RopeParams& params() const { return params_; }

 private:
  RopeParams params_;
  float theta_scale_;
};

}  // namespace engine::ops
