// AVX-512 VNNI tiles of the quantized types: the x8-unit kernels of q32_units-inl.h and
// qk_units-inl.h with VnniDot, whose vpdpbusd sums four u8 x s8 products into s32 lanes in one
// instruction (AVX2: vpmaddubsw, vpmaddwd and an add) and never saturates, so accumulators run a
// whole sub-block before the scale. 256-bit vectors (AVX512-VL): Zen 4 runs 512-bit integer ops as
// two 256-bit halves, so the wider form would only pay on Intel's two-port cores. Groups outside
// the units (borrowed weights, the rows after the last unit) run the AVX2 group kernels.
//
// Tested on any CPU by unit_kernels_x86_emulated (x86_intrinsics.h).
#include <cstddef>
#include <cstdint>

#include "engine/kernels/blocks.h"
#include "engine/kernels/cpu/unit_packing.h"
#include "engine/kernels/cpu/x86/x86_kernels.h"
#include "engine/kernels/tile.h"

#include "engine/kernels/cpu/x86/avx2_common.h"

namespace engine::kernels::x86 {

AL_AVX512_BEGIN
namespace {

// The Dot of the unit kernels (see Avx2Dot in avx2_common.h) with vpdpbusd. Accumulators are
// s32; a scale is applied by vpmulld on its s16 value sign-extended. Signed weights (Q8_0) are
// biased to unsigned (w + 128, a flip of the top bit) and 128 * sum(y) taken off per block.
struct VnniDot {
  using Acc = __m256i;
  static Acc zero() { return _mm256_setzero_si256(); }
  static Acc add(Acc acc, __m256i u8, __m256i s8) { return _mm256_dpbusd_epi32(acc, u8, s8); }
  static __m256i sum(Acc acc) { return acc; }
  static __m256i scale_of(__m256i scale_s16) {
    return _mm256_srai_epi32(_mm256_slli_epi32(scale_s16, 16), 16);
  }
  static __m256i scaled_sum(Acc acc, __m256i scale) { return _mm256_mullo_epi32(acc, scale); }
  // A sub-block's sums stay far below 2^31 (the unit kernels run at most eight vectors).
  static constexpr int runs(int /*max_quant*/) { return 1 << 16; }

  struct Signed {
    __m256i biased;
  };
  static Signed signed_weights(__m256i w) {
    return {_mm256_xor_si256(w, _mm256_set1_epi8(static_cast<char>(0x80)))};
  }
  static __m256i add_signed(__m256i acc, const Signed& w, __m256i y) {
    return _mm256_dpbusd_epi32(acc, w.biased, y);
  }
  static __m256i signed_sum(__m256i acc, int32_t y_sum) {
    return _mm256_sub_epi32(acc, _mm256_set1_epi32(128 * y_sum));
  }
};

#include "engine/kernels/cpu/x86/q32_units-inl.h"
#include "engine/kernels/cpu/x86/qk_units-inl.h"

template <int RN>
using Q8_0VnniUnit = Q8_0Unit<VnniDot, RN>;
template <int RN>
using Q4_0VnniUnit = Q4_0Unit<VnniDot, RN>;
template <int RN>
using Q4KVnniUnit = Q45KUnit<VnniDot, false, RN>;
template <int RN>
using Q5KVnniUnit = Q45KUnit<VnniDot, true, RN>;
template <int RN>
using Q6KVnniUnit = Q6KUnit<VnniDot, RN>;

}  // namespace

void tile_q8_0_vnni(const TileArgs& args) {
  unit_tile<Q8_0VnniUnit, 4, q8_0_groups_avx2>(args);
}

void tile_q4_0_vnni(const TileArgs& args) {
  unit_tile<Q4_0VnniUnit, 4, q4_0_groups_avx2>(args);
}

void tile_q4k_vnni(const TileArgs& args) {
  unit_tile<Q4KVnniUnit, 3, q4k_groups_avx2>(args);
}

void tile_q5k_vnni(const TileArgs& args) {
  unit_tile<Q5KVnniUnit, 3, q5k_groups_avx2>(args);
}

void tile_q6k_vnni(const TileArgs& args) {
  unit_tile<Q6KVnniUnit, 2, q6k_groups_avx2>(args);
}

AL_AVX512_END

}  // namespace engine::kernels::x86
