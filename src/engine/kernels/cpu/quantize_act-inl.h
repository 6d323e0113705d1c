// Activation conversions of the matmul (activations.h), vectorized with Highway and compiled per
// x86 target by foreach_target (activations.cpp). Bit-exact with the scalar references
// (quant_ref.h: quantize_row_q8_0_act, quantize_row_q8_K_ref; fp16.h), which the tests check on
// every target: the maxima are exact, each quant is one float multiply rounded to nearest even as
// theirs, the scales are computed in scalar code the same way, and the fp16/bf16 conversions
// follow the scalar steps lane by lane (Highway's own DemoteTo does not round or treat NaN the
// same way on every target).

#if defined(ENGINE_KERNELS_CPU_QUANTIZE_ACT_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef ENGINE_KERNELS_CPU_QUANTIZE_ACT_INL_H_
#undef ENGINE_KERNELS_CPU_QUANTIZE_ACT_INL_H_
#else
#define ENGINE_KERNELS_CPU_QUANTIZE_ACT_INL_H_
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/kernels/blocks.h"
#include "engine/kernels/fp16.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace engine::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// One Q8_0 activation row (activations.h layout): n_in floats into qs, d (per 32) and sum.
void QuantizeRowQ8_0(const float* x, size_t n_in, int8_t* qs, float* d_out, int32_t* sum_out) {
  const hn::ScalableTag<float> df;
  const hn::Rebind<int32_t, decltype(df)> di;
  const hn::Rebind<int8_t, decltype(df)> d8;
  const size_t n = hn::Lanes(df);
  for (size_t b = 0; b < n_in / kQK8_0; ++b) {
    const float* xb = x + b * kQK8_0;
    auto vmax = hn::Zero(df);
    for (size_t i = 0; i < kQK8_0; i += n) vmax = hn::Max(vmax, hn::Abs(hn::LoadU(df, xb + i)));
    const float amax = hn::GetLane(hn::MaxOfLanes(df, vmax));
    d_out[b] = fp16_to_fp32(fp32_to_fp16(amax / 127.f));
    const auto id = hn::Set(df, amax != 0.0f ? 127.f / amax : 0.0f);
    auto vsum = hn::Zero(di);
    for (size_t i = 0; i < kQK8_0; i += n) {
      const auto q = hn::NearestInt(hn::Mul(hn::LoadU(df, xb + i), id));
      vsum = hn::Add(vsum, q);
      hn::StoreU(hn::DemoteTo(d8, q), d8, qs + b * kQK8_0 + i);
    }
    sum_out[b] = hn::GetLane(hn::SumOfLanes(di, vsum));
  }
}

// One Q8_K activation row: n_in floats into qs, d (per 256) and bsum (per 16).
void QuantizeRowQ8_K(const float* x, size_t n_in, int8_t* qs, float* d_out, int16_t* bsum) {
  const hn::ScalableTag<float> df;
  const hn::Rebind<int32_t, decltype(df)> di;
  const hn::Rebind<int8_t, decltype(df)> d8;
  const size_t n = hn::Lanes(df);
  for (size_t b = 0; b < n_in / kQK_K; ++b) {
    const float* xb = x + b * kQK_K;
    int8_t* q8 = qs + b * kQK_K;
    auto vmax = hn::Zero(df);
    for (size_t i = 0; i < kQK_K; i += n) vmax = hn::Max(vmax, hn::Abs(hn::LoadU(df, xb + i)));
    const float amax = hn::GetLane(hn::MaxOfLanes(df, vmax));
    if (!(amax > 0.0f)) {
      std::memset(q8, 0, kQK_K);
      std::memset(bsum + b * (kQK_K / 16), 0, kQK_K / 16 * sizeof(int16_t));
      d_out[b] = 0.0f;
      continue;
    }
    // The signed value of the first element of largest magnitude, as the reference picks it.
    float max = amax;
    const auto target = hn::Set(df, amax);
    for (size_t i = 0; i < kQK_K; i += n) {
      const auto hit = hn::Eq(hn::Abs(hn::LoadU(df, xb + i)), target);
      if (!hn::AllFalse(df, hit)) {
        max = xb[i + static_cast<size_t>(hn::FindFirstTrue(df, hit))];
        break;
      }
    }
    const float iscale = -127.f / max;
    const auto vscale = hn::Set(df, iscale);
    const auto limit = hn::Set(di, 127);
    for (size_t g = 0; g < kQK_K; g += 16) {
      auto vsum = hn::Zero(di);
      for (size_t i = g; i < g + 16; i += n) {
        const auto q = hn::Min(hn::NearestInt(hn::Mul(hn::LoadU(df, xb + i), vscale)), limit);
        vsum = hn::Add(vsum, q);
        hn::StoreU(hn::DemoteTo(d8, q), d8, q8 + i);
      }
      bsum[b * (kQK_K / 16) + g / 16] = static_cast<int16_t>(hn::GetLane(hn::SumOfLanes(di, vsum)));
    }
    d_out[b] = 1 / iscale;
  }
}

