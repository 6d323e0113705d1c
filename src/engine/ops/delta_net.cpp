// The Gated DeltaNet ops (delta_net.h). The gated delta rule is Highway code compiled once per
// x86 target (foreach_target includes this file again for each) and dispatched at run time; the
// causal convolution is plain C++ but its SiLU (ops.h), and the references in ref:: are double
// precision.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/ops/delta_net.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "engine/ops/delta_net.h"
#include "engine/ops/ops.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace engine::ops::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// One token of the gated delta rule on R rows j..j+R-1 of a head's state S [D][D] (row j: value
// dim j over the D key dims): row = decay row; delta = beta (v[j] - row . k);
// row += delta k; out[j] = scale (row . q). The R rows share each load of k and q.
template <int R>
HWY_INLINE void DeltaRows(float* S, size_t D, size_t j, const float* q, const float* k,
                          const float* v, float decay, float beta, float scale, float* out) {
  const hn::ScalableTag<float> df;
  const size_t lanes = hn::Lanes(df);
  const size_t vec_end = D - D % lanes;
  float* row[R];
  for (int r = 0; r < R; ++r) row[r] = S + (j + r) * D;
  const auto vdecay = hn::Set(df, decay);
  hn::Vec<decltype(df)> acc[R];
  for (int r = 0; r < R; ++r) acc[r] = hn::Zero(df);
  for (size_t i = 0; i < vec_end; i += lanes) {
    const auto kv = hn::LoadU(df, k + i);
    for (int r = 0; r < R; ++r) {
      const auto s = hn::Mul(hn::LoadU(df, row[r] + i), vdecay);
      hn::StoreU(s, df, row[r] + i);
      acc[r] = hn::MulAdd(s, kv, acc[r]);
    }
  }
  float delta[R];
  hn::Vec<decltype(df)> vdelta[R];
  for (int r = 0; r < R; ++r) {
    float sk = hn::GetLane(hn::SumOfLanes(df, acc[r]));
    for (size_t i = vec_end; i < D; ++i) sk += (row[r][i] *= decay) * k[i];
    delta[r] = (v[j + r] - sk) * beta;
    vdelta[r] = hn::Set(df, delta[r]);
    acc[r] = hn::Zero(df);
  }
  for (size_t i = 0; i < vec_end; i += lanes) {
    const auto kv = hn::LoadU(df, k + i);
    const auto qv = hn::LoadU(df, q + i);
    for (int r = 0; r < R; ++r) {
      const auto s = hn::MulAdd(kv, vdelta[r], hn::LoadU(df, row[r] + i));
      hn::StoreU(s, df, row[r] + i);
      acc[r] = hn::MulAdd(s, qv, acc[r]);
    }
  }
  for (int r = 0; r < R; ++r) {
    float o = hn::GetLane(hn::SumOfLanes(df, acc[r]));
    for (size_t i = vec_end; i < D; ++i) o += (row[r][i] += k[i] * delta[r]) * q[i];
    out[j + r] = o * scale;
  }
}

// Every token of value head h, in order (each token's update reads the state the last one left).
void GatedDeltaNetHead(const DeltaNetArgs& a, size_t h) {
  const size_t D = a.head_dim;
  const size_t hk = h % a.n_k_heads;
  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  float* S = a.state + h * D * D;
  for (size_t t = 0; t < a.n_tokens; ++t) {
    const float* q = a.q + t * a.qk_stride + hk * D;
    const float* k = a.k + t * a.qk_stride + hk * D;
    const float* v = a.v + t * a.v_stride + h * D;
    const float decay = std::exp(a.g[t * a.n_v_heads + h]);
    const float beta = a.beta[t * a.n_v_heads + h];
    float* out = a.out + (t * a.n_v_heads + h) * D;
    size_t j = 0;
    for (; j + 4 <= D; j += 4) DeltaRows<4>(S, D, j, q, k, v, decay, beta, scale, out);
    for (; j < D; ++j) DeltaRows<1>(S, D, j, q, k, v, decay, beta, scale, out);
  }
}

}  // namespace engine::ops::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace engine::ops {

HWY_EXPORT(GatedDeltaNetHead);

