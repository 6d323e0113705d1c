// AVX2 kernel of Q4_K in the "x8" layout (Packing::kKUnits8, cpu/kquant_packing.h): eight rows per
// unit, and each 32-byte vector holds four consecutive quants of each of the eight rows. One
// vpmaddubsw against four activation bytes broadcast to all lanes then leaves each row's products
// in that row's own lanes, so no horizontal adds are needed; eight such products fit in s16
// (8 * 2 * 15 * 127 < 32768) before one vpmaddwd applies the eight rows' sub-block scales.
#include <cstddef>
#include <cstdint>

#include "engine/kernels/blocks.h"
#include "engine/kernels/cpu/kquant_packing.h"
#include "engine/kernels/cpu/x86/avx2_kernels.h"
#include "engine/kernels/tile.h"

#include "engine/kernels/cpu/x86/avx2_common.h"

namespace engine::kernels::x86 {

AL_AVX2_BEGIN
namespace {

inline __m256i load256(const uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

inline __m256i bcast4(const int8_t* p) {
  int32_t v;
  __builtin_memcpy(&v, p, sizeof v);
  return _mm256_set1_epi32(v);
}

// vpshufb masks: kRowScaleMask[j] gives, in s16 lanes 2m and 2m + 1 of each half, byte 4m + j of
// that half: the scale of sub-block j (of the word's four) of the half's row m, for the row's two
// s16 sums. (-128 clears the high byte.)
struct RowScaleMasks {
  alignas(32) int8_t bytes[4][32];
};
constexpr RowScaleMasks make_row_scale_masks() {
  RowScaleMasks m{};
  for (int j = 0; j < 4; ++j) {
    for (int i = 0; i < 32; ++i) {
      const int row = (i % 16) / 4;
      m.bytes[j][i] = static_cast<int8_t>(i % 2 == 0 ? 4 * row + j : -128);
    }
  }
  return m;
}
constexpr RowScaleMasks kRowScaleMasks = make_row_scale_masks();

inline __m256i row_scale_mask(int j) {
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(kRowScaleMasks.bytes[j]));
}

struct UnitScales {
  __m256i sc03, sc47;  // byte 4r + j: scale j (4 + j) of row r (per half)
  __m256i mins03_lo, mins47_lo, mins03_hi, mins47_hi;  // s16 mins of rows 0-3 / 4-7
};

inline UnitScales unit_scales(const uint8_t* words) {
  const __m256i u0 = load256(words), u1 = load256(words + 32), u2 = load256(words + 64);
  const __m256i low6 = _mm256_set1_epi8(0x3F), low4 = _mm256_set1_epi8(0x0F);
  const __m256i low2 = _mm256_set1_epi8(0x03);
  UnitScales s;
  s.sc03 = _mm256_and_si256(u0, low6);
  const __m256i mn03 = _mm256_and_si256(u1, low6);
  s.sc47 = _mm256_or_si256(_mm256_and_si256(u2, low4),
                           _mm256_slli_epi32(_mm256_and_si256(_mm256_srli_epi32(u0, 6), low2), 4));
  const __m256i mn47 =
      _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi32(u2, 4), low4),
                      _mm256_slli_epi32(_mm256_and_si256(_mm256_srli_epi32(u1, 6), low2), 4));
  s.mins03_lo = _mm256_cvtepu8_epi16(_mm256_castsi256_si128(mn03));
  s.mins47_lo = _mm256_cvtepu8_epi16(_mm256_castsi256_si128(mn47));
  s.mins03_hi = _mm256_cvtepu8_epi16(_mm256_extracti128_si256(mn03, 1));
  s.mins47_hi = _mm256_cvtepu8_epi16(_mm256_extracti128_si256(mn47, 1));
  return s;
}

// sum_j min_j(row) * ysum_j for the eight rows, in lane order.
inline __m256i unit_min_sums(const UnitScales& s, __m128i ysum) {
  const __m256i y03 = _mm256_broadcastq_epi64(ysum);
  const __m256i y47 = _mm256_broadcastq_epi64(_mm_srli_si128(ysum, 8));
  const __m256i lo =
      _mm256_add_epi32(_mm256_madd_epi16(s.mins03_lo, y03), _mm256_madd_epi16(s.mins47_lo, y47));
  const __m256i hi =
      _mm256_add_epi32(_mm256_madd_epi16(s.mins03_hi, y03), _mm256_madd_epi16(s.mins47_hi, y47));
  // [r0 r1 r4 r5 | r2 r3 r6 r7] -> r0..r7
  return _mm256_permutevar8x32_epi32(_mm256_hadd_epi32(lo, hi),
                                     _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7));
}

