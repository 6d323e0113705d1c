// AVX2 tiles of the K-quant types (Q4_K, Q5_K, Q6_K) against Q8_K activations.
//
// A tile is 4 weight rows by RN tokens. Each super-block of 256 is unpacked once per tile and used
// for RN tokens: vpmaddubsw multiplies the unsigned quants with the signed activations, vpmaddwd
// multiplies the s16 pair sums by the sub-block scale and widens, and everything up to the
// super-block's float scale stays in s32. The mins (Q4_K, Q5_K) and the -32 offset (Q6_K) come
// from the activations' per-16 sums, so the quants are never touched twice.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/kernels/blocks.h"
#include "engine/kernels/cpu/x86/avx2_common.h"
#include "engine/kernels/cpu/x86/avx2_kernels.h"
#include "engine/kernels/tile.h"

namespace engine::kernels::x86 {

AL_AVX2_BEGIN
namespace {

constexpr size_t kQ4KScales = offsetof(BlockQ4K, scales);
constexpr size_t kQ4KQs = offsetof(BlockQ4K, qs);
constexpr size_t kQ5KScales = offsetof(BlockQ5K, scales);
constexpr size_t kQ5KQh = offsetof(BlockQ5K, qh);
constexpr size_t kQ5KQs = offsetof(BlockQ5K, qs);
constexpr size_t kQ6KQl = offsetof(BlockQ6K, ql);
constexpr size_t kQ6KQh = offsetof(BlockQ6K, qh);
constexpr size_t kQ6KScales = offsetof(BlockQ6K, scales);
constexpr size_t kQ6KD = offsetof(BlockQ6K, d);

// The eight 6-bit scales (lanes 0-7) and mins (lanes 8-15) of a Q4_K/Q5_K super-block, as s16.
// Bit layout as unpack_scale_min_k4: bytes 0-3 hold scales 0-3 (low 6 bits) and the high 2 bits
// of scales 4-7; bytes 4-7 the same for the mins; bytes 8-11 the low 4 bits of scales 4-7 (low
// nibble) and mins 4-7 (high nibble).
inline __m256i unpack_scales_mins(const uint8_t* packed) {
  uint32_t u[3];
  std::memcpy(u, packed, sizeof u);
  const uint32_t low6 = 0x3F3F3F3F, low4 = 0x0F0F0F0F, low2 = 0x03030303;
  const uint32_t sc03 = u[0] & low6;
  const uint32_t sc47 = (u[2] & low4) | (((u[0] >> 6) & low2) << 4);
  const uint32_t mn03 = u[1] & low6;
  const uint32_t mn47 = ((u[2] >> 4) & low4) | (((u[1] >> 6) & low2) << 4);
  const __m128i bytes = _mm_setr_epi32(static_cast<int>(sc03), static_cast<int>(sc47),
                                       static_cast<int>(mn03), static_cast<int>(mn47));
  return _mm256_cvtepu8_epi16(bytes);
}

// vpshufb masks that broadcast s16 lane k of a 128-bit lane to all of it.
inline __m256i lane_broadcast_mask(int k) {
  const int lo = 2 * k, hi = 2 * k + 1;
  const int pair = lo | (hi << 8);
  return _mm256_set1_epi16(static_cast<int16_t>(pair));
}

// The s16 scale of sub-block j in all lanes, from scales duplicated into both 128-bit halves.
inline __m256i broadcast_scale(__m256i scales_dup, int j) {
  return _mm256_shuffle_epi8(scales_dup, lane_broadcast_mask(j));
}

// Sum over sub-blocks of min_j * (sum of the activations of sub-block j), for four rows: mins[r]
// holds row r's eight mins as s16, ysum the token's eight sub-block sums.
inline __m128i min_sums4(const __m128i mins[kGroupRows], __m128i ysum) {
  const __m128i m0 = _mm_madd_epi16(mins[0], ysum), m1 = _mm_madd_epi16(mins[1], ysum);
  const __m128i m2 = _mm_madd_epi16(mins[2], ysum), m3 = _mm_madd_epi16(mins[3], ysum);
  return _mm_hadd_epi32(_mm_hadd_epi32(m0, m1), _mm_hadd_epi32(m2, m3));
}

// The eight sub-block (32-element) sums of token row a's super-block sb, as s16.
inline __m128i sub_block_sums(const ActRow& a, size_t sb) {
  const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.bsum + sb * 16));
  return _mm_hadd_epi16(_mm256_castsi256_si128(bs), _mm256_extracti128_si256(bs, 1));
}

