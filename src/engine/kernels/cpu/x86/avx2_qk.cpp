// AVX2 tiles of the K-quant types (Q4_K, Q5_K, Q6_K) against Q8_K activations.
//
// A tile is 4 weight rows by RN tokens. Each super-block of 256 is unpacked once per tile and used
// for RN tokens: vpmaddubsw multiplies the unsigned quants with the signed activations, vpmaddwd
// multiplies the s16 pair sums by the sub-block scale and widens, and everything up to the
// super-block's float scale stays in s32. The mins (Q4_K, Q5_K) and the -32 offset (Q6_K) come
// from the activations' per-16 sums, so the quants are never touched twice.
//
// These are the kernels of groups of four rows in ggml blocks (borrowed weights, and the rows
// after the last x8 unit); the x8 units have their own kernels in qk_units-inl.h.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "engine/kernels/blocks.h"
#include "engine/kernels/cpu/x86/x86_kernels.h"
#include "engine/kernels/tile.h"

#include "engine/kernels/cpu/x86/avx2_common.h"

namespace engine::kernels::x86 {

AL_AVX2_BEGIN
namespace {

constexpr uint32_t kLow6 = 0x3F3F3F3F, kLow4 = 0x0F0F0F0F, kLow2 = 0x03030303;

// The 6-bit scales and mins of sub-blocks 0-3 and 4-7 from the three 4-byte words of the packed
// bytes (as unpack_scale_min_k4): bytes 0-3 hold scales 0-3 and the high 2 bits of scales 4-7,
// bytes 4-7 the same for the mins, bytes 8-11 the low 4 bits of scales 4-7 (low nibble) and of
// mins 4-7 (high nibble). Works on one row (uint32_t) or four rows at once (one word per lane).
struct ScaleWords {
  __m128i sc03, sc47, mn03, mn47;
};
inline ScaleWords unpack_scale_words(__m128i u0, __m128i u1, __m128i u2) {
  const __m128i low6 = _mm_set1_epi32(static_cast<int>(kLow6));
  const __m128i low4 = _mm_set1_epi32(static_cast<int>(kLow4));
  const __m128i low2 = _mm_set1_epi32(static_cast<int>(kLow2));
  ScaleWords w;
  w.sc03 = _mm_and_si128(u0, low6);
  w.mn03 = _mm_and_si128(u1, low6);
  w.sc47 = _mm_or_si128(_mm_and_si128(u2, low4),
                        _mm_slli_epi32(_mm_and_si128(_mm_srli_epi32(u0, 6), low2), 4));
  w.mn47 = _mm_or_si128(_mm_and_si128(_mm_srli_epi32(u2, 4), low4),
                        _mm_slli_epi32(_mm_and_si128(_mm_srli_epi32(u1, 6), low2), 4));
  return w;
}

// Scales and mins of the four rows as s16: scales[r] holds row r's eight scales in both 128-bit
// halves (for broadcast_scale), mins[r] its eight mins.
struct ScalesMins {
  __m256i scales[kGroupRows];
  __m128i mins[kGroupRows];
};

// Row r's 8 bytes from (lo03, lo47) words in lane r -> s16.
inline void set_row(ScalesMins& sm, size_t r, __m128i sc8, __m128i mn8) {
  const __m128i sc = _mm_cvtepu8_epi16(sc8);
  sm.scales[r] = _mm256_set_m128i(sc, sc);
  sm.mins[r] = _mm_cvtepu8_epi16(mn8);
}

// From four rows' words (lane r = row r): interleave each row's 0-3 and 4-7 words.
inline void rows_from_words(const ScaleWords& w, ScalesMins& sm) {
  const __m128i sc01 = _mm_unpacklo_epi32(w.sc03, w.sc47);  // [r0 0-3, r0 4-7, r1 0-3, r1 4-7]
  const __m128i sc23 = _mm_unpackhi_epi32(w.sc03, w.sc47);
  const __m128i mn01 = _mm_unpacklo_epi32(w.mn03, w.mn47);
  const __m128i mn23 = _mm_unpackhi_epi32(w.mn03, w.mn47);
  set_row(sm, 0, sc01, mn01);
  set_row(sm, 1, _mm_srli_si128(sc01, 8), _mm_srli_si128(mn01, 8));
  set_row(sm, 2, sc23, mn23);
  set_row(sm, 3, _mm_srli_si128(sc23, 8), _mm_srli_si128(mn23, 8));
}

inline uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Four rows of ggml blocks (Rows4: q[r] + b * block_stride is row r's block b).
struct GgufRows {
  const Rows4& w;
  const uint8_t* block(size_t r, size_t sb) const { return w.b0[r] + sb * w.block_stride; }

  template <typename Block>
  void scales_mins(size_t sb, ScalesMins& sm) const {
    __m128i u[3];
    for (int k = 0; k < 3; ++k) {
      u[k] = _mm_setr_epi32(
          static_cast<int>(load_u32(block(0, sb) + offsetof(Block, scales) + 4 * k)),
          static_cast<int>(load_u32(block(1, sb) + offsetof(Block, scales) + 4 * k)),
          static_cast<int>(load_u32(block(2, sb) + offsetof(Block, scales) + 4 * k)),
          static_cast<int>(load_u32(block(3, sb) + offsetof(Block, scales) + 4 * k)));
    }
    rows_from_words(unpack_scale_words(u[0], u[1], u[2]), sm);
  }
  template <typename Block>
  __m128 d(size_t sb) const {
    return load_fp16x4(w, sb, offsetof(Block, d));
  }
  template <typename Block>
  __m128 dmin(size_t sb) const {
    return load_fp16x4(w, sb, offsetof(Block, dmin));
  }
  template <typename Block>
  const uint8_t* qs(size_t r, size_t sb) const {
    return block(r, sb) + offsetof(Block, qs);
  }
  const uint8_t* q5_qh(size_t r, size_t sb) const { return block(r, sb) + offsetof(BlockQ5K, qh); }
  const uint8_t* q6_ql(size_t r, size_t sb) const { return block(r, sb) + offsetof(BlockQ6K, ql); }
  const uint8_t* q6_qh(size_t r, size_t sb) const { return block(r, sb) + offsetof(BlockQ6K, qh); }
  const uint8_t* q6_scales(size_t r, size_t sb) const {
    return block(r, sb) + offsetof(BlockQ6K, scales);
  }
  __m128 q6_d(size_t sb) const { return load_fp16x4(w, sb, offsetof(BlockQ6K, d)); }
};

// vpshufb mask that broadcasts s16 lane k of each 128-bit half to the whole half.
inline __m256i broadcast_scale(__m256i scales_dup, int k) {
  const int pair = (2 * k) | ((2 * k + 1) << 8);
  return _mm256_shuffle_epi8(scales_dup, _mm256_set1_epi16(static_cast<int16_t>(pair)));
}

// Sum over sub-blocks of min_j * (sum of the activations of sub-block j), for four rows.
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

inline __m256i loadu256(const uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// Q4_K and Q5_K share everything but the quants: Q5_K adds a fifth bit from qh.
template <typename Block, int RN, typename Src>
void q45k_tile(const Src& src, size_t nsb, const ActView& act, size_t t0, __m128 out[RN]) {
  constexpr bool kQ5 = sizeof(Block) == sizeof(BlockQ5K);
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  __m128 acc[RN];
  ActRow a[RN];
  for (int t = 0; t < RN; ++t) {
    acc[t] = _mm_setzero_ps();
    a[t] = act.row(t0 + t);
  }
  for (size_t sb = 0; sb < nsb; ++sb) {
    ScalesMins sm;
    src.template scales_mins<Block>(sb, sm);
    __m256i isum[kGroupRows][RN];
    for (size_t r = 0; r < kGroupRows; ++r) {
      for (int t = 0; t < RN; ++t) isum[r][t] = _mm256_setzero_si256();
    }
    for (int jp = 0; jp < 4; ++jp) {  // sub-blocks 2jp (low nibbles) and 2jp + 1 (high)
      __m256i y_lo[RN], y_hi[RN];
      for (int t = 0; t < RN; ++t) {
        y_lo[t] = load_y(a[t], sb * kQK_K + 64 * jp);
        y_hi[t] = load_y(a[t], sb * kQK_K + 64 * jp + 32);
      }
      for (size_t r = 0; r < kGroupRows; ++r) {
        const __m256i packed = loadu256(src.template qs<Block>(r, sb) + 32 * jp);
        __m256i lo = _mm256_and_si256(packed, low4);
        __m256i hi = _mm256_and_si256(_mm256_srli_epi16(packed, 4), low4);
        if constexpr (kQ5) {
          const __m256i qh = loadu256(src.q5_qh(r, sb));
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
        const __m256i sc_lo = broadcast_scale(sm.scales[r], 2 * jp);
        const __m256i sc_hi = broadcast_scale(sm.scales[r], 2 * jp + 1);
        for (int t = 0; t < RN; ++t) {
          const __m256i p_lo = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, y_lo[t]), sc_lo);
          const __m256i p_hi = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, y_hi[t]), sc_hi);
          isum[r][t] = _mm256_add_epi32(isum[r][t], _mm256_add_epi32(p_lo, p_hi));
        }
      }
    }
    const __m128 d = src.template d<Block>(sb);
    const __m128 dmin = src.template dmin<Block>(sb);
    for (int t = 0; t < RN; ++t) {
      const __m128 s = _mm_cvtepi32_ps(sum4(isum[0][t], isum[1][t], isum[2][t], isum[3][t]));
      const __m128 m = _mm_cvtepi32_ps(min_sums4(sm.mins, sub_block_sums(a[t], sb)));
      const __m128 v = _mm_fmsub_ps(d, s, _mm_mul_ps(dmin, m));
      acc[t] = _mm_fmadd_ps(_mm_set1_ps(a[t].d[sb]), v, acc[t]);
    }
  }
  for (int t = 0; t < RN; ++t) out[t] = acc[t];
}

template <int RN, typename Src>
void q6k_tile(const Src& src, size_t nsb, const ActView& act, size_t t0, __m128 out[RN]) {
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
    __m256i isum[kGroupRows][RN];
    for (size_t r = 0; r < kGroupRows; ++r) {
      const __m256i sc16 = _mm256_cvtepi8_epi16(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(src.q6_scales(r, sb))));
      // The -32 offset of every quant: -32 * sum_i scale_i * (sum of the 16 activations of i).
      for (int t = 0; t < RN; ++t) {
        const __m256i bs =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[t].bsum + sb * 16));
        isum[r][t] = _mm256_sub_epi32(_mm256_setzero_si256(),
                                      _mm256_slli_epi32(_mm256_madd_epi16(sc16, bs), 5));
      }
      for (int h = 0; h < 2; ++h) {
        // Scales 8h .. 8h + 7 in both halves, then one (2g, 2g + 1) pair per quarter g.
        const __m128i half =
            h == 0 ? _mm256_castsi256_si128(sc16) : _mm256_extracti128_si256(sc16, 1);
        const __m256i sc_dup = _mm256_set_m128i(half, half);
        const uint8_t* ql = src.q6_ql(r, sb) + 64 * h;
        const __m256i l0 = loadu256(ql);
        const __m256i l1 = loadu256(ql + 32);
        const __m256i qh = loadu256(src.q6_qh(r, sb) + 32 * h);
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
    const __m128 d = src.q6_d(sb);
    for (int t = 0; t < RN; ++t) {
      const __m128 s = _mm_cvtepi32_ps(sum4(isum[0][t], isum[1][t], isum[2][t], isum[3][t]));
      acc[t] = _mm_fmadd_ps(_mm_mul_ps(d, _mm_set1_ps(a[t].d[sb])), s, acc[t]);
    }
  }
  for (int t = 0; t < RN; ++t) out[t] = acc[t];
}

