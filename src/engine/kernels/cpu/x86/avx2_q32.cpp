// AVX2 tiles of the 32-element block types, Q8_0 and Q4_0, against Q8_0 activations.
//
// Units of eight rows (x8 layout, cpu/unit_packing.h): each vector holds four quants of each of
// the eight rows; vpmaddubsw against four broadcast activation bytes leaves each row's products
// in its own lanes, so a block's sum needs no horizontal adds, and one multiply-add applies the
// eight rows' block scales. Q8_0 weights are signed, so they go through ggml's sign trick (|w|
// times y with w's sign); Q4_0 nibbles are unsigned, their -8 offset is applied once per block as
// -8 * sum(y), and eight products fit in s16 before one vpmaddwd widens them.
//
// Groups of four rows in ggml blocks (borrowed weights, rows after the last unit): each row's
// products are summed per block by vpmaddwd and the four rows folded by horizontal adds.
#include <cstddef>
#include <cstdint>

#include "engine/kernels/blocks.h"
#include "engine/kernels/cpu/unit_packing.h"
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

constexpr size_t kScaleBytes = 2;  // the fp16 before each block's quants

inline const int8_t* act_quants(const ActRow& a) {
  return static_cast<const int8_t*>(a.qs);
}

// ---- x8 units

template <int RN>
struct Q8_0Unit {
  static void run(const TileArgs& args, const uint8_t* unit, size_t t0, float* y) {
    const __m256i ones = _mm256_set1_epi16(1);
    const size_t nb = args.w.n_in / kQK8_0;
    const size_t stride = kUnitRows * sizeof(BlockQ8_0);
    __m256 acc[RN];
    ActRow a[RN];
    for (int t = 0; t < RN; ++t) {
      acc[t] = _mm256_setzero_ps();
      a[t] = args.act.row(t0 + t);
    }
    for (size_t b = 0; b < nb; ++b) {
      const uint8_t* p = unit + b * stride;
      __m256i isum[RN];
      for (int t = 0; t < RN; ++t) isum[t] = _mm256_setzero_si256();
      for (int k = 0; k < 8; ++k) {
        const __m256i w = load256(p + unit8::kQ32Qs + k * unit8::kVector);
        const __m256i aw = _mm256_sign_epi8(w, w);
        for (int t = 0; t < RN; ++t) {
          const __m256i yb = bcast4(act_quants(a[t]) + b * kQK8_0 + 4 * k);
          const __m256i s16 = _mm256_maddubs_epi16(aw, _mm256_sign_epi8(yb, w));
          isum[t] = _mm256_add_epi32(isum[t], _mm256_madd_epi16(s16, ones));
          // Keeps GCC from regrouping the integer sums (it would hold all 8 x RN products at
          // once and spill them).
          asm("" : "+x"(isum[t]));
        }
      }
      const __m256 d = load_fp16x8(p + unit8::kQ32D);
      for (int t = 0; t < RN; ++t) {
        acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[t]),
                                 _mm256_mul_ps(d, _mm256_set1_ps(a[t].d[b])), acc[t]);
      }
    }
    for (int t = 0; t < RN; ++t) _mm256_storeu_ps(y + t * args.ldy, acc[t]);
  }
};

template <int RN>
struct Q4_0Unit {
  static void run(const TileArgs& args, const uint8_t* unit, size_t t0, float* y) {
    const __m256i ones = _mm256_set1_epi16(1);
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    const size_t nb = args.w.n_in / kQK4_0;
    const size_t stride = kUnitRows * sizeof(BlockQ4_0);
    __m256 acc[RN];
    ActRow a[RN];
    for (int t = 0; t < RN; ++t) {
      acc[t] = _mm256_setzero_ps();
      a[t] = args.act.row(t0 + t);
    }
    for (size_t b = 0; b < nb; ++b) {
      const uint8_t* p = unit + b * stride;
      __m256i s16[RN];
      for (int t = 0; t < RN; ++t) s16[t] = _mm256_setzero_si256();
      for (int k = 0; k < 4; ++k) {
        const __m256i v = load256(p + unit8::kQ32Qs + k * unit8::kVector);
        const __m256i lo = _mm256_and_si256(v, low4);                        // elements 4k..
        const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);  // elements 16 + 4k..
        for (int t = 0; t < RN; ++t) {
          const int8_t* yq = act_quants(a[t]) + b * kQK4_0 + 4 * k;
          // Eight products of at most 2 * 15 * 127 each: no s16 overflow.
          s16[t] =
              _mm256_add_epi16(s16[t], _mm256_add_epi16(_mm256_maddubs_epi16(lo, bcast4(yq)),
                                                        _mm256_maddubs_epi16(hi, bcast4(yq + 16))));
        }
      }
      const __m256 d = load_fp16x8(p + unit8::kQ32D);
      for (int t = 0; t < RN; ++t) {
        const __m256i s =
            _mm256_sub_epi32(_mm256_madd_epi16(s16[t], ones), _mm256_set1_epi32(8 * a[t].sum[b]));
        acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_mul_ps(d, _mm256_set1_ps(a[t].d[b])),
                                 acc[t]);
      }
    }
    for (int t = 0; t < RN; ++t) _mm256_storeu_ps(y + t * args.ldy, acc[t]);
  }
};