inline __m256i load_y(const ActRow& a, size_t offset) {
  return _mm256_load_si256(
      reinterpret_cast<const __m256i*>(static_cast<const int8_t*>(a.qs) + offset));
}

// Q4_K and Q5_K share everything but the quants: Q5_K adds a fifth bit from qh.
template <bool kQ5, int RN>
void q45k_tile(const Rows4& w, size_t nsb, const ActView& act, size_t t0, __m128 out[RN]) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  const size_t scales_off = kQ5 ? kQ5KScales : kQ4KScales;
  const size_t qs_off = kQ5 ? kQ5KQs : kQ4KQs;
  __m128 acc[RN];
  ActRow a[RN];
  for (int t = 0; t < RN; ++t) {
    acc[t] = _mm_setzero_ps();
    a[t] = act.row(t0 + t);
  }
  for (size_t sb = 0; sb < nsb; ++sb) {
    const size_t off = sb * w.block_stride;
    __m256i scales[kGroupRows];  // each row's eight scales, in both halves
    __m128i mins[kGroupRows];
    for (size_t r = 0; r < kGroupRows; ++r) {
      const __m256i sm = unpack_scales_mins(w.q[r] + off + scales_off);
      const __m128i sc = _mm256_castsi256_si128(sm);
      scales[r] = _mm256_set_m128i(sc, sc);
      mins[r] = _mm256_extracti128_si256(sm, 1);
    }
    __m256i isum[kGroupRows][RN];
    for (size_t r = 0; r < kGroupRows; ++r) {
      for (int t = 0; t < RN; ++t) isum[r][t] = _mm256_setzero_si256();
    }
    for (int jp = 0; jp < 4; ++jp) {  // sub-blocks 2jp (low nibbles) and 2jp + 1 (high)
      for (size_t r = 0; r < kGroupRows; ++r) {
        const __m256i packed =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.q[r] + off + qs_off + 32 * jp));
        __m256i lo = _mm256_and_si256(packed, low4);
        __m256i hi = _mm256_and_si256(_mm256_srli_epi16(packed, 4), low4);
        if constexpr (kQ5) {
          const __m256i qh =
              _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.q[r] + off + kQ5KQh));
          const __m256i bit_lo = _mm256_set1_epi8(static_cast<char>(1 << (2 * jp)));
          const __m256i bit_hi = _mm256_set1_epi8(static_cast<char>(1 << (2 * jp + 1)));
          const __m256i sixteen = _mm256_set1_epi8(16);
          lo = _mm256_or_si256(
              lo,
              _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(qh, bit_lo), bit_lo), sixteen));
          hi = _mm256_or_si256(
              hi,
              _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(qh, bit_hi), bit_hi), sixteen));
        }
        const __m256i sc_lo = broadcast_scale(scales[r], 2 * jp);
        const __m256i sc_hi = broadcast_scale(scales[r], 2 * jp + 1);
        for (int t = 0; t < RN; ++t) {
          const size_t yoff = sb * kQK_K + 64 * jp;
          const __m256i p_lo =
              _mm256_madd_epi16(_mm256_maddubs_epi16(lo, load_y(a[t], yoff)), sc_lo);
          const __m256i p_hi =
              _mm256_madd_epi16(_mm256_maddubs_epi16(hi, load_y(a[t], yoff + 32)), sc_hi);
          isum[r][t] = _mm256_add_epi32(isum[r][t], _mm256_add_epi32(p_lo, p_hi));
        }
      }
    }
    const __m128 d = load_fp16x4(w, off + offsetof(BlockQ4K, d));
    const __m128 dmin = load_fp16x4(w, off + offsetof(BlockQ4K, dmin));
    for (int t = 0; t < RN; ++t) {
      const __m128 s = _mm_cvtepi32_ps(sum4(isum[0][t], isum[1][t], isum[2][t], isum[3][t]));
      const __m128 m = _mm_cvtepi32_ps(min_sums4(mins, sub_block_sums(a[t], sb)));
      const __m128 v = _mm_fmsub_ps(d, s, _mm_mul_ps(dmin, m));
      acc[t] = _mm_fmadd_ps(_mm_set1_ps(a[t].d[sb]), v, acc[t]);
    }
  }
  for (int t = 0; t < RN; ++t) out[t] = acc[t];
}

