// AVX-512 BF16 tile of BF16 weights: vdpbf16ps multiplies 32 pairs of bf16 and adds each pair's
// two products into one of 16 float lanes, so the weights and activations are used as stored (the
// Highway tile below this level widens both to floats first). A tile is 4 rows x up to 4 tokens:
// each activation vector is loaded once for 4 rows, each weight vector once for 4 tokens; 16
// accumulators of 512 bits. The last n % 32 elements are zero-filled to one more vector.
//
// vdpbf16ps flushes subnormal inputs and outputs to zero (ggml's BF16 path on these CPUs does the
// same); the sums differ from the float tile's only in their order.
//
// Tested on any CPU by unit_kernels_x86_emulated (x86_intrinsics.h).
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/kernels/cpu/x86/x86_kernels.h"
#include "engine/kernels/tile.h"

#include "engine/kernels/cpu/x86/x86_intrinsics.h"

namespace engine::kernels::x86 {

AL_AVX512_BF16_BEGIN
namespace {

constexpr size_t kVectorElems = 32;  // bf16 per 512-bit vector
constexpr int kTileTokens = 4;

// `count` (1..32) bf16 from p, zero-filled to a whole vector.
inline __m512bh load_bf16(const uint16_t* p, size_t count) {
  if (count == kVectorElems) return __builtin_bit_cast(__m512bh, _mm512_loadu_si512(p));
  uint16_t part[kVectorElems] = {};
  std::memcpy(part, p, count * sizeof(uint16_t));
  return __builtin_bit_cast(__m512bh, _mm512_loadu_si512(part));
}

inline float sum_of_lanes(__m512 v) {
  const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
  const __m256 s8 = _mm256_add_ps(_mm512_castps512_ps256(v), hi);
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
  s4 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  return _mm_cvtss_f32(_mm_add_ss(s4, _mm_movehdup_ps(s4)));
}

// acc[r][t] += the `count` elements at offset i of w[r] . a[t].
template <int RN>
inline void accumulate(__m512 (&acc)[kGroupRows][RN], const uint16_t* const w[kGroupRows],
                       const uint16_t* const a[RN], size_t i, size_t count) {
  __m512bh av[RN];
  for (int t = 0; t < RN; ++t) av[t] = load_bf16(a[t] + i, count);
  for (size_t r = 0; r < kGroupRows; ++r) {
    const __m512bh wv = load_bf16(w[r] + i, count);
    for (int t = 0; t < RN; ++t) acc[r][t] = _mm512_dpbf16_ps(acc[r][t], wv, av[t]);
  }
}

// y[t * ldy + r] for the first `rows` of the 4 rows at w[r] and RN tokens at a[t], n elements each.
template <int RN>
void bf16_tile(const uint16_t* const w[kGroupRows], size_t rows, const uint16_t* const a[RN],
               size_t n, float* y, size_t ldy) {
  __m512 acc[kGroupRows][RN];
  for (auto& row : acc) {
    for (auto& v : row) v = _mm512_setzero_ps();
  }
  size_t i = 0;
  for (; i + kVectorElems <= n; i += kVectorElems) accumulate<RN>(acc, w, a, i, kVectorElems);
  if (i < n) accumulate<RN>(acc, w, a, i, n - i);
  for (size_t r = 0; r < rows; ++r) {
    for (int t = 0; t < RN; ++t) y[t * ldy + r] = sum_of_lanes(acc[r][t]);
  }
}

template <int RN>
void tokens_tile(const TileArgs& args, const uint16_t* const w[kGroupRows], size_t rows, size_t t,
                 float* yg) {
  const uint16_t* a[RN];
  for (int k = 0; k < RN; ++k) {
    a[k] = reinterpret_cast<const uint16_t*>(args.act.data + (t + k) * args.act.row_bytes);
  }
  bf16_tile<RN>(w, rows, a, args.w.n_in, yg + t * args.ldy, args.ldy);
}

}  // namespace

void tile_bf16_dpbf16(const TileArgs& args) {
  for (size_t g = args.g0; g < args.g1; ++g) {
    const auto gp = args.w.group(g);
    const uint16_t* w[kGroupRows];
    for (size_t r = 0; r < kGroupRows; ++r) w[r] = reinterpret_cast<const uint16_t*>(gp.row(r));
    float* yg = args.y + g * kGroupRows;
    size_t t = args.t0;
    for (; t + kTileTokens <= args.t1; t += kTileTokens) tokens_tile<4>(args, w, gp.rows, t, yg);
    switch (args.t1 - t) {
      case 3:
        tokens_tile<3>(args, w, gp.rows, t, yg);
        break;
      case 2:
        tokens_tile<2>(args, w, gp.rows, t, yg);
        break;
      case 1:
        tokens_tile<1>(args, w, gp.rows, t, yg);
        break;
      default:
        break;
    }
  }
}

AL_AVX512_BF16_END

}  // namespace engine::kernels::x86
