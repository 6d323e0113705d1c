// Shared helpers of the kernel tests: deterministic random data and quantized weights.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "engine/gguf/ggml_type.h"
#include "engine/kernels/weight_type.h"

namespace engine::kernels::testing {

// Gaussian values with a few outliers, never exactly zero (zeros hide sign and scale bugs).
inline std::vector<float> random_floats(size_t n, uint32_t seed, float sigma = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, sigma);
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) {
    float x = normal(rng);
    if (x == 0.0f) x = sigma * 0.01f;
    if (rng() % 53 == 0) x *= 6.0f;
    v[i] = x;
  }
  return v;
}

// A [n_out, n_in] weight of `type` quantized from random floats, as the bytes of a GGUF tensor.
inline std::vector<uint8_t> random_weight(GgmlType type, size_t n_out, size_t n_in, uint32_t seed) {
  const auto& traits = weight_type(type);
  const size_t rb = row_bytes(traits, n_in);
  const auto values = random_floats(n_out * n_in, seed, 0.05f);
  std::vector<uint8_t> bytes(n_out * rb);
  for (size_t r = 0; r < n_out; ++r)
    traits.quantize_row(values.data() + r * n_in, bytes.data() + r * rb, n_in);
  return bytes;
}

}  // namespace engine::kernels::testing