template <int RN>
struct Q4KGroup {
  static void run(const Rows4& w, const ActView& act, size_t t0, __m128* out) {
    q45k_tile<BlockQ4K, RN>(GgufRows{w}, act.n_in / kQK_K, act, t0, out);
  }
};
template <int RN>
struct Q5KGroup {
  static void run(const Rows4& w, const ActView& act, size_t t0, __m128* out) {
    q45k_tile<BlockQ5K, RN>(GgufRows{w}, act.n_in / kQK_K, act, t0, out);
  }
};
template <int RN>
struct Q6KGroup {
  static void run(const Rows4& w, const ActView& act, size_t t0, __m128* out) {
    q6k_tile<RN>(GgufRows{w}, act.n_in / kQK_K, act, t0, out);
  }
};

}  // namespace

void q4k_groups_avx2(const TileArgs& args, size_t g) {
  run_group_tokens<Q4KGroup, 2>(args, g, 0);
}
void q5k_groups_avx2(const TileArgs& args, size_t g) {
  run_group_tokens<Q5KGroup, 2>(args, g, 0);
}
void q6k_groups_avx2(const TileArgs& args, size_t g) {
  run_group_tokens<Q6KGroup, 2>(args, g, 0);
}

AL_AVX2_END

}  // namespace engine::kernels::x86
