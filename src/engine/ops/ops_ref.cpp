// Scalar references of the ops in ops.h: plain loops, written for clarity, that the tests hold the
// dispatched Highway code to.
#include <cmath>

#include "engine/ops/ops.h"

namespace engine::ops::ref {

void rms_norm(const float* x, const float* w, float* y, size_t n, float eps) {
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) sum += static_cast<double>(x[i] * x[i]);
  const float scale = 1.0f / std::sqrt(static_cast<float>(sum / static_cast<double>(n)) + eps);
  for (size_t i = 0; i < n; ++i) y[i] = x[i] * scale * w[i];
}

void swiglu(const float* gate, const float* up, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

void silu(const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = x[i] / (1.0f + std::exp(-x[i]));
}

}  // namespace engine::ops::ref
