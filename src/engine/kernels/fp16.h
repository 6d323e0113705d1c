// Half-precision (IEEE binary16) and bfloat16 conversions, bit-exact with ggml's reference ones
// (ggml-impl.h: ggml_compute_fp16_to_fp32 / fp32_to_fp16, after Maratyszcza/FP16, and
// ggml_compute_fp32_to_bf16): round to nearest even, subnormals kept, fp16 NaN written as the
// canonical quiet NaN 0x7E00 with the sign kept, bf16 NaN quietened by setting bit 6.
#pragma once

#include <bit>
#include <cstdint>

namespace engine::kernels {

inline float fp16_to_fp32(uint16_t h) {
  const uint32_t w = static_cast<uint32_t>(h) << 16;
  const uint32_t sign = w & 0x80000000u;
  const uint32_t two_w = w + w;
  // Normal (and inf/NaN) values: shift the exponent and mantissa into place, then rebias by
  // multiplying with 2^-112 so that overflowed exponents become inf/NaN exactly.
  const uint32_t exp_offset = 0xE0u << 23;
  const float normalized = std::bit_cast<float>((two_w >> 4) + exp_offset) * 0x1.0p-112f;
  // Subnormals: place the mantissa under a magic exponent and subtract it back out.
  const uint32_t magic_mask = 126u << 23;
  const float denormalized = std::bit_cast<float>((two_w >> 17) | magic_mask) - 0.5f;
  const uint32_t denormalized_cutoff = 1u << 27;
  const uint32_t bits = sign | (two_w < denormalized_cutoff ? std::bit_cast<uint32_t>(denormalized)
                                                            : std::bit_cast<uint32_t>(normalized));
  return std::bit_cast<float>(bits);
}

inline uint16_t fp32_to_fp16(float f) {
  // The float unit does the rounding: scaling by 2^112 then 2^-110 rounds the mantissa to 10 bits
  // (to nearest even) at the right exponent, including the subnormal range.
  const float abs_f = std::bit_cast<float>(std::bit_cast<uint32_t>(f) & 0x7FFFFFFFu);
  float base = (abs_f * 0x1.0p+112f) * 0x1.0p-110f;
  const uint32_t w = std::bit_cast<uint32_t>(f);
  const uint32_t shl1_w = w + w;
  const uint32_t sign = w & 0x80000000u;
  uint32_t bias = shl1_w & 0xFF000000u;
  if (bias < 0x71000000u) bias = 0x71000000u;
  base = std::bit_cast<float>((bias >> 1) + 0x07800000u) + base;
  const uint32_t bits = std::bit_cast<uint32_t>(base);
  const uint32_t exp_bits = (bits >> 13) & 0x00007C00u;
  const uint32_t mantissa_bits = bits & 0x00000FFFu;
  const uint32_t nonsign = exp_bits + mantissa_bits;
  return static_cast<uint16_t>((sign >> 16) | (shl1_w > 0xFF000000u ? 0x7E00u : nonsign));
}

inline float bf16_to_fp32(uint16_t h) {
  return std::bit_cast<float>(static_cast<uint32_t>(h) << 16);
}

inline uint16_t fp32_to_bf16(float f) {
  const uint32_t u = std::bit_cast<uint32_t>(f);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((u >> 16) | 64);  // quiet NaN
  return static_cast<uint16_t>((u + (0x7FFFu + ((u >> 16) & 1))) >> 16);
}

}  // namespace engine::kernels
