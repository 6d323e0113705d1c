// Scalar reference code for the weight and activation formats: conversions to float
// (dequantize_row_*) and from float (quantize_row_*_ref), each the same algorithm as ggml's
// ggml-quants.c so that files we write and activations we quantize match ggml's.
//
// Every function takes `k` elements, which must be a multiple of the type's block size (checked;
// a violation aborts, as it is a caller bug: validated tensors always have whole blocks).
//
// Activations: llama.cpp's CPU backend on x86 quantizes the Q8_0 activations of its dot products
// with its AVX path (quantize_row_q8_0 in ggml-cpu/arch/x86/quants.c), which rounds half to even
// and scales by 127/amax, not by the reference's 1/(amax/127) with roundf. The two differ on rare
// ties, so quantize_row_q8_0_act reproduces the AVX path and is what our matmul uses; Q8_K
// activations use the reference quantizer, as ggml-cpu does.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/kernels/blocks.h"

namespace engine::kernels {

// Rounds to the nearest integer, ties to even, as ggml's nearest_int (|x| < 2^22).
int nearest_int(float x);

void dequantize_row_f16(const uint16_t* x, float* y, size_t k);
void dequantize_row_bf16(const uint16_t* x, float* y, size_t k);
void dequantize_row_q4_0(const BlockQ4_0* x, float* y, size_t k);
void dequantize_row_q8_0(const BlockQ8_0* x, float* y, size_t k);
void dequantize_row_q4_K(const BlockQ4K* x, float* y, size_t k);
void dequantize_row_q5_K(const BlockQ5K* x, float* y, size_t k);
void dequantize_row_q6_K(const BlockQ6K* x, float* y, size_t k);
void dequantize_row_q8_K(const BlockQ8K* x, float* y, size_t k);

void quantize_row_f16_ref(const float* x, uint16_t* y, size_t k);
void quantize_row_bf16_ref(const float* x, uint16_t* y, size_t k);
void quantize_row_q4_0_ref(const float* x, BlockQ4_0* y, size_t k);
void quantize_row_q8_0_ref(const float* x, BlockQ8_0* y, size_t k);
void quantize_row_q4_K_ref(const float* x, BlockQ4K* y, size_t k);
void quantize_row_q5_K_ref(const float* x, BlockQ5K* y, size_t k);
void quantize_row_q6_K_ref(const float* x, BlockQ6K* y, size_t k);
void quantize_row_q8_K_ref(const float* x, BlockQ8K* y, size_t k);

// Q8_0 as ggml-cpu quantizes activations on x86 (see the header comment).
void quantize_row_q8_0_act(const float* x, BlockQ8_0* y, size_t k);

}  // namespace engine::kernels
