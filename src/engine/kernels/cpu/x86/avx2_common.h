// Helpers shared by the AVX2 kernels. Include this only from files under cpu/x86/, after every
// other header, and define kernels between AL_AVX2_BEGIN and AL_AVX2_END, so nothing outside the
// kernels is compiled for AVX2 (an inline library function compiled here could otherwise be picked
// by the linker for callers that run on CPUs without AVX2).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "engine/kernels/tile.h"

#if defined(__clang__)
#define AL_AVX2_BEGIN                                                                \
  _Pragma(                                                                           \
      "clang attribute push(__attribute__((target(\"avx2,fma,f16c\"))), apply_to = " \
      "function)")
#define AL_AVX2_END _Pragma("clang attribute pop")
#else
#define AL_AVX2_BEGIN _Pragma("GCC push_options") _Pragma("GCC target(\"avx2,fma,f16c\")")
#define AL_AVX2_END _Pragma("GCC pop_options")
#endif

// Everything below is compiled for AVX2 and has internal linkage (see the note at the top).
AL_AVX2_BEGIN
namespace engine::kernels::x86 {
namespace {

// The four rows of a group: row r's block (or, for Q8_0/Q4_0, its quants) of index b starts at
// q[r] + b * block_stride, its fp16 scale at s[r] + b * block_stride. A group of fewer than four
// rows repeats its last row; those results are not stored.
struct Rows4 {
  const uint8_t* q[kGroupRows];
  const uint8_t* s[kGroupRows];
  size_t block_stride;
  size_t rows;
};

inline Rows4 rows_of(const WeightLayout::GroupPointers& gp) {
  Rows4 rows{};
  for (size_t r = 0; r < kGroupRows; ++r) {
    const size_t rr = r < gp.rows ? r : gp.rows - 1;
    rows.q[r] = gp.base + gp.quants_offset + rr * gp.row_stride;
    rows.s[r] = gp.base + rr * gp.scale_stride;
  }
  rows.block_stride = gp.block_stride;
  rows.rows = gp.rows;
  return rows;
}

inline uint16_t load_u16(const uint8_t* p) {
  uint16_t v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

// The fp16 values at `offset` into the four rows' blocks (K-quants), as floats.
inline __m128 load_fp16x4(const Rows4& w, size_t offset) {
  const __m128i h = _mm_setr_epi16(static_cast<int16_t>(load_u16(w.q[0] + offset)),
                                   static_cast<int16_t>(load_u16(w.q[1] + offset)),
                                   static_cast<int16_t>(load_u16(w.q[2] + offset)),
                                   static_cast<int16_t>(load_u16(w.q[3] + offset)), 0, 0, 0, 0);
  return _mm_cvtph_ps(h);
}

// The fp16 scales of block b of the four rows (Q8_0, Q4_0), as floats; kPacked: the scales are
// stored together (Packing::kSplitScales) and come in one load.
template <bool kPacked>
inline __m128 load_scales4(const Rows4& w, size_t b) {
  const size_t off = b * w.block_stride;
  if constexpr (kPacked) {
    return _mm_cvtph_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(w.s[0] + off)));
  } else {
    const __m128i h = _mm_setr_epi16(static_cast<int16_t>(load_u16(w.s[0] + off)),
                                     static_cast<int16_t>(load_u16(w.s[1] + off)),
                                     static_cast<int16_t>(load_u16(w.s[2] + off)),
                                     static_cast<int16_t>(load_u16(w.s[3] + off)), 0, 0, 0, 0);
    return _mm_cvtph_ps(h);
  }
}

// Sums each of four vectors of eight s32: the result's lane r (and r + 4) holds half of row r's
// total: lanes 0-3 the low 128 bits' sums, lanes 4-7 the high 128 bits'.
inline __m256i fold4(__m256i p0, __m256i p1, __m256i p2, __m256i p3) {
  return _mm256_hadd_epi32(_mm256_hadd_epi32(p0, p1), _mm256_hadd_epi32(p2, p3));
}

inline __m128 halves_sum(__m256 v) {
  return _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
}

// Stores the four rows' results of token t (rows beyond the group's count are dropped).
inline void store_rows(__m128 v, size_t rows, float* y) {
  alignas(16) float tmp[4];
  _mm_store_ps(tmp, v);
  for (size_t r = 0; r < rows; ++r) y[r] = tmp[r];
}

// Sums the eight s32 lanes of each of four vectors: lane r of the result is row r's total.
inline __m128i sum4(__m256i p0, __m256i p1, __m256i p2, __m256i p3) {
  const __m256i f = fold4(p0, p1, p2, p3);
  return _mm_add_epi32(_mm256_castsi256_si128(f), _mm256_extracti128_si256(f, 1));
}

// Runs Tile<RN> over the tokens of each row group, kTileTokens at a time, then one at a time.
// `header`: the bytes before a block's quants that Packing::kSplitScales moved out (tile.h).
template <template <int> class Tile, int kTileTokens>
void run_tiles(const TileArgs& args, size_t block_elems, size_t header) {
  const size_t nb = args.w.n_in / block_elems;
  for (size_t g = args.g0; g < args.g1; ++g) {
    const Rows4 rows = rows_of(args.w.group(g, header));
    float* yg = args.y + g * kGroupRows;
    size_t t = args.t0;
    __m128 out[kTileTokens];
    for (; t + kTileTokens <= args.t1; t += kTileTokens) {
      Tile<kTileTokens>::run(rows, nb, args.act, t, out);
      for (int i = 0; i < kTileTokens; ++i) store_rows(out[i], rows.rows, yg + (t + i) * args.ldy);
    }
    for (; t < args.t1; ++t) {
      Tile<1>::run(rows, nb, args.act, t, out);
      store_rows(out[0], rows.rows, yg + t * args.ldy);
    }
  }
}

}  // namespace
}  // namespace engine::kernels::x86
AL_AVX2_END
