// The reference attention of the tests: every score materialised, softmax and weighted sum in
// double, queries rounded to fp16 like the fast path.
#include <cmath>
#include <vector>

#include "engine/kernels/fp16.h"
#include "engine/ops/attention.h"

namespace engine::ops::ref {

void attention(const AttentionArgs& a) {
  const size_t group = a.n_head / a.n_head_kv;
  std::vector<double> scores;
  for (size_t i = 0; i < a.n_tokens; ++i) {
    const size_t n_visible = a.pos0 + i + 1;
    for (size_t h = 0; h < a.n_head; ++h) {
      const size_t kv = h / group;
      const float* q = a.q + (i * a.n_head + h) * a.head_dim_k;
      scores.assign(n_visible, 0.0);
      double max_score = -INFINITY;
      for (size_t t = 0; t < n_visible; ++t) {
        const uint16_t* k = a.k + kv * a.kv_head_stride_k + t * a.head_dim_k;
        double dot = 0.0;
        for (size_t j = 0; j < a.head_dim_k; ++j) {
          dot += double{kernels::fp16_to_fp32(kernels::fp32_to_fp16(q[j]))} *
                 kernels::fp16_to_fp32(k[j]);
        }
        scores[t] = dot * a.scale;
        max_score = std::max(max_score, scores[t]);
      }
      double sum = 0.0;
      for (double& s : scores) sum += (s = std::exp(s - max_score));
      float* out = a.out + (i * a.n_head + h) * a.head_dim_v;
      for (size_t d = 0; d < a.head_dim_v; ++d) {
        double acc = 0.0;
        for (size_t t = 0; t < n_visible; ++t) {
          acc += scores[t] *
                 kernels::fp16_to_fp32(a.v[kv * a.kv_head_stride_v + t * a.head_dim_v + d]);
        }
        out[d] = static_cast<float>(acc / sum);
      }
    }
  }
}

}  // namespace engine::ops::ref
