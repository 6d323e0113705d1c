// AVX2 tiles of the 32-element block types, Q8_0 and Q4_0, against Q8_0 activations.
//
// A tile is 4 weight rows (one row group) by RN tokens. Per block, each row's 32 products with a
// token's activations are summed by vpmaddubsw (u8 x s8 -> pairs of s16) and vpmaddwd (-> s32),
// the four rows' partial sums are folded into one vector by a tree of horizontal adds, and one
// multiply-add applies the four rows' block scales at once. Q8_0 weights are signed, so they go
// through ggml's sign trick (|w| times y with w's sign); Q4_0 nibbles are already unsigned, and
// their -8 offset is applied once per block as -8 * sum(y).
#include <cstddef>
#include <cstdint>

#include "engine/kernels/blocks.h"
#include "engine/kernels/cpu/x86/avx2_common.h"
#include "engine/kernels/cpu/x86/avx2_kernels.h"
#include "engine/kernels/tile.h"

namespace engine::kernels::x86 {

bool cpu_has_avx2() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                          __builtin_cpu_supports("f16c");
  return has;
}

AL_AVX2_BEGIN
namespace {

template <int RN>
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
    const __m256 dw = load_fp16x4_dup(w, off);
    __m256i wq[kGroupRows], aw[kGroupRows];
    for (size_t r = 0; r < kGroupRows; ++r) {
      wq[r] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.p[r] + off + 2));
      aw[r] = _mm256_sign_epi8(wq[r], wq[r]);
    }
    for (int t = 0; t < RN; ++t) {
      const __m256i y = _mm256_load_si256(
          reinterpret_cast<const __m256i*>(static_cast<const int8_t*>(a[t].qs) + b * kQK8_0));
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

template <int RN>
void q4_0_tile(const Rows4& w, size_t nb, const ActView& act, size_t t0, __m128 out[RN]) {
  const __m256i ones = _mm256_set1_epi16(1);
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  __m256 acc[RN];
  ActRow a[RN];
  for (int t = 0; t < RN; ++t) {
    acc[t] = _mm256_setzero_ps();
    a[t] = act.row(t0 + t);
  }
  for (size_t b = 0; b < nb; ++b) {
    const size_t off = b * w.block_stride;
    const __m256 dw = load_fp16x4_dup(w, off);
    __m256i wq[kGroupRows];
    for (size_t r = 0; r < kGroupRows; ++r) {
      // Elements 0-15 are the low nibbles, 16-31 the high ones.
      const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w.p[r] + off + 2));
      wq[r] = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(packed, 4), packed), low4);
    }
    for (int t = 0; t < RN; ++t) {
      const __m256i y = _mm256_load_si256(
          reinterpret_cast<const __m256i*>(static_cast<const int8_t*>(a[t].qs) + b * kQK4_0));
      __m256i p[kGroupRows];
      for (size_t r = 0; r < kGroupRows; ++r) {
        p[r] = _mm256_madd_epi16(_mm256_maddubs_epi16(wq[r], y), ones);
      }
      // Each half holds part of the sum; take the offset from the low half only.
      const __m256i offset = _mm256_setr_epi32(8 * a[t].sum[b], 8 * a[t].sum[b], 8 * a[t].sum[b],
                                               8 * a[t].sum[b], 0, 0, 0, 0);
      const __m256i folded = _mm256_sub_epi32(fold4(p[0], p[1], p[2], p[3]), offset);
      const __m256 s = _mm256_cvtepi32_ps(folded);
      acc[t] = _mm256_fmadd_ps(s, _mm256_mul_ps(dw, _mm256_set1_ps(a[t].d[b])), acc[t]);
    }
  }
  for (int t = 0; t < RN; ++t) out[t] = halves_sum(acc[t]);
}

template <int RN>
struct Q8_0Tile {
  static void run(const Rows4& w, size_t nb, const ActView& act, size_t t0, __m128* out) {
    q8_0_tile<RN>(w, nb, act, t0, out);
  }
};

template <int RN>
struct Q4_0Tile {
  static void run(const Rows4& w, size_t nb, const ActView& act, size_t t0, __m128* out) {
    q4_0_tile<RN>(w, nb, act, t0, out);
  }
};

}  // namespace

void tile_q8_0_avx2(const TileArgs& args) {
  run_tiles<Q8_0Tile, 4>(args, kQK8_0);
}
void tile_q4_0_avx2(const TileArgs& args) {
  run_tiles<Q4_0Tile, 4>(args, kQK4_0);
}

AL_AVX2_END

}  // namespace engine::kernels::x86
