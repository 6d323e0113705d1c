// Scalar reference dot products: one weight row in its GGUF layout (ggml's blocks, row-major)
// against one quantized activation row (activations.h). Integer sums are exact, block scales are
// applied in float as ggml's vec_dot functions do. They define what the fast kernels must compute,
// and serve as the portable path on CPUs without AVX2.
#pragma once

#include <cstddef>

#include "engine/kernels/activations.h"

namespace engine::kernels {

// Each: w = n elements of one weight row (raw bytes), a = the activation row (n elements).
float dot_f32_f32_ref(const void* w, const ActRow& a, size_t n);
float dot_f16_f16_ref(const void* w, const ActRow& a, size_t n);
float dot_bf16_bf16_ref(const void* w, const ActRow& a, size_t n);
float dot_q8_0_q8_0_ref(const void* w, const ActRow& a, size_t n);
float dot_q4_0_q8_0_ref(const void* w, const ActRow& a, size_t n);
float dot_q4k_q8k_ref(const void* w, const ActRow& a, size_t n);
float dot_q5k_q8k_ref(const void* w, const ActRow& a, size_t n);
float dot_q6k_q8k_ref(const void* w, const ActRow& a, size_t n);

}  // namespace engine::kernels
