// Activations quantized for a matmul: each token's row of x converted once per call into the type
// the weight's dot product wants (weight_type.h names it), in a layout our kernels like. The values
// are exactly ggml's (quant_ref.h); only their arrangement differs from ggml's blocks, so SIMD
// loads of the quants stay aligned.
//
// Row layout per activation type, each row starting on a 64-byte boundary:
//   kF32:  float[n_in]
//   kF16:  uint16_t[n_in] (fp16 bits), kBF16: uint16_t[n_in] (bf16 bits)
//   kQ8_0: int8_t qs[n_in] | float d[n_in/32] | int32_t sum[n_in/32] (sum of the block's qs)
//   kQ8_K: int8_t qs[n_in] | float d[n_in/256] | int16_t bsums[n_in/16] (sums of 16 qs)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/kernels/aligned_buffer.h"

namespace engine::kernels {

enum class ActType { kF32, kF16, kBF16, kQ8_0, kQ8_K };

std::string_view act_type_name(ActType type);

// The elements of one activation block (the quantization group): n_in must be a multiple.
size_t act_block_elems(ActType type);

// Bytes of one token's row for n_in inputs, rounded up to 64.
size_t act_row_bytes(ActType type, size_t n_in);

// One token's quantized row, as pointers into an activation buffer.
struct ActRow {
  const void* qs;       // quants: int8_t for Q8_0/Q8_K, uint16_t for F16/BF16, float for F32
  const float* d;       // per-block scales (Q8_0, Q8_K), else null
  const int32_t* sum;   // per-block sums of the quants (Q8_0), else null
  const int16_t* bsum;  // per-16 sums of the quants (Q8_K), else null
};

// A borrowed view of n_tokens quantized rows.
struct ActView {
  ActType type;
  size_t n_in;
  size_t n_tokens;
  size_t row_bytes;
  const uint8_t* data;  // borrowed: [n_tokens, row_bytes]

  ActRow row(size_t t) const;
};

// Quantizes rows [t0, t1) of x ([n_tokens, n_in] floats) into `out` (sized for n_tokens rows by
// act_row_bytes). Safe to call for disjoint token ranges from several threads.
void quantize_activations(ActType type, const float* x, size_t n_in, size_t t0, size_t t1,
                          uint8_t* out);

}  // namespace engine::kernels
