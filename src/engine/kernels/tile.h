// The internal contract between matmul() and the per-type kernels: a tile kernel computes
// y[t, r] for a range of weight rows and a range of tokens from a prepared weight and the
// quantized activations. Kernels live in cpu/ (Highway, every x86 target) and cpu/x86/ (AVX2
// intrinsics); dot_ref.h defines what they compute.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/kernels/activations.h"

namespace engine::kernels {

// Work is split in groups of kGroupRows rows (the last may have fewer). A repacked weight
// (Packing::kUnits8) stores its rows in units of kUnitRows = two groups, each block index of a
// unit in the type's x8 layout (cpu/unit_packing.h); the rows after the last whole unit are stored
// as groups interleaved block by block (block b of each row of the group, then block b + 1). Every
// group keeps the byte range it has in the row-major GGUF layout, so sizes never change.
inline constexpr size_t kGroupRows = 4;
inline constexpr size_t kUnitRows = 8;

enum class Packing { kRowMajor, kUnits8 };

struct WeightLayout {
  const uint8_t* data;  // borrowed: [n_out, row_bytes]
  size_t n_out;
  size_t n_in;
  size_t row_bytes;
  size_t block_bytes;
  Packing packing;

  // Rows held in whole units of the x8 layout.
  size_t unit_rows() const {
    return packing == Packing::kUnits8 ? n_out / kUnitRows * kUnitRows : 0;
  }
  // Whether group g is the first half of a unit.
  bool unit_at(size_t g) const { return (g + 2) * kGroupRows <= unit_rows(); }
  const uint8_t* unit(size_t g) const { return data + g * kGroupRows * row_bytes; }

  // How to find row r's block b in a group that is not part of a unit:
  //   block:   base + b * block_stride + r * row_stride
  //   quants:  base + b * block_stride + quants_offset + r * row_stride
  //   scale:   base + b * block_stride + r * row_stride (Q8_0, Q4_0: the block's leading fp16)
  struct GroupPointers {
    const uint8_t* base;
    size_t rows;  // 1..4
    size_t block_stride;
    size_t row_stride;
    size_t quants_offset;

    // Where row r (0..3) starts; a group of fewer than four rows repeats its last row, whose
    // results the kernels then drop.
    const uint8_t* row(size_t r) const { return base + (r < rows ? r : rows - 1) * row_stride; }
  };
  // `header`: the bytes before a block's quants (Q8_0, Q4_0: 2, the fp16 scale).
  GroupPointers group(size_t g, size_t header = 0) const {
    const size_t first = g * kGroupRows;
    const size_t rows = n_out - first < kGroupRows ? n_out - first : kGroupRows;
    const uint8_t* base = data + first * row_bytes;
    if (packing == Packing::kUnits8) return {base, rows, rows * block_bytes, block_bytes, header};
    return {base, rows, block_bytes, row_bytes, header};
  }
};

struct TileArgs {
  WeightLayout w;
  ActView act;
  size_t g0, g1;  // row groups [g0, g1); g0 is even and never splits a unit
  size_t t0, t1;  // tokens [t0, t1)
  float* y;       // borrowed: y[t * ldy + r]
  size_t ldy;
};

using TileFn = void (*)(const TileArgs& args);

}  // namespace engine::kernels
