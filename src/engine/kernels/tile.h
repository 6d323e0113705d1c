// The internal contract between matmul() and the per-type kernels: a tile kernel computes
// y[t, r] for a range of weight rows and a range of tokens from a prepared weight and the
// quantized activations. Kernels live in cpu/ (Highway, every x86 target) and cpu/x86/ (AVX2
// intrinsics); dot_ref.h defines what they compute.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/kernels/activations.h"

namespace engine::kernels {

// Rows are grouped by kGroupRows. In the interleaved layout, each group's blocks are stored block
// index by block index (block b of rows 4g..4g+3, then block b + 1 ...), so one sequential stream
// feeds four rows; a last group of fewer rows is interleaved the same way with its own count. The
// group occupies the same bytes as in the row-major GGUF layout, so sizes never change.
inline constexpr size_t kGroupRows = 4;

struct WeightLayout {
  const uint8_t* data;  // borrowed: [n_out, row_bytes]
  size_t n_out;
  size_t n_in;
  size_t row_bytes;
  size_t block_bytes;
  bool interleaved;

  // Where block b of the rows of group g (rows 4g ..) starts, and the bytes from one row's block
  // to the next row's, and from one block index to the next.
  struct GroupPointers {
    const uint8_t* base;
    size_t row_stride;
    size_t block_stride;
    size_t rows;  // 1..4
  };
  GroupPointers group(size_t g) const {
    const size_t first = g * kGroupRows;
    const size_t rows = n_out - first < kGroupRows ? n_out - first : kGroupRows;
    const uint8_t* base = data + first * row_bytes;
    if (interleaved) return {base, block_bytes, rows * block_bytes, rows};
    return {base, row_bytes, block_bytes, rows};
  }
};

struct TileArgs {
  WeightLayout w;
  ActView act;
  size_t g0, g1;  // row groups [g0, g1)
  size_t t0, t1;  // tokens [t0, t1)
  float* y;       // borrowed: y[t * ldy + r]
  size_t ldy;
};

using TileFn = void (*)(const TileArgs& args);

}  // namespace engine::kernels
