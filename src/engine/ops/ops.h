// Activation ops of the forward pass. All buffers are float32 unless named otherwise; fp16 values
// are stored as uint16_t bits (kernels/fp16.h). Every op has a scalar twin in namespace ref.
#pragma once

#include <cstddef>
#include <cstdint>

namespace engine::ops {

// y[i] = x[i] / sqrt(mean(x^2) + eps) * w[i], i < n. y may alias x. The sum of squares is
// accumulated in double, as ggml does, so results match llama.cpp's closely.
void rms_norm(const float* x, const float* w, float* y, size_t n, float eps);

// y[i] = silu(gate[i]) * up[i], i < n. y may alias gate or up.
void swiglu(const float* gate, const float* up, float* y, size_t n);

// y[i] = silu(x[i]) = x[i] / (1 + exp(-x[i])), i < n. y may alias x.
void silu(const float* x, float* y, size_t n);

// y[i] += x[i], i < n.
void add(float* y, const float* x, size_t n);

// x[i] = round_to_fp16(x[i]): the precision llama.cpp gives a query before its dot products
// with the F16 keys.
void round_to_fp16(float* x, size_t n);

// dst[i] = fp16(src[i]), round to nearest even.
void to_fp16(const float* src, uint16_t* dst, size_t n);

namespace ref {
void rms_norm(const float* x, const float* w, float* y, size_t n, float eps);
void swiglu(const float* gate, const float* up, float* y, size_t n);
void silu(const float* x, float* y, size_t n);
}  // namespace ref

}  // namespace engine::ops
