// Highway tiles of the float weight types: F32 weights x F32 activations, F16 x F16, BF16 x BF16
// (ggml converts activations to the weight's float type too, so results match its rounding).
// Compiled once per x86 target by foreach_target (float_tile.cpp). A tile is 4 rows x RN tokens:
// each weight vector is converted once and used for RN tokens, each activation vector for 4 rows.

#if defined(ENGINE_KERNELS_CPU_FLOAT_TILE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef ENGINE_KERNELS_CPU_FLOAT_TILE_INL_H_
#undef ENGINE_KERNELS_CPU_FLOAT_TILE_INL_H_
#else
#define ENGINE_KERNELS_CPU_FLOAT_TILE_INL_H_
#endif

#include <cstddef>
#include <cstdint>

#include "engine/kernels/fp16.h"
#include "engine/kernels/tile.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace engine::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// How one weight or activation element type loads as floats.
struct F32Elems {
  using T = float;
  template <class D>
  static HWY_INLINE hn::Vec<D> load(D df, const T* p) {
    return hn::LoadU(df, p);
  }
  static float scalar(T v) { return v; }
};

struct F16Elems {
  using T = uint16_t;
  template <class D>
  static HWY_INLINE hn::Vec<D> load(D df, const T* p) {
    const hn::Rebind<hwy::float16_t, D> dh;
    return hn::PromoteTo(df, hn::LoadU(dh, reinterpret_cast<const hwy::float16_t*>(p)));
  }
  static float scalar(T v) { return fp16_to_fp32(v); }
};

struct BF16Elems {
  using T = uint16_t;
  template <class D>
  static HWY_INLINE hn::Vec<D> load(D df, const T* p) {
    const hn::Rebind<hwy::bfloat16_t, D> dh;
    return hn::PromoteTo(df, hn::LoadU(dh, reinterpret_cast<const hwy::bfloat16_t*>(p)));
  }
  static float scalar(T v) { return bf16_to_fp32(v); }
};

// y[t][r] for the (up to) 4 rows at w[r] and RN tokens at a[t], n elements each.
template <class E, int RN>
HWY_INLINE void float_tile(const typename E::T* const w[kGroupRows], size_t rows,
                           const typename E::T* const a[RN], size_t n, float* y, size_t ldy) {
  const hn::ScalableTag<float> df;
  const size_t lanes = hn::Lanes(df);
  hn::Vec<decltype(df)> acc[kGroupRows][RN];
  for (size_t r = 0; r < kGroupRows; ++r) {
    for (int t = 0; t < RN; ++t) acc[r][t] = hn::Zero(df);
  }
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    hn::Vec<decltype(df)> av[RN];
    for (int t = 0; t < RN; ++t) av[t] = E::load(df, a[t] + i);
    for (size_t r = 0; r < kGroupRows; ++r) {
      const auto wv = E::load(df, w[r] + i);
      for (int t = 0; t < RN; ++t) acc[r][t] = hn::MulAdd(wv, av[t], acc[r][t]);
    }
  }
  for (size_t r = 0; r < rows; ++r) {
    for (int t = 0; t < RN; ++t) {
      float sum = hn::GetLane(hn::SumOfLanes(df, acc[r][t]));
      for (size_t k = i; k < n; ++k) sum += E::scalar(w[r][k]) * E::scalar(a[t][k]);
      y[t * ldy + r] = sum;
    }
  }
}

template <class E>
void float_tiles(const TileArgs& args) {
  using T = typename E::T;
  constexpr int kTileTokens = 2;
  const size_t n = args.w.n_in;
  for (size_t g = args.g0; g < args.g1; ++g) {
    const auto gp = args.w.group(g);
    const T* w[kGroupRows];
    for (size_t r = 0; r < kGroupRows; ++r) {
      w[r] = reinterpret_cast<const T*>(gp.row(r));
    }
    float* yg = args.y + g * kGroupRows;
    size_t t = args.t0;
    for (; t + kTileTokens <= args.t1; t += kTileTokens) {
      const T* a[kTileTokens];
      for (int k = 0; k < kTileTokens; ++k) {
        a[k] = reinterpret_cast<const T*>(args.act.data + (t + k) * args.act.row_bytes);
      }
      float_tile<E, kTileTokens>(w, gp.rows, a, n, yg + t * args.ldy, args.ldy);
    }
    for (; t < args.t1; ++t) {
      const T* a[1] = {reinterpret_cast<const T*>(args.act.data + t * args.act.row_bytes)};
      float_tile<E, 1>(w, gp.rows, a, n, yg + t * args.ldy, args.ldy);
    }
  }
}

void TileF32(const TileArgs& args) {
  float_tiles<F32Elems>(args);
}
void TileF16(const TileArgs& args) {
  float_tiles<F16Elems>(args);
}
void TileBF16(const TileArgs& args) {
  float_tiles<BF16Elems>(args);
}

}  // namespace engine::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // include guard toggled per target
