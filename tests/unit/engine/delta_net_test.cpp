#include "engine/ops/delta_net.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace engine::ops {
namespace {

std::vector<float> random(size_t n, std::mt19937& rng, float mean = 0.0f, float sd = 1.0f) {
  std::normal_distribution<float> normal(mean, sd);
  std::vector<float> v(n);
  for (auto& x : v) x = normal(rng);
  return v;
}

void expect_near(const std::vector<float>& got, const std::vector<float>& want, float tol,
                 const char* what) {
  ASSERT_EQ(got.size(), want.size());
  float worst = 0.0f;
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
  EXPECT_LT(worst, tol) << what;
}

TEST(DeltaNetOps, CausalConvMatchesReferenceAcrossChunks) {
  std::mt19937 rng(5);
  for (const size_t channels : {1u, 7u, 40u}) {
    for (const size_t d_conv : {2u, 4u}) {
      const size_t n = 9, stride = channels + 3;  // rows padded: x is a view into a wider buffer
      const auto x = random(n * stride, rng), w = random(channels * d_conv, rng);
      const auto state0 = random((d_conv - 1) * channels, rng);
      // Reference in one go.
      auto ref_state = state0;
      std::vector<float> want(n * channels);
      ref::causal_conv1d_silu(
          {x.data(), stride, n, channels, w.data(), d_conv, ref_state.data(), want.data()});
      // Ours in chunks of 1, 3 and 5 tokens: the state carries the history over.
      auto state = state0;
      std::vector<float> got(n * channels);
      size_t t = 0;
      for (const size_t len : {1u, 3u, 5u}) {
        causal_conv1d_silu({x.data() + t * stride, stride, len, channels, w.data(), d_conv,
                            state.data(), got.data() + t * channels});
        t += len;
      }
      expect_near(got, want, 1e-5f, "conv output");
      expect_near(state, ref_state, 0.0f + 1e-7f, "conv state");
    }
  }
}

TEST(DeltaNetOps, L2NormMatchesReference) {
  std::mt19937 rng(6);
  for (const size_t n : {1u, 5u, 16u, 33u, 128u}) {
    const auto x = random(n, rng);
    std::vector<float> got(n), want(n);
    l2_norm(x.data(), got.data(), n, 1e-6f);
    ref::l2_norm(x.data(), want.data(), n, 1e-6f);
    expect_near(got, want, 1e-6f, "l2 norm");
  }
  const std::vector<float> zeros(4, 0.0f);
  std::vector<float> y(4, 1.0f);
  l2_norm(zeros.data(), y.data(), 4, 1e-6f);
  EXPECT_EQ(y, zeros);
}

TEST(DeltaNetOps, GatedDeltaRuleMatchesReferenceAcrossChunks) {
  std::mt19937 rng(7);
  kernels::ThreadPool pool(2);
  struct Case {
    size_t n_k_heads, n_v_heads, head_dim;
  };
  // Qwen3.6's 128-wide heads, and 37: rows left over from the groups of four and elements left
  // over from the vectors.
  for (const Case c : {Case{1, 1, 4}, Case{2, 4, 8}, Case{2, 6, 5}, Case{3, 3, 16}, Case{2, 4, 128},
                       Case{1, 2, 37}}) {
    const size_t n = 11, qk_stride = c.n_k_heads * c.head_dim + 2,
                 v_stride = c.n_v_heads * c.head_dim + 1;
    auto q = random(n * qk_stride, rng), k = random(n * qk_stride, rng);
    for (size_t t = 0; t < n; ++t) {  // unit keys and queries, as the layer l2-normalises them
      for (size_t h = 0; h < c.n_k_heads; ++h) {
        l2_norm(&q[t * qk_stride + h * c.head_dim], &q[t * qk_stride + h * c.head_dim], c.head_dim,
                1e-6f);
        l2_norm(&k[t * qk_stride + h * c.head_dim], &k[t * qk_stride + h * c.head_dim], c.head_dim,
                1e-6f);
      }
    }
    const auto v = random(n * v_stride, rng);
    auto g = random(n * c.n_v_heads, rng, -0.5f, 0.3f);
    std::vector<float> beta = random(n * c.n_v_heads, rng);
    for (auto& b : beta) b = 1.0f / (1.0f + std::exp(-b));
    const auto state0 = random(c.n_v_heads * c.head_dim * c.head_dim, rng, 0.0f, 0.3f);

    auto ref_state = state0;
    std::vector<float> want(n * c.n_v_heads * c.head_dim);
    DeltaNetArgs args{.n_tokens = n,
                      .n_k_heads = c.n_k_heads,
                      .n_v_heads = c.n_v_heads,
                      .head_dim = c.head_dim,
                      .q = q.data(),
                      .k = k.data(),
                      .qk_stride = qk_stride,
                      .v = v.data(),
                      .v_stride = v_stride,
                      .g = g.data(),
                      .beta = beta.data(),
                      .state = ref_state.data(),
                      .out = want.data()};
    ref::gated_delta_net(args);

    auto state = state0;
    std::vector<float> got(want.size());
    size_t t = 0;
    for (const size_t len : {4u, 1u, 6u}) {
      DeltaNetArgs part = args;
      part.n_tokens = len;
      part.q = q.data() + t * qk_stride;
      part.k = k.data() + t * qk_stride;
      part.v = v.data() + t * v_stride;
      part.g = g.data() + t * c.n_v_heads;
      part.beta = beta.data() + t * c.n_v_heads;
      part.state = state.data();
      part.out = got.data() + t * c.n_v_heads * c.head_dim;
      gated_delta_net(part, pool);
      t += len;
    }
    expect_near(got, want, 1e-5f, "delta net output");
    expect_near(state, ref_state, 1e-5f, "delta net state");
  }
}

// One token by hand: head_dim 2, S0 = [[1, 0], [0, 2]], decay e^0 = 1, beta 0.5, k = (1, 0),
// v = (3, 4), q = (0, 1): S k = (1, 0), delta = 0.5 ((3, 4) - (1, 0)) = (1, 2),
// S = [[2, 0], [2, 2]], out = S q / sqrt(2) = (0, 2) / sqrt(2).
TEST(DeltaNetOps, OneTokenByHand) {
  kernels::ThreadPool pool(1);
  const std::vector<float> q = {0, 1}, k = {1, 0}, v = {3, 4}, g = {0}, beta = {0.5f};
  std::vector<float> state = {1, 0, 0, 2}, out(2);
  gated_delta_net({.n_tokens = 1,
                   .n_k_heads = 1,
                   .n_v_heads = 1,
                   .head_dim = 2,
                   .q = q.data(),
                   .k = k.data(),
                   .qk_stride = 2,
                   .v = v.data(),
                   .v_stride = 2,
                   .g = g.data(),
                   .beta = beta.data(),
                   .state = state.data(),
                   .out = out.data()},
                  pool);
  EXPECT_EQ(state, (std::vector<float>{2, 0, 2, 2}));
  EXPECT_NEAR(out[0], 0.0f, 1e-7f);
  EXPECT_NEAR(out[1], 2.0f / std::sqrt(2.0f), 1e-6f);
}

}  // namespace
}  // namespace engine::ops
