// The block layouts of the GGML types the kernels run, byte for byte as ggml-common.h defines them
// (block_q4_0, block_q8_0, block_q4_K, ...), so a span of GGUF tensor bytes can be read as an array
// of these structs. Half floats are kept as their raw bits (uint16_t); see fp16.h.
#pragma once

#include <cstddef>
#include <cstdint>

namespace engine::kernels {

inline constexpr size_t kQK4_0 = 32;        // elements per Q4_0 block
inline constexpr size_t kQK8_0 = 32;        // elements per Q8_0 block
inline constexpr size_t kQK_K = 256;        // elements per K-quant super-block
inline constexpr size_t kKScaleBytes = 12;  // packed 6-bit scales and mins of Q4_K / Q5_K

// 4-bit, one fp16 scale per 32: x = d * (q - 8). Element j of the block is the low nibble of
// qs[j] for j < 16, the high nibble of qs[j - 16] otherwise.
struct BlockQ4_0 {
  uint16_t d;              // fp16 scale
  uint8_t qs[kQK4_0 / 2];  // nibbles
};
static_assert(sizeof(BlockQ4_0) == 18);

// 8-bit, one fp16 scale per 32: x = d * q.
struct BlockQ8_0 {
  uint16_t d;  // fp16 scale
  int8_t qs[kQK8_0];
};
static_assert(sizeof(BlockQ8_0) == 34);

// 4-bit super-block of 8 sub-blocks of 32: x = d * sc[j] * q - dmin * m[j], where the 6-bit
// sc/m pairs are packed in `scales` (see unpack_scale_min_k4). Nibble layout: for each 64-element
// half-group g, qs[32g + l] holds element 64g + l (low) and 64g + 32 + l (high).
struct BlockQ4K {
  uint16_t d;     // fp16 super-block scale of the scales
  uint16_t dmin;  // fp16 super-block scale of the mins
  uint8_t scales[kKScaleBytes];
  uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(BlockQ4K) == 144);

// 5-bit super-block: Q4_K plus one high bit per element in qh (bit 2g of qh[l] for element
// 64g + l, bit 2g + 1 for element 64g + 32 + l).
struct BlockQ5K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[kKScaleBytes];
  uint8_t qh[kQK_K / 8];
  uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(BlockQ5K) == 176);

// 6-bit super-block of 16 sub-blocks of 16: x = d * scales[j] * (q - 32). Low 4 bits in ql, high
// 2 bits in qh (see dequantize_row_q6_K for the exact interleave).
struct BlockQ6K {
  uint8_t ql[kQK_K / 2];
  uint8_t qh[kQK_K / 4];
  int8_t scales[kQK_K / 16];
  uint16_t d;  // fp16
};
static_assert(sizeof(BlockQ6K) == 210);

// The activation type of the K-quant dot products: 8-bit with an fp32 scale, plus the sums of each
// group of 16 quants (used to apply the K-quant mins without touching the quants again).
struct BlockQ8K {
  float d;
  int8_t qs[kQK_K];
  int16_t bsums[kQK_K / 16];
};
static_assert(sizeof(BlockQ8K) == 292);

// Unpacks the 6-bit scale and min of sub-block j (0..7) from the 12 packed bytes of Q4_K / Q5_K.
inline void unpack_scale_min_k4(size_t j, const uint8_t* q, uint8_t* scale, uint8_t* min) {
  if (j < 4) {
    *scale = q[j] & 63;
    *min = q[j + 4] & 63;
  } else {
    *scale = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    *min = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

}  // namespace engine::kernels
