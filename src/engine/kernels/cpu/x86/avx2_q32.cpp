// AVX2 tiles of the 32-element block types, Q8_0 and Q4_0, against Q8_0 activations.
//
// A tile is 4 weight rows (one row group) by RN tokens. Per block, each row's 32 products with a
// token's activations are summed by vpmaddubsw (u8 x s8 -> pairs of s16) and vpmaddwd (-> s32),
// the four rows' partial sums are folded into one vector by horizontal adds, and one multiply-add
// applies the four rows' block scales at once. Q8_0 weights are signed, so they go through ggml's
// sign trick (|w| times y with w's sign); Q4_0 nibbles are already unsigned, and their -8 offset
// is applied once per block as -8 * sum(y).
//
// kPacked: the weight is in Packing::kSplitScales (repacked), so the four scales are one load
// and the quants of rows 0-1 and 2-3 are adjacent; otherwise it is the borrowed GGUF layout.
// A last group of fewer than four rows repeats its last row (Rows4), so no load may assume that
// a row's neighbour exists.
#include <cstddef>
#include <cstdint>

#include "engine/kernels/blocks.h"
#include "engine/kernels/cpu/x86/avx2_kernels.h"
#include "engine/kernels/tile.h"

#include "engine/kernels/cpu/x86/avx2_common.h"

namespace engine::kernels::x86 {

bool cpu_has_avx2() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                          __builtin_cpu_supports("f16c");
  return has;
}

AL_AVX2_BEGIN
namespace {

inline const int8_t* act_quants(const ActRow& a) {
  return static_cast<const int8_t*>(a.qs);
}

template <bool kPacked, int RN>
void q8_0_tile(const Rows4& w, size_t nb, const ActView& act, size_t t0, __m128 out[RN]) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256 acc[RN];
  ActRow a[RN];
  for (int t = 0; t < RN; ++t) {
    acc[t] = _mm256_setzero_ps();
    a[t] = act.row(t0 + t);
  }
  for (size_t b = 0; b < nb; ++b) {
    const size_t off = b * w.block_stride;
    const __m128 d4 = load_scales4<kPacked>(w, b);
    const __m256 dw = _mm256_set_m128(d4, d4);
    __m256i wq[kGroupRows], aw[kGroupRows];
    for (size_t r = 0; r < kGroupRows; ++r) {
      wq[r] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.q[r] + off));
      aw[r] = _mm256_sign_epi8(wq[r], wq[r]);
    }
    for (int t = 0; t < RN; ++t) {
      const __m256i y =
          _mm256_load_si256(reinterpret_cast<const __m256i*>(act_quants(a[t]) + b * kQK8_0));
      __m256i p[kGroupRows];
      for (size_t r = 0; r < kGroupRows; ++r) {
        p[r] = _mm256_madd_epi16(_mm256_maddubs_epi16(aw[r], _mm256_sign_epi8(y, wq[r])), ones);
      }
      const __m256 s = _mm256_cvtepi32_ps(fold4(p[0], p[1], p[2], p[3]));
      acc[t] = _mm256_fmadd_ps(s, _mm256_mul_ps(dw, _mm256_set1_ps(a[t].d[b])), acc[t]);
    }
  }
  for (int t = 0; t < RN; ++t) out[t] = halves_sum(acc[t]);
}