void causal_conv1d_silu(const ConvArgs& a) {
  const size_t C = a.channels, K = a.d_conv, H = K - 1;  // H inputs of history
  // window[j] is input t - H + j: the history first, then the chunk's own rows.
  auto input = [&](size_t t, size_t j) -> const float* {
    const size_t at = t + j;  // index into [history..., chunk...]
    return at < H ? a.state + at * C : a.x + (at - H) * a.x_stride;
  };
  for (size_t t = 0; t < a.n_tokens; ++t) {
    float* y = a.y + t * C;
    std::fill(y, y + C, 0.0f);
    for (size_t j = 0; j < K; ++j) {
      const float* in = input(t, j);
      for (size_t c = 0; c < C; ++c) y[c] += a.w[c * K + j] * in[c];
    }
  }
  silu(a.y, a.y, a.n_tokens * C);  // y is [n_tokens][channels], dense
  // The new history: the last H of [history..., chunk...].
  const size_t total = H + a.n_tokens;
  std::vector<float> next(H * C);
  for (size_t j = 0; j < H; ++j) {
    const size_t at = total - H + j;
    const float* in = at < H ? a.state + at * C : a.x + (at - H) * a.x_stride;
    std::memcpy(next.data() + j * C, in, C * sizeof(float));
  }
  std::memcpy(a.state, next.data(), next.size() * sizeof(float));
}

void l2_norm(const float* x, float* y, size_t n, float eps) {
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) sum += x[i] * x[i];
  const float scale = 1.0f / std::max(std::sqrt(sum), eps);
  for (size_t i = 0; i < n; ++i) y[i] = x[i] * scale;
}

void gated_delta_net(const DeltaNetArgs& a, kernels::ThreadPool& pool) {
  pool.parallel_for(a.n_v_heads, [&](size_t h) { HWY_DYNAMIC_DISPATCH(GatedDeltaNetHead)(a, h); });
}

namespace ref {

void causal_conv1d_silu(const ConvArgs& a) {
  const size_t C = a.channels, K = a.d_conv, H = K - 1;
  std::vector<std::vector<double>> seq;  // history, then the chunk
  for (size_t j = 0; j < H; ++j) seq.emplace_back(a.state + j * C, a.state + (j + 1) * C);
  for (size_t t = 0; t < a.n_tokens; ++t) {
    seq.emplace_back(a.x + t * a.x_stride, a.x + t * a.x_stride + C);
  }
  for (size_t t = 0; t < a.n_tokens; ++t) {
    for (size_t c = 0; c < C; ++c) {
      double sum = 0.0;
      for (size_t j = 0; j < K; ++j) sum += double{a.w[c * K + j]} * seq[t + j][c];
      a.y[t * C + c] = static_cast<float>(sum / (1.0 + std::exp(-sum)));
    }
  }
  for (size_t j = 0; j < H; ++j) {
    for (size_t c = 0; c < C; ++c) a.state[j * C + c] = static_cast<float>(seq[a.n_tokens + j][c]);
  }
}

void l2_norm(const float* x, float* y, size_t n, float eps) {
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) sum += double{x[i]} * x[i];
  const double scale = 1.0 / std::max(std::sqrt(sum), double{eps});
  for (size_t i = 0; i < n; ++i) y[i] = static_cast<float>(x[i] * scale);
}

void gated_delta_net(const DeltaNetArgs& a) {
  const size_t D = a.head_dim;
  for (size_t h = 0; h < a.n_v_heads; ++h) {
    const size_t hk = h % a.n_k_heads;
    std::vector<double> S(a.state + h * D * D, a.state + (h + 1) * D * D);
    for (size_t t = 0; t < a.n_tokens; ++t) {
      const float* q = a.q + t * a.qk_stride + hk * D;
      const float* k = a.k + t * a.qk_stride + hk * D;
      const float* v = a.v + t * a.v_stride + h * D;
      const double decay = std::exp(double{a.g[t * a.n_v_heads + h]});
      const double beta = a.beta[t * a.n_v_heads + h];
      for (auto& s : S) s *= decay;
      for (size_t j = 0; j < D; ++j) {
        double sk = 0.0;
        for (size_t i = 0; i < D; ++i) sk += S[j * D + i] * k[i];
        const double delta = (v[j] - sk) * beta;
        for (size_t i = 0; i < D; ++i) S[j * D + i] += k[i] * delta;
      }
      for (size_t j = 0; j < D; ++j) {
        double o = 0.0;
        for (size_t i = 0; i < D; ++i) o += S[j * D + i] * q[i];
        a.out[(t * a.n_v_heads + h) * D + j] = static_cast<float>(o / std::sqrt(double(D)));
      }
    }
    for (size_t i = 0; i < D * D; ++i) a.state[h * D * D + i] = static_cast<float>(S[i]);
  }
}

}  // namespace ref
}  // namespace engine::ops
#endif  // HWY_ONCE