template <int RN>
void q4k_unit_tile(const uint8_t* unit, size_t nsb, size_t sb_stride, const ActView& act, size_t t0,
                   float* y, size_t ldy) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  __m256 acc[RN];
  ActRow a[RN];
  for (int t = 0; t < RN; ++t) {
    acc[t] = _mm256_setzero_ps();
    a[t] = act.row(t0 + t);
  }
  for (size_t sb = 0; sb < nsb; ++sb) {
    const uint8_t* p = unit + sb * sb_stride;
    const UnitScales s = unit_scales(p + kpack::x8::kScaleWords);
    __m256i isum[RN];
    for (int t = 0; t < RN; ++t) isum[t] = _mm256_setzero_si256();
    for (int jp = 0; jp < 4; ++jp) {
      __m256i acc_lo[RN], acc_hi[RN];
      for (int t = 0; t < RN; ++t) acc_lo[t] = acc_hi[t] = _mm256_setzero_si256();
      for (int k = 0; k < 8; ++k) {
        const __m256i v = load256(p + kpack::x8::kQs + (jp * 8 + k) * 32);
        const __m256i lo = _mm256_and_si256(v, low4);
        const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
        for (int t = 0; t < RN; ++t) {
          const int8_t* yq = static_cast<const int8_t*>(a[t].qs) + sb * kQK_K + 64 * jp + 4 * k;
          acc_lo[t] = _mm256_add_epi16(acc_lo[t], _mm256_maddubs_epi16(lo, bcast4(yq)));
          acc_hi[t] = _mm256_add_epi16(acc_hi[t], _mm256_maddubs_epi16(hi, bcast4(yq + 32)));
        }
      }
      const int j_lo = 2 * jp, j_hi = 2 * jp + 1;
      const __m256i sc_lo =
          _mm256_shuffle_epi8(j_lo < 4 ? s.sc03 : s.sc47, row_scale_mask(j_lo % 4));
      const __m256i sc_hi =
          _mm256_shuffle_epi8(j_hi < 4 ? s.sc03 : s.sc47, row_scale_mask(j_hi % 4));
      for (int t = 0; t < RN; ++t) {
        isum[t] = _mm256_add_epi32(isum[t], _mm256_add_epi32(_mm256_madd_epi16(acc_lo[t], sc_lo),
                                                             _mm256_madd_epi16(acc_hi[t], sc_hi)));
      }
    }
    const __m256 d =
        _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + kpack::x8::kD)));
    const __m256 dmin =
        _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + kpack::x8::kDmin)));
    for (int t = 0; t < RN; ++t) {
      const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[t].bsum + sb * 16));
      const __m128i ysum =
          _mm_hadd_epi16(_mm256_castsi256_si128(bs), _mm256_extracti128_si256(bs, 1));
      const __m256 m = _mm256_cvtepi32_ps(unit_min_sums(s, ysum));
      const __m256 v = _mm256_fmsub_ps(d, _mm256_cvtepi32_ps(isum[t]), _mm256_mul_ps(dmin, m));
      acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(a[t].d[sb]), v, acc[t]);
    }
  }
  for (int t = 0; t < RN; ++t) _mm256_storeu_ps(y + t * ldy, acc[t]);
}

}  // namespace

void q4k_unit8_avx2(const uint8_t* unit, size_t nsb, size_t sb_stride, const ActView& act,
                    size_t t0, size_t t1, float* y, size_t ldy) {
  constexpr int kTileTokens = 3;
  size_t t = t0;
  for (; t + kTileTokens <= t1; t += kTileTokens) {
    q4k_unit_tile<kTileTokens>(unit, nsb, sb_stride, act, t, y + t * ldy, ldy);
  }
  for (; t < t1; ++t) q4k_unit_tile<1>(unit, nsb, sb_stride, act, t, y + t * ldy, ldy);
}

AL_AVX2_END

}  // namespace engine::kernels::x86
