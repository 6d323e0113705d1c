#include "engine/kernels/dot_ref.h"

#include <cstdint>

#include "engine/kernels/blocks.h"
#include "engine/kernels/fp16.h"

namespace engine::kernels {

float dot_f32_f32_ref(const void* w, const ActRow& a, size_t n) {
  const auto* wf = static_cast<const float*>(w);
  const auto* af = static_cast<const float*>(a.qs);
  float sum = 0;
  for (size_t i = 0; i < n; ++i) sum += wf[i] * af[i];
  return sum;
}

float dot_f16_f16_ref(const void* w, const ActRow& a, size_t n) {
  const auto* wh = static_cast<const uint16_t*>(w);
  const auto* ah = static_cast<const uint16_t*>(a.qs);
  float sum = 0;
  for (size_t i = 0; i < n; ++i) sum += fp16_to_fp32(wh[i]) * fp16_to_fp32(ah[i]);
  return sum;
}

float dot_bf16_bf16_ref(const void* w, const ActRow& a, size_t n) {
  const auto* wh = static_cast<const uint16_t*>(w);
  const auto* ah = static_cast<const uint16_t*>(a.qs);
  float sum = 0;
  for (size_t i = 0; i < n; ++i) sum += bf16_to_fp32(wh[i]) * bf16_to_fp32(ah[i]);
  return sum;
}

float dot_q8_0_q8_0_ref(const void* w, const ActRow& a, size_t n) {
  const auto* wb = static_cast<const BlockQ8_0*>(w);
  const auto* aq = static_cast<const int8_t*>(a.qs);
  float sum = 0;
  for (size_t b = 0; b < n / kQK8_0; ++b) {
    int32_t isum = 0;
    for (size_t j = 0; j < kQK8_0; ++j) isum += wb[b].qs[j] * aq[b * kQK8_0 + j];
    sum += fp16_to_fp32(wb[b].d) * a.d[b] * static_cast<float>(isum);
  }
  return sum;
}

float dot_q4_0_q8_0_ref(const void* w, const ActRow& a, size_t n) {
  const auto* wb = static_cast<const BlockQ4_0*>(w);
  const auto* aq = static_cast<const int8_t*>(a.qs);
  float sum = 0;
  for (size_t b = 0; b < n / kQK4_0; ++b) {
    const int8_t* y = aq + b * kQK4_0;
    int32_t isum = 0;
    for (size_t j = 0; j < kQK4_0 / 2; ++j) {
      isum += ((wb[b].qs[j] & 0xF) - 8) * y[j] + ((wb[b].qs[j] >> 4) - 8) * y[j + kQK4_0 / 2];
    }
    sum += fp16_to_fp32(wb[b].d) * a.d[b] * static_cast<float>(isum);
  }
  return sum;
}

// The K-quants: per super-block, d * sum_j(scale_j * q.y over sub-block j) - dmin * sum_j(min_j *
// sum of y over sub-block j), all times the activation scale, as ggml's vec_dot_q*_K_q8_K.
float dot_q4k_q8k_ref(const void* w, const ActRow& a, size_t n) {
  const auto* wb = static_cast<const BlockQ4K*>(w);
  const auto* aq = static_cast<const int8_t*>(a.qs);
  float sum = 0;
  for (size_t b = 0; b < n / kQK_K; ++b) {
    const int8_t* y = aq + b * kQK_K;
    int32_t isum = 0, msum = 0;
    for (size_t j = 0; j < kQK_K / 32; ++j) {
      uint8_t sc, m;
      unpack_scale_min_k4(j, wb[b].scales, &sc, &m);
      const uint8_t* q = wb[b].qs + (j / 2) * 32;
      const int shift = (j % 2) * 4;
      int32_t dot = 0;
      for (size_t l = 0; l < 32; ++l) dot += ((q[l] >> shift) & 0xF) * y[j * 32 + l];
      isum += sc * dot;
      msum += m * (a.bsum[b * 16 + 2 * j] + a.bsum[b * 16 + 2 * j + 1]);
    }
    sum += a.d[b] * (fp16_to_fp32(wb[b].d) * static_cast<float>(isum) -
                     fp16_to_fp32(wb[b].dmin) * static_cast<float>(msum));
  }
  return sum;
}

float dot_q5k_q8k_ref(const void* w, const ActRow& a, size_t n) {
  const auto* wb = static_cast<const BlockQ5K*>(w);
  const auto* aq = static_cast<const int8_t*>(a.qs);
  float sum = 0;
  for (size_t b = 0; b < n / kQK_K; ++b) {
    const int8_t* y = aq + b * kQK_K;
    int32_t isum = 0, msum = 0;
    for (size_t j = 0; j < kQK_K / 32; ++j) {
      uint8_t sc, m;
      unpack_scale_min_k4(j, wb[b].scales, &sc, &m);
      const uint8_t* q = wb[b].qs + (j / 2) * 32;
      const int shift = (j % 2) * 4;
      int32_t dot = 0;
      for (size_t l = 0; l < 32; ++l) {
        const int hi = (wb[b].qh[l] >> j) & 1;
        dot += (((q[l] >> shift) & 0xF) + 16 * hi) * y[j * 32 + l];
      }
      isum += sc * dot;
      msum += m * (a.bsum[b * 16 + 2 * j] + a.bsum[b * 16 + 2 * j + 1]);
    }
    sum += a.d[b] * (fp16_to_fp32(wb[b].d) * static_cast<float>(isum) -
                     fp16_to_fp32(wb[b].dmin) * static_cast<float>(msum));
  }
  return sum;
}

float dot_q6k_q8k_ref(const void* w, const ActRow& a, size_t n) {
  const auto* wb = static_cast<const BlockQ6K*>(w);
  const auto* aq = static_cast<const int8_t*>(a.qs);
  float sum = 0;
  for (size_t b = 0; b < n / kQK_K; ++b) {
    const int8_t* y = aq + b * kQK_K;
    int32_t isum = 0;
    // Element 128h + 32g + l (h half, g quarter): low nibble of ql[64h + l + 32(g%2)] (>> 4 if
    // g >= 2), high two bits at 2g of qh[32h + l]; scale 16-group (128h + 32g + l) / 16.
    for (size_t h = 0; h < 2; ++h) {
      for (size_t g = 0; g < 4; ++g) {
        for (size_t l = 0; l < 32; ++l) {
          const uint8_t lo = wb[b].ql[64 * h + l + 32 * (g % 2)] >> (4 * (g / 2));
          const uint8_t hi = wb[b].qh[32 * h + l] >> (2 * g);
          const int q = ((lo & 0xF) | ((hi & 3) << 4)) - 32;
          const size_t i = 128 * h + 32 * g + l;
          isum += wb[b].scales[i / 16] * q * y[i];
        }
      }
    }
    sum += a.d[b] * fp16_to_fp32(wb[b].d) * static_cast<float>(isum);
  }
  return sum;
}

}  // namespace engine::kernels