// ---- groups of four rows in ggml blocks

template <int RN>
struct Q8_0Group {
  static void run(const Rows4& w, const ActView& act, size_t t0, __m128 out[RN]) {
    const __m256i ones = _mm256_set1_epi16(1);
    const size_t nb = act.n_in / kQK8_0;
    __m256 acc[RN];
    ActRow a[RN];
    for (int t = 0; t < RN; ++t) {
      acc[t] = _mm256_setzero_ps();
      a[t] = act.row(t0 + t);
    }
    for (size_t b = 0; b < nb; ++b) {
      const size_t off = b * w.block_stride;
      const __m128 d4 = load_fp16x4(w, b, 0);
      const __m256 dw = _mm256_set_m128(d4, d4);
      __m256i wq[kGroupRows], aw[kGroupRows];
      for (size_t r = 0; r < kGroupRows; ++r) {
        wq[r] = load256(w.q[r] + off);
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
};

template <int RN>
struct Q4_0Group {
  static void run(const Rows4& w, const ActView& act, size_t t0, __m128 out[RN]) {
    const __m256i ones = _mm256_set1_epi16(1);
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    const size_t nb = act.n_in / kQK4_0;
    __m256 acc[RN];
    ActRow a[RN];
    for (int t = 0; t < RN; ++t) {
      acc[t] = _mm256_setzero_ps();
      a[t] = act.row(t0 + t);
    }
    for (size_t b = 0; b < nb; ++b) {
      const size_t off = b * w.block_stride;
      const __m128 d4 = load_fp16x4(w, b, 0);
      const __m256 dw = _mm256_set_m128(d4, d4);
      __m256i wq[kGroupRows];
      for (size_t r = 0; r < kGroupRows; ++r) {
        // Elements 0-15 are the low nibbles, 16-31 the high ones.
        const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w.q[r] + off));
        wq[r] = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(packed, 4), packed), low4);
      }
      for (int t = 0; t < RN; ++t) {
        const __m256i y =
            _mm256_load_si256(reinterpret_cast<const __m256i*>(act_quants(a[t]) + b * kQK4_0));
        __m256i p[kGroupRows];
        for (size_t r = 0; r < kGroupRows; ++r) {
          p[r] = _mm256_madd_epi16(_mm256_maddubs_epi16(wq[r], y), ones);
        }
        // The two halves are added at the end: each takes half of the -8 * sum(y) offset.
        const __m256i s =
            _mm256_sub_epi32(fold4(p[0], p[1], p[2], p[3]), _mm256_set1_epi32(4 * a[t].sum[b]));
        acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s),
                                 _mm256_mul_ps(dw, _mm256_set1_ps(a[t].d[b])), acc[t]);
      }
    }
    for (int t = 0; t < RN; ++t) out[t] = halves_sum(acc[t]);
  }
};

}  // namespace

void tile_q8_0_avx2(const TileArgs& args) {
  run_groups(
      args, [&](const uint8_t* unit, float* y) { run_unit_tokens<Q8_0Unit, 4>(args, unit, y); },
      [&](size_t g) { run_group_tokens<Q8_0Group, 4>(args, g, kScaleBytes); });
}

void tile_q4_0_avx2(const TileArgs& args) {
  run_groups(
      args, [&](const uint8_t* unit, float* y) { run_unit_tokens<Q4_0Unit, 4>(args, unit, y); },
      [&](size_t g) { run_group_tokens<Q4_0Group, 4>(args, g, kScaleBytes); });
}

AL_AVX2_END

}  // namespace engine::kernels::x86
