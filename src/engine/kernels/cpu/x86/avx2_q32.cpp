// AVX2 tiles of the 32-element block types, Q8_0 and Q4_0, against Q8_0 activations.
//
// Units of eight rows (x8 layout): q32_units-inl.h with Avx2Dot. Q8_0 weights are signed, so they
// go through ggml's sign trick; eight Q4_0 products fit in s16 before one vpmaddwd widens them.
//
// Groups of four rows in ggml blocks (borrowed weights, rows after the last unit): each row's
// products are summed per block by vpmaddwd and the four rows folded by horizontal adds.
#include <cstddef>
#include <cstdint>

#include "engine/kernels/blocks.h"
#include "engine/kernels/cpu/unit_packing.h"
#include "engine/kernels/cpu/x86/x86_kernels.h"
#include "engine/kernels/tile.h"

#include "engine/kernels/cpu/x86/avx2_common.h"

namespace engine::kernels::x86 {

AL_AVX2_BEGIN
namespace {

constexpr size_t kScaleBytes = 2;  // the fp16 before each block's quants

// ---- x8 units

#include "engine/kernels/cpu/x86/q32_units-inl.h"

template <int RN>
using Q8_0Avx2Unit = Q8_0Unit<Avx2Dot, RN>;
template <int RN>
using Q4_0Avx2Unit = Q4_0Unit<Avx2Dot, RN>;

// ---- groups of four rows in ggml blocks

template <int RN>
struct Q8_0Group {
  static void run(const Rows4& w, const ActView& act, size_t t0, __m128 out[RN]) {
    const __m256i ones = _mm256_set1_epi16(1);
    const size_t nb = act.n_in / kQK8_0;
    __m256 acc[RN];
    ActRow a[RN];
    start_tokens(act, t0, acc, a);
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
    start_tokens(act, t0, acc, a);
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

void q8_0_groups_avx2(const TileArgs& args, size_t g) {
  run_group_tokens<Q8_0Group, 4>(args, g, kScaleBytes);
}

void q4_0_groups_avx2(const TileArgs& args, size_t g) {
  run_group_tokens<Q4_0Group, 4>(args, g, kScaleBytes);
}

void tile_q8_0_avx2(const TileArgs& args) {
  unit_tile<Q8_0Avx2Unit, 4, q8_0_groups_avx2>(args);
}

void tile_q4_0_avx2(const TileArgs& args) {
  unit_tile<Q4_0Avx2Unit, 4, q4_0_groups_avx2>(args);
}

AL_AVX2_END

}  // namespace engine::kernels::x86
