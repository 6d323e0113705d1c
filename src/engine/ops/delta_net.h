// The ops of a Gated DeltaNet layer (Qwen3.5 / Qwen3.6 linear attention), as llama.cpp computes
// them (ggml_ssm_conv, ggml_l2_norm, ggml_gated_delta_net):
//
//   causal_conv1d_silu: y_t[c] = silu(sum_j w[c][j] x_{t - d_conv + 1 + j}[c]), the inputs before
//     the chunk coming from (and the last d_conv - 1 going back to) the layer's conv state;
//   l2_norm: x / max(|x|, eps) per head;
//   gated_delta_net: per value head h with state S_h [head_dim (v)][head_dim (k)], for each token
//     S = exp(g) S;  S += beta (v - S k) k^T;  out = S q / sqrt(head_dim),
//     value head h reading key/query head h % n_k_heads (llama.cpp broadcasts, not interleaves).
//
// Every op has a double-precision twin in namespace ref for the tests.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/kernels/thread_pool.h"

namespace engine::ops {

struct ConvArgs {
  const float* x = nullptr;  // token t, channel c at x[t * x_stride + c], borrowed
  size_t x_stride = 0;
  size_t n_tokens = 0;
  size_t channels = 0;
  const float* w = nullptr;  // [channels][d_conv], borrowed
  size_t d_conv = 0;         // >= 2
  float* state = nullptr;    // [d_conv - 1][channels]: the previous inputs, oldest first; updated
  float* y = nullptr;        // [n_tokens][channels], not aliasing x
};
void causal_conv1d_silu(const ConvArgs& args);

// y[i] = x[i] / max(sqrt(sum x^2), eps), i < n. y may alias x.
void l2_norm(const float* x, float* y, size_t n, float eps);

struct DeltaNetArgs {
  size_t n_tokens = 0;
  size_t n_k_heads = 0;  // query/key heads
  size_t n_v_heads = 0;  // value heads, a multiple of n_k_heads
  size_t head_dim = 0;   // of keys and values alike
  // Token t, head h: q[t * qk_stride + h * head_dim], likewise k; v[t * v_stride + h * head_dim].
  const float* q = nullptr;  // borrowed
  const float* k = nullptr;  // borrowed
  size_t qk_stride = 0;
  const float* v = nullptr;  // borrowed
  size_t v_stride = 0;
  const float* g = nullptr;     // [n_tokens][n_v_heads]: log of the decay (<= 0 in practice)
  const float* beta = nullptr;  // [n_tokens][n_v_heads]
  float* state = nullptr;       // [n_v_heads][head_dim (v)][head_dim (k)], updated in place
  float* out = nullptr;         // [n_tokens][n_v_heads][head_dim]
};
// Heads are independent: they are split over the pool's threads.
void gated_delta_net(const DeltaNetArgs& args, kernels::ThreadPool& pool);

namespace ref {
void causal_conv1d_silu(const ConvArgs& args);
void l2_norm(const float* x, float* y, size_t n, float eps);
void gated_delta_net(const DeltaNetArgs& args);
}  // namespace ref

}  // namespace engine::ops