// fp32 -> bf16 as fp32_to_bf16 (fp16.h): round to nearest even, NaN quietened.
void ConvertRowBF16(const float* x, size_t n, uint16_t* out) {
  const hn::ScalableTag<uint32_t> du;
  const hn::Rebind<uint16_t, decltype(du)> d16;
  const size_t lanes = hn::Lanes(du);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto u = hn::LoadU(du, reinterpret_cast<const uint32_t*>(x + i));
    const auto rounded = hn::ShiftRight<16>(
        hn::Add(u, hn::Add(hn::Set(du, 0x7FFFu), hn::And(hn::ShiftRight<16>(u), hn::Set(du, 1u)))));
    const auto quiet_nan = hn::Or(hn::ShiftRight<16>(u), hn::Set(du, 64u));
    const auto is_nan = hn::Gt(hn::And(u, hn::Set(du, 0x7FFFFFFFu)), hn::Set(du, 0x7F800000u));
    // Highway 1.0 demotes s32 (not u32) to u16; the values are below 2^16 either way.
    const hn::RebindToSigned<decltype(du)> di;
    hn::StoreU(hn::DemoteTo(d16, hn::BitCast(di, hn::IfThenElse(is_nan, quiet_nan, rounded))), d16,
               out + i);
  }
  for (; i < n; ++i) out[i] = fp32_to_bf16(x[i]);
}

// fp32 -> fp16 as fp32_to_fp16 (fp16.h), the same steps lane by lane: the float unit rounds the
// mantissa (scaling by 2^112 then 2^-110), integer ops place exponent and mantissa.
void ConvertRowF16(const float* x, size_t n, uint16_t* out) {
  const hn::ScalableTag<float> df;
  const hn::RebindToUnsigned<decltype(df)> du;
  const hn::Rebind<uint16_t, decltype(du)> d16;
  const size_t lanes = hn::Lanes(df);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto f = hn::LoadU(df, x + i);
    const auto w = hn::BitCast(du, f);
    auto base = hn::Mul(hn::Mul(hn::Abs(f), hn::Set(df, 0x1.0p+112f)), hn::Set(df, 0x1.0p-110f));
    const auto shl1_w = hn::Add(w, w);
    const auto sign = hn::And(w, hn::Set(du, 0x80000000u));
    const auto bias = hn::Max(hn::And(shl1_w, hn::Set(du, 0xFF000000u)), hn::Set(du, 0x71000000u));
    base =
        hn::Add(hn::BitCast(df, hn::Add(hn::ShiftRight<1>(bias), hn::Set(du, 0x07800000u))), base);
    const auto bits = hn::BitCast(du, base);
    const auto exp_bits = hn::And(hn::ShiftRight<13>(bits), hn::Set(du, 0x00007C00u));
    const auto mantissa_bits = hn::And(bits, hn::Set(du, 0x00000FFFu));
    const auto nonsign = hn::Add(exp_bits, mantissa_bits);
    const auto is_nan = hn::Gt(shl1_w, hn::Set(du, 0xFF000000u));
    const auto h =
        hn::Or(hn::ShiftRight<16>(sign), hn::IfThenElse(is_nan, hn::Set(du, 0x7E00u), nonsign));
    const hn::RebindToSigned<decltype(du)> di;
    hn::StoreU(hn::DemoteTo(d16, hn::BitCast(di, h)), d16, out + i);
  }
  for (; i < n; ++i) out[i] = fp32_to_fp16(x[i]);
}

}  // namespace engine::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // include guard toggled per target
