// Highway bodies of the elementwise ops of ops.h, compiled once per x86 target (foreach_target
// includes this file again for each) and dispatched at run time to the best one this CPU runs.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/ops/vector_ops.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cmath>

#include "engine/kernels/fp16.h"
#include "engine/ops/ops.h"
#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace engine::ops::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void RmsNorm(const float* x, const float* w, float* y, size_t n, float eps) {
  // Sum of squares in double, as ggml does (a float sum drifts on long rows); a scalar loop, since
  // this is O(n) beside the O(n^2) matmuls around it.
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) sum += static_cast<double>(x[i] * x[i]);
  const hn::ScalableTag<float> df;
  const size_t lanes = hn::Lanes(df);
  const float scale = 1.0f / std::sqrt(static_cast<float>(sum / static_cast<double>(n)) + eps);
  const auto vscale = hn::Set(df, scale);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    hn::StoreU(hn::Mul(hn::Mul(hn::LoadU(df, x + i), vscale), hn::LoadU(df, w + i)), df, y + i);
  }
  for (; i < n; ++i) y[i] = x[i] * scale * w[i];
}

template <class D>
HWY_INLINE hn::Vec<D> SiluOf(D df, hn::Vec<D> x) {
  return hn::Div(x, hn::Add(hn::Set(df, 1.0f), hn::Exp(df, hn::Neg(x))));
}
float SiluOf(float x) {
  return x / (1.0f + std::exp(-x));
}

void Swiglu(const float* gate, const float* up, float* y, size_t n) {
  const hn::ScalableTag<float> df;
  const size_t lanes = hn::Lanes(df);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto silu = SiluOf(df, hn::LoadU(df, gate + i));
    hn::StoreU(hn::Mul(silu, hn::LoadU(df, up + i)), df, y + i);
  }
  for (; i < n; ++i) y[i] = SiluOf(gate[i]) * up[i];
}

void Silu(const float* x, float* y, size_t n) {
  const hn::ScalableTag<float> df;
  const size_t lanes = hn::Lanes(df);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(SiluOf(df, hn::LoadU(df, x + i)), df, y + i);
  for (; i < n; ++i) y[i] = SiluOf(x[i]);
}

void Add(float* y, const float* x, size_t n) {
  const hn::ScalableTag<float> df;
  const size_t lanes = hn::Lanes(df);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    hn::StoreU(hn::Add(hn::LoadU(df, y + i), hn::LoadU(df, x + i)), df, y + i);
  }
  for (; i < n; ++i) y[i] += x[i];
}

// Highway 1.0.3 emulates f32 -> f16 demotion by truncation on targets without F16C (SSSE3, SSE4);
// those targets take the scalar conversion, which rounds to nearest even like F16C.
constexpr bool kHardwareFp16 = HWY_TARGET <= HWY_AVX2;

void ToFp16(const float* src, uint16_t* dst, size_t n) {
  if constexpr (!kHardwareFp16) {
    for (size_t i = 0; i < n; ++i) dst[i] = kernels::fp32_to_fp16(src[i]);
    return;
  }
  const hn::ScalableTag<float> df;
  const hn::Rebind<hwy::float16_t, decltype(df)> dh;
  const size_t lanes = hn::Lanes(df);
  auto* out = reinterpret_cast<hwy::float16_t*>(dst);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes)
    hn::StoreU(hn::DemoteTo(dh, hn::LoadU(df, src + i)), dh, out + i);
  if (i < n) {
    const size_t rest = n - i;
    HWY_ALIGN float in[hn::MaxLanes(df)] = {};
    HWY_ALIGN hwy::float16_t half[hn::MaxLanes(df)];
    for (size_t j = 0; j < rest; ++j) in[j] = src[i + j];
    hn::Store(hn::DemoteTo(dh, hn::Load(df, in)), dh, half);
    for (size_t j = 0; j < rest; ++j) out[i + j] = half[j];
  }
}

void RoundToFp16(float* x, size_t n) {
  if constexpr (!kHardwareFp16) {
    for (size_t i = 0; i < n; ++i) x[i] = kernels::fp16_to_fp32(kernels::fp32_to_fp16(x[i]));
    return;
  }
  const hn::ScalableTag<float> df;
  const hn::Rebind<hwy::float16_t, decltype(df)> dh;
  const size_t lanes = hn::Lanes(df);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    hn::StoreU(hn::PromoteTo(df, hn::DemoteTo(dh, hn::LoadU(df, x + i))), df, x + i);
  }
  if (i < n) {
    HWY_ALIGN float tail[hn::MaxLanes(df)] = {};
    for (size_t j = i; j < n; ++j) tail[j - i] = x[j];
    hn::Store(hn::PromoteTo(df, hn::DemoteTo(dh, hn::Load(df, tail))), df, tail);
    for (size_t j = i; j < n; ++j) x[j] = tail[j - i];
  }
}

}  // namespace engine::ops::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace engine::ops {

HWY_EXPORT(RmsNorm);
HWY_EXPORT(Swiglu);
HWY_EXPORT(Silu);
HWY_EXPORT(Add);
HWY_EXPORT(ToFp16);
HWY_EXPORT(RoundToFp16);

void rms_norm(const float* x, const float* w, float* y, size_t n, float eps) {
  HWY_DYNAMIC_DISPATCH(RmsNorm)(x, w, y, n, eps);
}
void swiglu(const float* gate, const float* up, float* y, size_t n) {
  HWY_DYNAMIC_DISPATCH(Swiglu)(gate, up, y, n);
}
void silu(const float* x, float* y, size_t n) {
  HWY_DYNAMIC_DISPATCH(Silu)(x, y, n);
}
void add(float* y, const float* x, size_t n) {
  HWY_DYNAMIC_DISPATCH(Add)(y, x, n);
}
void to_fp16(const float* src, uint16_t* dst, size_t n) {
  HWY_DYNAMIC_DISPATCH(ToFp16)(src, dst, n);
}
void round_to_fp16(float* x, size_t n) {
  HWY_DYNAMIC_DISPATCH(RoundToFp16)(x, n);
}

}  // namespace engine::ops
#endif  // HWY_ONCE
