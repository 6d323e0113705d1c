#include "engine/kernels/activations.h"

#include <cstring>

#include "engine/kernels/blocks.h"
#include "engine/kernels/check.h"
#include "engine/kernels/fp16.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/kernels/cpu/quantize_act-inl.h"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "hwy/highway.h"

// The static target (foreach_target.h above included the file for every other target).
#include "engine/kernels/cpu/quantize_act-inl.h"

#if HWY_ONCE
namespace engine::kernels {
namespace {

HWY_EXPORT(QuantizeRowQ8_0);
HWY_EXPORT(QuantizeRowQ8_K);
HWY_EXPORT(ConvertRowF16);
HWY_EXPORT(ConvertRowBF16);

size_t round_up64(size_t n) {
  return (n + 63) / 64 * 64;
}

}  // namespace

std::string_view act_type_name(ActType type) {
  switch (type) {
    case ActType::kF32:
      return "f32";
    case ActType::kF16:
      return "f16";
    case ActType::kBF16:
      return "bf16";
    case ActType::kQ8_0:
      return "q8_0";
    case ActType::kQ8_K:
      return "q8_K";
  }
  return "unknown";
}

size_t act_block_elems(ActType type) {
  switch (type) {
    case ActType::kQ8_0:
      return kQK8_0;
    case ActType::kQ8_K:
      return kQK_K;
    default:
      return 1;
  }
}

size_t act_row_bytes(ActType type, size_t n_in) {
  switch (type) {
    case ActType::kF32:
      return round_up64(n_in * sizeof(float));
    case ActType::kF16:
    case ActType::kBF16:
      return round_up64(n_in * sizeof(uint16_t));
    case ActType::kQ8_0:
      return round_up64(n_in + n_in / kQK8_0 * (sizeof(float) + sizeof(int32_t)));
    case ActType::kQ8_K:
      return round_up64(n_in + n_in / kQK_K * sizeof(float) + n_in / 16 * 2);
  }
  return 0;
}

ActRow ActView::row(size_t t) const {
  const uint8_t* base = data + t * row_bytes;
  ActRow r{base, nullptr, nullptr, nullptr};
  if (type == ActType::kQ8_0) {
    r.d = reinterpret_cast<const float*>(base + n_in);
    r.sum = reinterpret_cast<const int32_t*>(r.d + n_in / kQK8_0);
  } else if (type == ActType::kQ8_K) {
    r.d = reinterpret_cast<const float*>(base + n_in);
    r.bsum = reinterpret_cast<const int16_t*>(r.d + n_in / kQK_K);
  }
  return r;
}

void quantize_activations(ActType type, const float* x, size_t n_in, size_t t0, size_t t1,
                          uint8_t* out) {
  KERNELS_CHECK(n_in % act_block_elems(type) == 0);
  const size_t row_bytes = act_row_bytes(type, n_in);
  for (size_t t = t0; t < t1; ++t) {
    const float* xr = x + t * n_in;
    uint8_t* o = out + t * row_bytes;
    switch (type) {
      case ActType::kF32:
        std::memcpy(o, xr, n_in * sizeof(float));
        break;
      case ActType::kF16:
        HWY_DYNAMIC_DISPATCH(ConvertRowF16)(xr, n_in, reinterpret_cast<uint16_t*>(o));
        break;
      case ActType::kBF16:
        HWY_DYNAMIC_DISPATCH(ConvertRowBF16)(xr, n_in, reinterpret_cast<uint16_t*>(o));
        break;
      case ActType::kQ8_0: {
        auto* d = reinterpret_cast<float*>(o + n_in);
        HWY_DYNAMIC_DISPATCH(QuantizeRowQ8_0)
        (xr, n_in, reinterpret_cast<int8_t*>(o), d, reinterpret_cast<int32_t*>(d + n_in / kQK8_0));
        break;
      }
      case ActType::kQ8_K: {
        auto* d = reinterpret_cast<float*>(o + n_in);
        HWY_DYNAMIC_DISPATCH(QuantizeRowQ8_K)
        (xr, n_in, reinterpret_cast<int8_t*>(o), d, reinterpret_cast<int16_t*>(d + n_in / kQK_K));
        break;
      }
    }
  }
}

}  // namespace engine::kernels
#endif  // HWY_ONCE
