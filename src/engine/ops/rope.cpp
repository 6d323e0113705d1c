#include "engine/ops/rope.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace engine::ops {

Rope::Rope(RopeParams params) : params_(std::move(params)) {
  if (params_.n_rot == 0 || params_.n_rot % 2 != 0) {
    throw std::invalid_argument("rope: n_rot must be a positive even number, got " +
                                std::to_string(params_.n_rot));
  }
  if (!params_.freq_factors.empty() && params_.freq_factors.size() != params_.n_rot / 2) {
    throw std::invalid_argument("rope: " + std::to_string(params_.freq_factors.size()) +
                                " frequency factors for " + std::to_string(params_.n_rot / 2) +
                                " rotated pairs");
  }
  theta_scale_ = std::pow(params_.freq_base, -2.0f / static_cast<float>(params_.n_rot));
}

void Rope::apply(float* x, size_t n_heads, size_t head_dim, int64_t pos) const {
  const size_t half = params_.n_rot / 2;
  // ggml: theta starts at the position and is multiplied by theta_scale for each pair.
  float theta_base = static_cast<float>(pos);
  for (size_t i = 0; i < half; ++i) {
    const float factor = params_.freq_factors.empty() ? 1.0f : params_.freq_factors[i];
    const float theta = params_.freq_scale * (theta_base / factor);
    const float cos_t = std::cos(theta);
    const float sin_t = std::sin(theta);
    for (size_t h = 0; h < n_heads; ++h) {
      float* head = x + h * head_dim;
      const size_t a = params_.mode == RopeMode::kNeox ? i : 2 * i;
      const size_t b = params_.mode == RopeMode::kNeox ? i + half : 2 * i + 1;
      const float x0 = head[a];
      const float x1 = head[b];
      head[a] = x0 * cos_t - x1 * sin_t;
      head[b] = x0 * sin_t + x1 * cos_t;
    }
    theta_base *= theta_scale_;
  }
}

}  // namespace engine::ops