// Q4_0 handles rows in pairs: one 32-byte vector holds the 16 quant bytes of two rows, so its low
// nibbles are elements 0-15 of both rows and its high nibbles elements 16-31. Against activations
// duplicated into both halves ([y0..15 | y0..15] and [y16..31 | y16..31]), two vpmaddubsw give
// both rows' products. Two horizontal adds then leave every row's full sum in two lanes: the
// lanes are [r0 r2 r0 r2 | r1 r3 r1 r3], and the scales are arranged to match.
// kPairs: the two rows of a pair are adjacent (kSplitScales and a full group), one load each.
template <bool kPacked, bool kPairs, int RN>
void q4_0_tile(const Rows4& w, size_t nb, const ActView& act, size_t t0, __m128 out[RN]) {
  const __m256i ones = _mm256_set1_epi16(1);
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  const __m256i scale_order = _mm256_setr_epi32(0, 2, 0, 2, 1, 3, 1, 3);
  __m256 acc[RN];
  ActRow a[RN];
  for (int t = 0; t < RN; ++t) {
    acc[t] = _mm256_setzero_ps();
    a[t] = act.row(t0 + t);
  }
  for (size_t b = 0; b < nb; ++b) {
    const size_t off = b * w.block_stride;
    const __m256 dw =
        _mm256_permutevar8x32_ps(_mm256_castps128_ps256(load_scales4<kPacked>(w, b)), scale_order);
    __m256i lo[2], hi[2];
    for (int k = 0; k < 2; ++k) {
      __m256i v;
      if constexpr (kPairs) {
        v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.q[2 * k] + off));
      } else {
        v = _mm256_set_m128i(
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(w.q[2 * k + 1] + off)),
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(w.q[2 * k] + off)));
      }
      lo[k] = _mm256_and_si256(v, low4);
      hi[k] = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
    }
    for (int t = 0; t < RN; ++t) {
      const __m256i y =
          _mm256_load_si256(reinterpret_cast<const __m256i*>(act_quants(a[t]) + b * kQK4_0));
      const __m256i y_lo = _mm256_permute4x64_epi64(y, 0x44);  // [y0..15 | y0..15]
      const __m256i y_hi = _mm256_permute4x64_epi64(y, 0xEE);  // [y16..31 | y16..31]
      __m256i p[2];
      for (int k = 0; k < 2; ++k) {
        // Each s16 is at most 2 * 15 * 127 per vpmaddubsw, so the sum of two cannot overflow.
        const __m256i s16 =
            _mm256_add_epi16(_mm256_maddubs_epi16(lo[k], y_lo), _mm256_maddubs_epi16(hi[k], y_hi));
        p[k] = _mm256_madd_epi16(s16, ones);
      }
      const __m256i f = _mm256_hadd_epi32(p[0], p[1]);
      const __m256i sums =
          _mm256_sub_epi32(_mm256_hadd_epi32(f, f), _mm256_set1_epi32(8 * a[t].sum[b]));
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sums),
                               _mm256_mul_ps(dw, _mm256_set1_ps(a[t].d[b])), acc[t]);
    }
  }
  // Lanes 0, 4, 1, 5 hold rows 0, 1, 2, 3.
  const __m256i row_order = _mm256_setr_epi32(0, 4, 1, 5, 0, 0, 0, 0);
  for (int t = 0; t < RN; ++t) {
    out[t] = _mm256_castps256_ps128(_mm256_permutevar8x32_ps(acc[t], row_order));
  }
}

template <bool kPacked>
struct Q8_0 {
  template <int RN>
  struct Tile {
    static void run(const Rows4& w, size_t nb, const ActView& act, size_t t0, __m128* out) {
      q8_0_tile<kPacked, RN>(w, nb, act, t0, out);
    }
  };
};

template <bool kPacked>
struct Q4_0 {
  template <int RN>
  struct Tile {
    static void run(const Rows4& w, size_t nb, const ActView& act, size_t t0, __m128* out) {
      if (kPacked && w.rows == kGroupRows) {
        q4_0_tile<kPacked, true, RN>(w, nb, act, t0, out);
      } else {
        q4_0_tile<kPacked, false, RN>(w, nb, act, t0, out);
      }
    }
  };
};

constexpr size_t kScaleBytes = 2;  // the fp16 before each block's quants

}  // namespace

void tile_q8_0_avx2(const TileArgs& args) {
  if (args.w.packing == Packing::kSplitScales) {
    run_tiles<Q8_0<true>::Tile, 4>(args, kQK8_0, kScaleBytes);
  } else {
    run_tiles<Q8_0<false>::Tile, 4>(args, kQK8_0, kScaleBytes);
  }
}

void tile_q4_0_avx2(const TileArgs& args) {
  if (args.w.packing == Packing::kSplitScales) {
    run_tiles<Q4_0<true>::Tile, 4>(args, kQK4_0, kScaleBytes);
  } else {
    run_tiles<Q4_0<false>::Tile, 4>(args, kQK4_0, kScaleBytes);
  }
}

AL_AVX2_END

}  // namespace engine::kernels::x86
