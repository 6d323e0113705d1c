// Helpers shared by the x86 kernels, compiled for AVX2 (callable from the AVX-512 regions too).
// Include this only from files under cpu/x86/, after every other header (x86_intrinsics.h says
// why).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/kernels/tile.h"

#include "engine/kernels/cpu/x86/x86_intrinsics.h"

// Everything below is compiled for AVX2 and has internal linkage (see the note at the top).
AL_AVX2_BEGIN
namespace engine::kernels::x86 {
namespace {

// ---- Groups of four rows in ggml blocks (borrowed weights, and the rows after the last unit).

// Row r's block of index b starts at b0[r] + b * block_stride, its quants at q[r] + b *
// block_stride. A group of fewer than four rows repeats its last row; those results are dropped.
struct Rows4 {
  const uint8_t* b0[kGroupRows];
  const uint8_t* q[kGroupRows];
  size_t block_stride;
  size_t rows;
};

inline Rows4 rows_of(const WeightLayout::GroupPointers& gp) {
  Rows4 rows{};
  for (size_t r = 0; r < kGroupRows; ++r) {
    rows.b0[r] = gp.row(r);
    rows.q[r] = rows.b0[r] + gp.quants_offset;
  }
  rows.block_stride = gp.block_stride;
  rows.rows = gp.rows;
  return rows;
}

inline uint16_t load_u16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The fp16 values at `offset` into the four rows' blocks of index b, as floats.
inline __m128 load_fp16x4(const Rows4& w, size_t b, size_t offset) {
  const size_t off = b * w.block_stride + offset;
  const __m128i h = _mm_setr_epi16(static_cast<int16_t>(load_u16(w.b0[0] + off)),
                                   static_cast<int16_t>(load_u16(w.b0[1] + off)),
                                   static_cast<int16_t>(load_u16(w.b0[2] + off)),
                                   static_cast<int16_t>(load_u16(w.b0[3] + off)), 0, 0, 0, 0);
  return _mm_cvtph_ps(h);
}

// Sums each of four vectors of eight s32: the result's lane r (and r + 4) holds half of row r's
// total: lanes 0-3 the low 128 bits' sums, lanes 4-7 the high 128 bits'.
inline __m256i fold4(__m256i p0, __m256i p1, __m256i p2, __m256i p3) {
  return _mm256_hadd_epi32(_mm256_hadd_epi32(p0, p1), _mm256_hadd_epi32(p2, p3));
}

// Lane r: row r's total of four vectors of eight s32.
inline __m128i sum4(__m256i p0, __m256i p1, __m256i p2, __m256i p3) {
  const __m256i f = fold4(p0, p1, p2, p3);
  return _mm_add_epi32(_mm256_castsi256_si128(f), _mm256_extracti128_si256(f, 1));
}

inline __m128 halves_sum(__m256 v) {
  return _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
}

// Stores the four rows' results of one token (rows beyond the group's count are dropped).
inline void store_rows(__m128 v, size_t rows, float* y) {
  alignas(16) float tmp[4];
  _mm_store_ps(tmp, v);
  for (size_t r = 0; r < rows; ++r) y[r] = tmp[r];
}

// ---- Tiles of RN tokens.

// Zeroes the RN float accumulators and finds the tokens' activation rows, from token t0 on.
template <int RN>
inline void start_tokens(const ActView& act, size_t t0, __m256 (&acc)[RN], ActRow (&a)[RN]) {
  for (int t = 0; t < RN; ++t) {
    acc[t] = _mm256_setzero_ps();
    a[t] = act.row(t0 + t);
  }
}

// ---- Units of eight rows in the x8 layout (cpu/unit_packing.h).

// The int8 quants of a Q8_0 or Q8_K activation row.
inline const int8_t* act_quants(const ActRow& a) {
  return static_cast<const int8_t*>(a.qs);
}

inline __m256i load256(const uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// Asks for the cache lines of the `bytes` at p + kPrefetchAhead. The K-quant unit kernels call it
// for each super-block they start, so the weights of a later one stream in during this one's dot
// products: they do enough work per byte that the hardware prefetcher alone left decode at 11-20
// of 30 GB/s (matvec bench, 2 threads; 4096 bytes ahead measured best of 1024, 4096 and 8192).
// Q8_0 and Q4_0 kernels already read at the memory's speed and measured no gain.
inline constexpr size_t kPrefetchAhead = 4096;
// The address is formed as an integer: near the end of a weight it lies past the allocation, where
// a prefetch is harmless but pointer arithmetic would not be.
inline void prefetch_ahead(const uint8_t* p, size_t bytes) {
  const uintptr_t ahead = reinterpret_cast<uintptr_t>(p) + kPrefetchAhead;
  for (size_t i = 0; i < bytes; i += 64) {
    _mm_prefetch(reinterpret_cast<const char*>(ahead + i), _MM_HINT_T0);
  }
}

// Four activation bytes in every 32-bit lane.
inline __m256i bcast4(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return _mm256_set1_epi32(v);
}

// The eight rows' fp16 values at p, as floats.
inline __m256 load_fp16x8(const uint8_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// ---- Byte dot products: the `Dot` the unit kernels (q32_units-inl.h, qk_units-inl.h) are
// written against; VnniDot (avx512_vnni.cpp) is the other.
//
// add() sums four u8 x s8 products into each 32-bit lane of an accumulator; sum() gives the s32
// lanes, scaled_sum() the lanes times a per-lane scale (given in both s16 halves of the lane, as
// scale_of() prepares it). AVX2 sums in s16 (vpmaddubsw), so an accumulator holds only runs()
// add()s before one vpmaddwd widens it. Signed weights (Q8_0) take ggml's sign trick: |w| times
// y with w's sign, so one vpmaddubsw product pair cannot overflow.
struct Avx2Dot {
  using Acc = __m256i;
  static Acc zero() { return _mm256_setzero_si256(); }
  static Acc add(Acc acc, __m256i u8, __m256i s8) {
    return _mm256_add_epi16(acc, _mm256_maddubs_epi16(u8, s8));
  }
  static __m256i sum(Acc acc) { return _mm256_madd_epi16(acc, _mm256_set1_epi16(1)); }
  static __m256i scale_of(__m256i scale_s16) { return scale_s16; }
  static __m256i scaled_sum(Acc acc, __m256i scale) { return _mm256_madd_epi16(acc, scale); }
  // add()s of quants up to max_quant against activations up to 127 that an Acc holds.
  static constexpr int runs(int max_quant) { return 32767 / (2 * max_quant * 127); }

  struct Signed {
    __m256i abs, sign;
  };
  static Signed signed_weights(__m256i w) { return {_mm256_sign_epi8(w, w), w}; }
  // acc (s32) plus four products of w and y per lane.
  static __m256i add_signed(__m256i acc, const Signed& w, __m256i y) {
    const __m256i pairs = _mm256_maddubs_epi16(w.abs, _mm256_sign_epi8(y, w.sign));
    return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
  }
  // The sums of add_signed() over a block whose activations sum to y_sum.
  static __m256i signed_sum(__m256i acc, int32_t /*y_sum*/) { return acc; }
};

// ---- Driver.

// Runs a tile over the row groups and tokens of args: unit(data, y) for each whole unit of eight
// rows (y: the unit's first output of token t0), group(g) for each other group.
template <typename Unit, typename Group>
void run_groups(const TileArgs& args, Unit&& unit, Group&& group) {
  for (size_t g = args.g0; g < args.g1;) {
    if (args.w.unit_at(g)) {
      unit(args.w.unit(g), args.y + args.t0 * args.ldy + g * kGroupRows);
      g += 2;
    } else {
      group(g);
      g += 1;
    }
  }
}

// Runs Tile<RN>::run(rows, t, out) for the tokens of args, kTileTokens at a time then one at a
// time, storing the four rows of group g.
template <template <int> class Tile, int kTileTokens>
void run_group_tokens(const TileArgs& args, size_t g, size_t header) {
  const Rows4 rows = rows_of(args.w.group(g, header));
  float* yg = args.y + g * kGroupRows;
  size_t t = args.t0;
  __m128 out[kTileTokens];
  for (; t + kTileTokens <= args.t1; t += kTileTokens) {
    Tile<kTileTokens>::run(rows, args.act, t, out);
    for (int i = 0; i < kTileTokens; ++i) store_rows(out[i], rows.rows, yg + (t + i) * args.ldy);
  }
  for (; t < args.t1; ++t) {
    Tile<1>::run(rows, args.act, t, out);
    store_rows(out[0], rows.rows, yg + t * args.ldy);
  }
}

// Runs UnitTile<RN>::run(unit, t, y) for the tokens of args, kTileTokens at a time.
template <template <int> class UnitTile, int kTileTokens>
void run_unit_tokens(const TileArgs& args, const uint8_t* unit, float* y_t0) {
  size_t t = args.t0;
  for (; t + kTileTokens <= args.t1; t += kTileTokens) {
    UnitTile<kTileTokens>::run(args, unit, t, y_t0 + (t - args.t0) * args.ldy);
  }
  for (; t < args.t1; ++t) UnitTile<1>::run(args, unit, t, y_t0 + (t - args.t0) * args.ldy);
}

// A whole tile: Unit<RN> over the x8 units (kTileTokens tokens at a time), kGroups over the other
// groups.
template <template <int> class Unit, int kTileTokens, void (*kGroups)(const TileArgs&, size_t)>
void unit_tile(const TileArgs& args) {
  run_groups(
      args,
      [&](const uint8_t* unit, float* y) { run_unit_tokens<Unit, kTileTokens>(args, unit, y); },
      [&](size_t g) { kGroups(args, g); });
}

}  // namespace
}  // namespace engine::kernels::x86
AL_AVX2_END
