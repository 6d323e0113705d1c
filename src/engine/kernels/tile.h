// The internal contract between matmul() and the per-type kernels: a tile kernel computes
// y[t, r] for a range of weight rows and a range of tokens from a prepared weight and the
// quantized activations. Kernels live in cpu/ (Highway, every x86 target) and cpu/x86/ (AVX2
// intrinsics); dot_ref.h defines what they compute.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/kernels/activations.h"

namespace engine::kernels {

// Rows are grouped by kGroupRows (a last group may have fewer). A group occupies the same bytes
// as in the row-major GGUF layout, in one of three arrangements:
//   kRowMajor:    as in the file (when the weight is borrowed, or for the float types).
//   kInterleaved: block b of each of the group's rows, then block b + 1 ..., so one sequential
//                 stream feeds all rows (K-quants: their scales are a small part of a block).
//   kSplitScales: like kInterleaved, but each block index first holds the rows' 2-byte fp16
//                 scales together, then their quants (Q8_0, Q4_0: one vector load gets the four
//                 scales, and the quants of neighbouring rows are adjacent).
//   kKGroups:     K-quants: each block index of a full group in the layout of
//                 cpu/kquant_packing.h (each field of the four rows together); a last group of
//                 fewer rows is kInterleaved.
//   kKUnits8:     K-quants: units of eight rows (two groups), each block index in the "x8"
//                 layout of cpu/kquant_packing.h (four quants of each of the eight rows per
//                 vector); the rows after the last full unit are kInterleaved groups.
inline constexpr size_t kGroupRows = 4;

enum class Packing { kRowMajor, kInterleaved, kSplitScales, kKGroups, kKUnits8 };

inline constexpr size_t kUnitRows = 8;  // rows of a kKUnits8 unit

struct WeightLayout {
  const uint8_t* data;  // borrowed: [n_out, row_bytes]
  size_t n_out;
  size_t n_in;
  size_t row_bytes;
  size_t block_bytes;
  Packing packing;

  // How to find row r's block b in group g:
  //   block:   base + b * block_stride + r * row_stride (kRowMajor, kInterleaved)
  //   quants:  base + b * block_stride + quants_offset + r * row_stride
  //   scale:   base + b * block_stride + r * scale_stride (the block's leading fp16)
  struct GroupPointers {
    const uint8_t* base;
    size_t rows;  // 1..4
    size_t block_stride;
    size_t row_stride;
    size_t quants_offset;
    size_t scale_stride;
  };
  // `header` is the bytes before a block's quants that kSplitScales moves out (2: one fp16).
  GroupPointers group(size_t g, size_t header = 2) const {
    const size_t first = g * kGroupRows;
    const size_t rows = n_out - first < kGroupRows ? n_out - first : kGroupRows;
    const uint8_t* base = data + first * row_bytes;
    switch (packing) {
      case Packing::kInterleaved:
      case Packing::kKGroups:  // the kernel reads full groups through kquant_packing.h
      case Packing::kKUnits8:  // and full units
        return {base, rows, rows * block_bytes, block_bytes, header, block_bytes};
      case Packing::kSplitScales:
        return {base, rows, rows * block_bytes, block_bytes - header, header * rows, header};
      case Packing::kRowMajor:
        break;
    }
    return {base, rows, block_bytes, row_bytes, header, row_bytes};
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
