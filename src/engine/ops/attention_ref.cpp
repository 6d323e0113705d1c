// The reference attention of the tests: every score materialised, softmax and weighted sum in
// double, queries rotated and rounded like the fast path, rows read back by kv_load_row, the
// output rotated back.
#include <cmath>
#include <vector>

#include "engine/ops/attention.h"

namespace engine::ops::ref {

void attention(const AttentionArgs& a) {
  const size_t group = a.n_head / a.n_head_kv;
  const size_t k_row = kv_row_bytes(a.kv_type, a.head_dim_k);
  const size_t v_row = kv_row_bytes(a.kv_type, a.head_dim_v);
  std::vector<double> scores;
  std::vector<float> q(a.head_dim_k), key(a.head_dim_k), value(a.head_dim_v);
  std::vector<double> acc(a.head_dim_v);
  for (size_t i = 0; i < a.n_tokens; ++i) {
    const size_t n_visible = a.pos0 + i + 1;
    for (size_t h = 0; h < a.n_head; ++h) {
      const size_t kv = h / group;
      const float* q_in = a.q + (i * a.n_head + h) * a.head_dim_k;
      q.assign(q_in, q_in + a.head_dim_k);
      kv_prepare_query(a.kv_type, q.data(), q.size());
      scores.assign(n_visible, 0.0);
      double max_score = -INFINITY;
      for (size_t t = 0; t < n_visible; ++t) {
        kv_load_row(a.kv_type, a.k + kv * a.kv_head_stride_k + t * k_row, key.data(), a.head_dim_k);
        double dot = 0.0;
        for (size_t j = 0; j < a.head_dim_k; ++j) dot += double{q[j]} * key[j];
        scores[t] = dot * a.scale;
        max_score = std::max(max_score, scores[t]);
      }
      double sum = 0.0;
      for (double& s : scores) sum += (s = std::exp(s - max_score));
      acc.assign(a.head_dim_v, 0.0);
      for (size_t t = 0; t < n_visible; ++t) {
        kv_load_row(a.kv_type, a.v + kv * a.kv_head_stride_v + t * v_row, value.data(),
                    a.head_dim_v);
        for (size_t d = 0; d < a.head_dim_v; ++d) acc[d] += scores[t] * value[d];
      }
      float* out = a.out + (i * a.n_head + h) * a.head_dim_v;
      for (size_t d = 0; d < a.head_dim_v; ++d) out[d] = static_cast<float>(acc[d] / sum);
      kv_restore_output(a.kv_type, out, a.head_dim_v);
    }
  }
}

}  // namespace engine::ops::ref