template <int RN>
void q6k_tile(const Rows4& w, size_t nsb, const ActView& act, size_t t0, __m128 out[RN]) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  const __m256i bits45 = _mm256_set1_epi8(0x30);
  __m128 acc[RN];
  ActRow a[RN];
  for (int t = 0; t < RN; ++t) {
    acc[t] = _mm_setzero_ps();
    a[t] = act.row(t0 + t);
  }
  // vpshufb masks: s16 lane 2g in the low half, 2g + 1 in the high half.
  __m256i pair_mask[4];
  for (int g = 0; g < 4; ++g) {
    const int lo = (4 * g) | ((4 * g + 1) << 8), hi = (4 * g + 2) | ((4 * g + 3) << 8);
    pair_mask[g] = _mm256_set_m128i(_mm_set1_epi16(static_cast<int16_t>(hi)),
                                    _mm_set1_epi16(static_cast<int16_t>(lo)));
  }
  for (size_t sb = 0; sb < nsb; ++sb) {
    const size_t off = sb * w.block_stride;
    __m256i isum[kGroupRows][RN];
    for (size_t r = 0; r < kGroupRows; ++r) {
      const __m256i sc16 = _mm256_cvtepi8_epi16(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(w.q[r] + off + kQ6KScales)));
      // The -32 offset of every quant: -32 * sum_i scale_i * (sum of the 16 activations of i).
      for (int t = 0; t < RN; ++t) {
        const __m256i bs =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[t].bsum + sb * 16));
        isum[r][t] = _mm256_slli_epi32(_mm256_madd_epi16(sc16, bs), 5);
        isum[r][t] = _mm256_sub_epi32(_mm256_setzero_si256(), isum[r][t]);
      }
      for (int h = 0; h < 2; ++h) {
        // Scales 8h .. 8h + 7 in both halves, then one (2g, 2g + 1) pair per quarter g.
        const __m128i half =
            h == 0 ? _mm256_castsi256_si128(sc16) : _mm256_extracti128_si256(sc16, 1);
        const __m256i sc_dup = _mm256_set_m128i(half, half);
        const uint8_t* ql = w.q[r] + off + kQ6KQl + 64 * h;
        const __m256i l0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
        const __m256i l1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
        const __m256i qh =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.q[r] + off + kQ6KQh + 32 * h));
        __m256i q[4];
        q[0] = _mm256_or_si256(_mm256_and_si256(l0, low4),
                               _mm256_and_si256(_mm256_slli_epi16(qh, 4), bits45));
        q[1] = _mm256_or_si256(_mm256_and_si256(l1, low4),
                               _mm256_and_si256(_mm256_slli_epi16(qh, 2), bits45));
        q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low4),
                               _mm256_and_si256(qh, bits45));
        q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low4),
                               _mm256_and_si256(_mm256_srli_epi16(qh, 2), bits45));
        for (int g = 0; g < 4; ++g) {
          const __m256i sc = _mm256_shuffle_epi8(sc_dup, pair_mask[g]);
          for (int t = 0; t < RN; ++t) {
            const __m256i y = load_y(a[t], sb * kQK_K + 128 * h + 32 * g);
            isum[r][t] =
                _mm256_add_epi32(isum[r][t], _mm256_madd_epi16(_mm256_maddubs_epi16(q[g], y), sc));
          }
        }
      }
    }
    const __m128 d = load_fp16x4(w, off + kQ6KD);
    for (int t = 0; t < RN; ++t) {
      const __m128 s = _mm_cvtepi32_ps(sum4(isum[0][t], isum[1][t], isum[2][t], isum[3][t]));
      acc[t] = _mm_fmadd_ps(_mm_mul_ps(d, _mm_set1_ps(a[t].d[sb])), s, acc[t]);
    }
  }
  for (int t = 0; t < RN; ++t) out[t] = acc[t];
}

template <int RN>
struct Q4KTile {
  static void run(const Rows4& w, size_t nsb, const ActView& act, size_t t0, __m128* out) {
    q45k_tile<false, RN>(w, nsb, act, t0, out);
  }
};

template <int RN>
struct Q5KTile {
  static void run(const Rows4& w, size_t nsb, const ActView& act, size_t t0, __m128* out) {
    q45k_tile<true, RN>(w, nsb, act, t0, out);
  }
};

template <int RN>
struct Q6KTile {
  static void run(const Rows4& w, size_t nsb, const ActView& act, size_t t0, __m128* out) {
    q6k_tile<RN>(w, nsb, act, t0, out);
  }
};

}  // namespace

void tile_q4k_avx2(const TileArgs& args) {
  run_tiles<Q4KTile, 2>(args, kQK_K, 0);
}
void tile_q5k_avx2(const TileArgs& args) {
  run_tiles<Q5KTile, 2>(args, kQK_K, 0);
}
void tile_q6k_avx2(const TileArgs& args) {
  run_tiles<Q6KTile, 2>(args, kQK_K, 0);
}

AL_AVX2_END

}  // namespace engine::kernels::x86
