// The repacked layout of a full group of four K-quant rows (Packing::kKGroups, tile.h): per
// super-block index, the four rows' blocks rearranged so that the SIMD kernel loads each kind of
// field for all four rows at once. Same bytes as the four blocks; a last group of fewer rows stays
// interleaved block by block.
//
//   Q4_K (4 x 144): d[4] dmin[4] (fp16) | scale words: byte k of word w of row r at 16 + 16w + 4r +
//   k
//                   (w = 0..2: the three 4-byte words of the 12 packed scale bytes) | qs[4][128]
//   Q5_K (4 x 176): as Q4_K, then qh[4][32], then qs[4][128]
//   Q6_K (4 x 210): d[4] (fp16) | scales[4][16] | ql[4][128] | qh[4][64]
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/kernels/blocks.h"

namespace engine::kernels::kpack {

// Q4_K / Q5_K
inline constexpr size_t kD = 0;
inline constexpr size_t kDmin = 8;
inline constexpr size_t kScaleWords = 16;
inline constexpr size_t kQ4Qs = 64;
inline constexpr size_t kQ5Qh = 64;
inline constexpr size_t kQ5Qs = 64 + 4 * 32;
// Q6_K
inline constexpr size_t kQ6D = 0;
inline constexpr size_t kQ6Scales = 8;
inline constexpr size_t kQ6Ql = 8 + 4 * 16;
inline constexpr size_t kQ6Qh = kQ6Ql + 4 * 128;

// Packs block b of four rows (blocks[r] points at row r's block) into dst (4 * block bytes).
void pack_q4k(const uint8_t* const blocks[], uint8_t* dst);
void pack_q5k(const uint8_t* const blocks[], uint8_t* dst);
void pack_q6k(const uint8_t* const blocks[], uint8_t* dst);

// The "x8" layout of a unit of eight Q4_K rows (Packing::kKUnits8), per super-block (8 x 144):
//   d[8] dmin[8] (fp16) | scale words: byte k of word w of row r at 32 + 32w + 4r + k |
//   quants: for each 64-element half-group jp and k = 0..7, one 32-byte vector holding bytes
//   qs[32jp + 4k .. 32jp + 4k + 3] of rows 0..7 in turn (low nibbles: elements 64jp + 4k ..
//   of sub-block 2jp; high nibbles: the same elements of sub-block 2jp + 1).
namespace x8 {
inline constexpr size_t kD = 0;
inline constexpr size_t kDmin = 16;
inline constexpr size_t kScaleWords = 32;
inline constexpr size_t kQs = 128;
}  // namespace x8
void pack8_q4k(const uint8_t* const blocks[], uint8_t* dst);

}  // namespace engine::kernels::kpack
