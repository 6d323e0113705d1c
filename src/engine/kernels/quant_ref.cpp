// Reference conversions of the simple formats (F16, BF16, Q4_0, Q8_0, Q8_K); the K-quant weight
// formats are in quant_ref_k.cpp. Algorithms as ggml-quants.c.
#include "engine/kernels/quant_ref.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/kernels/check.h"
#include "engine/kernels/fp16.h"

namespace engine::kernels {

int nearest_int(float x) {
  // Adding 1.5 * 2^23 pushes the fraction out of the mantissa, rounding to nearest even.
  const float shifted = x + 12582912.f;
  int32_t bits;
  std::memcpy(&bits, &shifted, sizeof bits);
  return (bits & 0x007FFFFF) - 0x00400000;
}

void dequantize_row_f16(const uint16_t* x, float* y, size_t k) {
  for (size_t i = 0; i < k; ++i) y[i] = fp16_to_fp32(x[i]);
}

void dequantize_row_bf16(const uint16_t* x, float* y, size_t k) {
  for (size_t i = 0; i < k; ++i) y[i] = bf16_to_fp32(x[i]);
}

void quantize_row_f16_ref(const float* x, uint16_t* y, size_t k) {
  for (size_t i = 0; i < k; ++i) y[i] = fp32_to_fp16(x[i]);
}

void quantize_row_bf16_ref(const float* x, uint16_t* y, size_t k) {
  for (size_t i = 0; i < k; ++i) y[i] = fp32_to_bf16(x[i]);
}

void dequantize_row_q4_0(const BlockQ4_0* x, float* y, size_t k) {
  KERNELS_CHECK(k % kQK4_0 == 0);
  for (size_t i = 0; i < k / kQK4_0; ++i) {
    const float d = fp16_to_fp32(x[i].d);
    for (size_t j = 0; j < kQK4_0 / 2; ++j) {
      y[i * kQK4_0 + j] = static_cast<float>((x[i].qs[j] & 0x0F) - 8) * d;
      y[i * kQK4_0 + j + kQK4_0 / 2] = static_cast<float>((x[i].qs[j] >> 4) - 8) * d;
    }
  }
}

void quantize_row_q4_0_ref(const float* x, BlockQ4_0* y, size_t k) {
  KERNELS_CHECK(k % kQK4_0 == 0);
  for (size_t i = 0; i < k / kQK4_0; ++i) {
    const float* xb = x + i * kQK4_0;
    // The signed value of largest magnitude maps to -8, so the full range [-8, 7] is used.
    float amax = 0.0f;
    float max = 0.0f;
    for (size_t j = 0; j < kQK4_0; ++j) {
      if (amax < std::fabs(xb[j])) {
        amax = std::fabs(xb[j]);
        max = xb[j];
      }
    }
    const float d = max / -8;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[i].d = fp32_to_fp16(d);
    for (size_t j = 0; j < kQK4_0 / 2; ++j) {
      const float x0 = xb[j] * id;
      const float x1 = xb[j + kQK4_0 / 2] * id;
      const auto q0 = static_cast<uint8_t>(std::min<int>(15, static_cast<int8_t>(x0 + 8.5f)));
      const auto q1 = static_cast<uint8_t>(std::min<int>(15, static_cast<int8_t>(x1 + 8.5f)));
      y[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

void dequantize_row_q8_0(const BlockQ8_0* x, float* y, size_t k) {
  KERNELS_CHECK(k % kQK8_0 == 0);
  for (size_t i = 0; i < k / kQK8_0; ++i) {
    const float d = fp16_to_fp32(x[i].d);
    for (size_t j = 0; j < kQK8_0; ++j) y[i * kQK8_0 + j] = static_cast<float>(x[i].qs[j]) * d;
  }
}

void quantize_row_q8_0_ref(const float* x, BlockQ8_0* y, size_t k) {
  KERNELS_CHECK(k % kQK8_0 == 0);
  for (size_t i = 0; i < k / kQK8_0; ++i) {
    const float* xb = x + i * kQK8_0;
    float amax = 0.0f;
    for (size_t j = 0; j < kQK8_0; ++j) amax = std::max(amax, std::fabs(xb[j]));
    const float d = amax / 127;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[i].d = fp32_to_fp16(d);
    for (size_t j = 0; j < kQK8_0; ++j) y[i].qs[j] = static_cast<int8_t>(std::round(xb[j] * id));
  }
}

void quantize_row_q8_0_act(const float* x, BlockQ8_0* y, size_t k) {
  KERNELS_CHECK(k % kQK8_0 == 0);
  for (size_t i = 0; i < k / kQK8_0; ++i) {
    const float* xb = x + i * kQK8_0;
    float amax = 0.0f;
    for (size_t j = 0; j < kQK8_0; ++j) amax = std::max(amax, std::fabs(xb[j]));
    y[i].d = fp32_to_fp16(amax / 127.f);
    const float id = amax != 0.0f ? 127.f / amax : 0.0f;
    for (size_t j = 0; j < kQK8_0; ++j) {
      // Ties to even (the AVX path's _mm256_round_ps), then the saturating packs.
      const float r = std::nearbyint(xb[j] * id);
      y[i].qs[j] = static_cast<int8_t>(std::clamp(r, -128.0f, 127.0f));
    }
  }
}

void dequantize_row_q8_K(const BlockQ8K* x, float* y, size_t k) {
  KERNELS_CHECK(k % kQK_K == 0);
  for (size_t i = 0; i < k / kQK_K; ++i) {
    for (size_t j = 0; j < kQK_K; ++j) y[i * kQK_K + j] = x[i].d * static_cast<float>(x[i].qs[j]);
  }
}

void quantize_row_q8_K_ref(const float* x, BlockQ8K* y, size_t k) {
  KERNELS_CHECK(k % kQK_K == 0);
  for (size_t i = 0; i < k / kQK_K; ++i) {
    const float* xb = x + i * kQK_K;
    float max = 0;
    float amax = 0;
    for (size_t j = 0; j < kQK_K; ++j) {
      const float ax = std::fabs(xb[j]);
      if (ax > amax) {
        amax = ax;
        max = xb[j];
      }
    }
    if (amax == 0.0f) {
      std::memset(&y[i], 0, sizeof(BlockQ8K));
      continue;
    }
    // -127/max (not 128): the element of largest magnitude maps to -127 whatever its sign.
    const float iscale = -127.f / max;
    for (size_t j = 0; j < kQK_K; ++j) {
      y[i].qs[j] = static_cast<int8_t>(std::min(127, nearest_int(iscale * xb[j])));
    }
    for (size_t g = 0; g < kQK_K / 16; ++g) {
      int sum = 0;
      for (size_t j = 0; j < 16; ++j) sum += y[i].qs[g * 16 + j];
      y[i].bsums[g] = static_cast<int16_t>(sum);
    }
    y[i].d = 1 / iscale;
  }
}

}  // namespace engine::kernels
