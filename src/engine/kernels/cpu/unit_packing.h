// The repacked "x8" layouts of the quantized types (Packing::kUnits8, tile.h): rows are packed in
// units of eight, and each block index of a unit holds, instead of eight ggml blocks, each field
// of the eight rows together, with the quants arranged so that one 32-byte vector holds four
// consecutive quant bytes of each of the eight rows (rows 0-3 in the low half, 4-7 in the high
// half). A vpmaddubsw against four activation bytes broadcast to all lanes then leaves every
// row's products in that row's own lanes. The unit takes the same bytes as its eight blocks.
//
// Offsets within one block index of a unit ("vector k" = 32 bytes: row r's four bytes at 4r):
//   Q8_0 (8 x 34):   d[8] fp16 | vector k = qs[4k .. 4k + 3], k = 0..7
//   Q4_0 (8 x 18):   d[8] fp16 | vector k = qs[4k .. 4k + 3], k = 0..3 (low nibbles: elements
//                    4k.., high nibbles: elements 16 + 4k..)
//   Q4_K (8 x 144):  d[8] dmin[8] fp16 | scale words w = 0..2 (vector w = bytes 4w .. 4w + 3 of
//                    the 12 packed scale bytes) | for half-group jp = 0..3, vector k = 0..7:
//                    qs[32jp + 4k ..] (low nibbles: sub-block 2jp, high: 2jp + 1)
//   Q5_K (8 x 176):  as Q4_K, with vector k = qh[4k ..], k = 0..7, before the quants
//   Q6_K (8 x 210):  d[8] fp16 | scale vectors v = 0..3 (scales[4v ..]) | for half h = 0..1, part
//                    p = 0..1, vector k = 0..7: ql[64h + 32p + 4k ..] | for h, vector k:
//                    qh[32h + 4k ..]
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/kernels/blocks.h"

namespace engine::kernels::unit8 {

inline constexpr size_t kVector = 32;

// Q8_0, Q4_0
inline constexpr size_t kQ32D = 0;
inline constexpr size_t kQ32Qs = 16;

// Q4_K, Q5_K
inline constexpr size_t kKD = 0;
inline constexpr size_t kKDmin = 16;
inline constexpr size_t kKScaleWords = 32;
inline constexpr size_t kQ4KQs = 128;
inline constexpr size_t kQ5KQh = 128;
inline constexpr size_t kQ5KQs = 128 + 8 * kVector;

// Q6_K
inline constexpr size_t kQ6D = 0;
inline constexpr size_t kQ6Scales = 16;
inline constexpr size_t kQ6Ql = 16 + 4 * kVector;
inline constexpr size_t kQ6Qh = kQ6Ql + 32 * kVector;

// Each packs block b of the unit's eight rows (blocks[r] points at row r's block) into dst.
void pack_q8_0(const uint8_t* const blocks[], uint8_t* dst);
void pack_q4_0(const uint8_t* const blocks[], uint8_t* dst);
void pack_q4k(const uint8_t* const blocks[], uint8_t* dst);
void pack_q5k(const uint8_t* const blocks[], uint8_t* dst);
void pack_q6k(const uint8_t* const blocks[], uint8_t* dst);

}  // namespace engine::kernels::unit8
