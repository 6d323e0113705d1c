#include "engine/model/hybrid_model.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/gguf/gguf_error.h"
#include "engine/model/weight_binder.h"
#include "engine/ops/attention.h"
#include "engine/ops/delta_net.h"
#include "engine/ops/ops.h"

namespace engine {
namespace {

std::string blk(size_t il, const char* name, const char* suffix = ".weight") {
  return "blk." + std::to_string(il) + "." + name + suffix;
}

float sigmoid(float x) {
  return 1.0f / (1.0f + std::exp(-x));
}

// ggml's softplus: log(1 + e^x), and x itself past 20.
float softplus(float x) {
  return x > 20.0f ? x : std::log1p(std::exp(x));
}

}  // namespace

HybridModel::HybridModel(std::shared_ptr<const GgufFile> file, ModelConfig config,
                         const ModelOptions& options)
    : Model(std::move(file), std::move(config), options),
      rope_(ops::RopeParams{.mode = ops::RopeMode::kNeox,
                            .n_rot = config_.n_rot,
                            .freq_base = config_.rope_freq_base,
                            .freq_scale = config_.rope_freq_scale,
                            .freq_factors = {}}) {
  const ModelConfig& c = config_;
  const DeltaNetConfig& d = c.delta_net;
  WeightBinder w(*file_, options.repack);
  const size_t D = c.head_dim_k, q_dim = size_t{c.n_head} * D, kv_dim = size_t{c.n_head_kv} * D;

  embedding_.emplace(*file_, w, c.n_embd, c.n_vocab);
  size_t n_attention = 0, n_recurrent = 0;
  for (size_t il = 0; il < c.n_layer; ++il) {
    Layer l{.attn_norm = w.vector(blk(il, "attn_norm"), c.n_embd),
            .post_norm = w.vector(blk(il, "post_attention_norm"), c.n_embd)};
    if (c.is_recurrent(il)) {
      l.state_index = n_recurrent++;
      l.delta.emplace(DeltaNet{.w_qkv = w.matrix(blk(il, "attn_qkv"), c.n_embd, d.conv_dim()),
                               .w_gate = w.matrix(blk(il, "attn_gate"), c.n_embd, d.value_dim()),
                               .w_alpha = w.matrix(blk(il, "ssm_alpha"), c.n_embd, d.n_v_heads),
                               .w_beta = w.matrix(blk(il, "ssm_beta"), c.n_embd, d.n_v_heads),
                               .conv = w.floats(blk(il, "ssm_conv1d"), d.d_conv, d.conv_dim()),
                               .dt_bias = w.vector(blk(il, "ssm_dt", ".bias"), d.n_v_heads),
                               .a = w.vector(blk(il, "ssm_a", ""), d.n_v_heads),
                               .norm = w.vector(blk(il, "ssm_norm"), d.d_state),
                               .w_out = w.matrix(blk(il, "ssm_out"), d.value_dim(), c.n_embd)});
    } else {
      l.state_index = n_attention++;
      l.attn.emplace(Attention{.wq = w.matrix(blk(il, "attn_q"), c.n_embd, 2 * q_dim),
                               .wk = w.matrix(blk(il, "attn_k"), c.n_embd, kv_dim),
                               .wv = w.matrix(blk(il, "attn_v"), c.n_embd, kv_dim),
                               .wo = w.matrix(blk(il, "attn_output"), q_dim, c.n_embd),
                               .q_norm = w.vector(blk(il, "attn_q_norm"), D),
                               .k_norm = w.vector(blk(il, "attn_k_norm"), D)});
    }
    if (c.moe.n_expert > 0) {
      l.moe.emplace(w, il, c);
    } else {
      l.w_gate = w.matrix(blk(il, "ffn_gate"), c.n_embd, c.n_ff);
      l.w_up = w.matrix(blk(il, "ffn_up"), c.n_embd, c.n_ff);
      l.w_down = w.matrix(blk(il, "ffn_down"), c.n_ff, c.n_embd);
    }
    layers_.push_back(std::move(l));
  }
  output_norm_ = w.vector("output_norm.weight", c.n_embd);
  output_ = w.optional_matrix("output.weight", c.n_embd, c.n_vocab);
  if (!output_) output_ = w.matrix("token_embd.weight", c.n_embd, c.n_vocab);
  owned_bytes_ = w.owned_bytes();
  decode_bytes_ = output_->weight_bytes();
  for (const Layer& l : layers_) {
    if (l.attn) {
      for (const auto* m : {&l.attn->wq, &l.attn->wk, &l.attn->wv, &l.attn->wo}) {
        decode_bytes_ += m->weight_bytes();
      }
    } else {
      for (const auto* m : {&l.delta->w_qkv, &l.delta->w_gate, &l.delta->w_alpha, &l.delta->w_beta,
                            &l.delta->w_out}) {
        decode_bytes_ += m->weight_bytes();
      }
    }
    if (l.moe) {
      decode_bytes_ += l.moe->decode_bytes();
    } else {
      for (const auto* m : {&l.w_gate, &l.w_up, &l.w_down}) decode_bytes_ += (*m)->weight_bytes();
    }
  }

  const size_t n = options_.prefill_chunk;
  buf_.x.resize(n * c.n_embd);
  buf_.h.resize(n * c.n_embd);
  buf_.out.resize(n * c.n_embd);
  buf_.qg.resize(n * 2 * q_dim);
  buf_.q.resize(n * q_dim);
  buf_.gate.resize(n * std::max<size_t>(q_dim, c.n_ff));
  buf_.k.resize(n * kv_dim);
  buf_.v.resize(n * kv_dim);
  buf_.attn.resize(n * std::max<size_t>(q_dim, d.value_dim()));
  buf_.qkv.resize(n * d.conv_dim());
  buf_.conv.resize(n * d.conv_dim());
  buf_.z.resize(n * d.value_dim());
  buf_.alpha.resize(n * d.n_v_heads);
  buf_.beta.resize(n * d.n_v_heads);
  buf_.up.resize(n * c.n_ff);
}

// out = W_o . (attention(rope(norm(q)), rope(norm(k)), v) * sigmoid(gate)) with [q, gate] = W_q h
// per head, k = W_k h, v = W_v h; the new keys and values go into K/V layer `kv` of the state.
void HybridModel::attention_block(const Attention& l, size_t kv, size_t n, SequenceState& state) {
  const ModelConfig& c = config_;
  const size_t D = c.head_dim_k, H = c.n_head, pos0 = state.n_tokens();
  float *h = buf_.h.data(), *qg = buf_.qg.data(), *q = buf_.q.data(), *gate = buf_.gate.data(),
        *k = buf_.k.data(), *v = buf_.v.data(), *attn = buf_.attn.data();
  const kernels::MatmulTarget qkv[] = {{&l.wq, qg}, {&l.wk, k}, {&l.wv, v}};
  kernels::matmul_shared(qkv, h, n, pool_);
  for (size_t i = 0; i < n; ++i) {
    for (size_t hd = 0; hd < H; ++hd) {  // [query | gate] per head
      const float* src = qg + (i * H + hd) * 2 * D;
      ops::rms_norm(src, l.q_norm.data(), q + (i * H + hd) * D, D, c.rms_eps);
      std::copy(src + D, src + 2 * D, gate + (i * H + hd) * D);
    }
    float* ki = k + i * c.n_head_kv * D;
    for (size_t hd = 0; hd < c.n_head_kv; ++hd) {
      ops::rms_norm(ki + hd * D, l.k_norm.data(), ki + hd * D, D, c.rms_eps);
    }
    rope_.apply(q + i * H * D, H, D, static_cast<int64_t>(pos0 + i));
    rope_.apply(ki, c.n_head_kv, D, static_cast<int64_t>(pos0 + i));
    for (size_t hd = 0; hd < c.n_head_kv; ++hd) {
      state.store_kv(kv, hd, pos0 + i, ki + hd * D, v + (i * c.n_head_kv + hd) * D);
    }
  }
  ops::attention({.q = q,
                  .n_tokens = n,
                  .pos0 = pos0,
                  .kv_type = state.shape().kv_type,
                  .k = state.k(kv),
                  .v = state.v(kv),
                  .kv_head_stride_k = state.k_head_stride(),
                  .kv_head_stride_v = state.v_head_stride(),
                  .n_head = H,
                  .n_head_kv = c.n_head_kv,
                  .head_dim_k = D,
                  .head_dim_v = D,
                  .scale = 1.0f / std::sqrt(static_cast<float>(D)),
                  .out = attn},
                 pool_);
  for (size_t i = 0; i < n * H * D; ++i) attn[i] *= sigmoid(gate[i]);
  kernels::matmul(l.wo, attn, n, buf_.out.data(), pool_);
}

// out = W_out . (rms_norm(delta_rule(q, k, v)) * silu(z)) with q, k, v = silu(conv(W_qkv h)),
// q and k L2-normalised per head, decay exp(softplus(W_alpha h + dt_bias) * a), and
// beta = sigmoid(W_beta h); recurrent state r of the sequence carries the convolution's inputs
// and the delta rule's matrices from chunk to chunk.
void HybridModel::delta_net_block(const DeltaNet& l, size_t r, size_t n, SequenceState& state) {
  const ModelConfig& c = config_;
  const DeltaNetConfig& d = c.delta_net;
  const size_t D = d.d_state, Hv = d.n_v_heads, key_dim = d.key_dim(), conv_dim = d.conv_dim();
  float *h = buf_.h.data(), *qkv = buf_.qkv.data(), *conv = buf_.conv.data(), *z = buf_.z.data(),
        *alpha = buf_.alpha.data(), *beta = buf_.beta.data(), *o = buf_.attn.data();
  const kernels::MatmulTarget inputs[] = {
      {&l.w_qkv, qkv}, {&l.w_gate, z}, {&l.w_alpha, alpha}, {&l.w_beta, beta}};
  kernels::matmul_shared(inputs, h, n, pool_);
  for (size_t i = 0; i < n; ++i) {
    for (size_t hv = 0; hv < Hv; ++hv) {
      float& g = alpha[i * Hv + hv];  // becomes the log of the decay
      g = softplus(g + l.dt_bias[hv]) * l.a[hv];
      beta[i * Hv + hv] = sigmoid(beta[i * Hv + hv]);
    }
  }
  ops::causal_conv1d_silu({.x = qkv,
                           .x_stride = conv_dim,
                           .n_tokens = n,
                           .channels = conv_dim,
                           .w = l.conv.data(),
                           .d_conv = d.d_conv,
                           .state = state.conv_state(r),
                           .y = conv});
  for (size_t i = 0; i < n; ++i) {  // q and k heads to unit length
    for (size_t hk = 0; hk < 2 * d.n_k_heads; ++hk) {
      float* head = conv + i * conv_dim + hk * D;
      ops::l2_norm(head, head, D, c.rms_eps);
    }
  }
  ops::gated_delta_net({.n_tokens = n,
                        .n_k_heads = d.n_k_heads,
                        .n_v_heads = Hv,
                        .head_dim = D,
                        .q = conv,
                        .k = conv + key_dim,
                        .qk_stride = conv_dim,
                        .v = conv + 2 * key_dim,
                        .v_stride = conv_dim,
                        .g = alpha,
                        .beta = beta,
                        .state = state.ssm_state(r),
                        .out = o},
                       pool_);
  for (size_t i = 0; i < n * Hv; ++i)
    ops::rms_norm(o + i * D, l.norm.data(), o + i * D, D, c.rms_eps);
  ops::swiglu(z, o, o, n * d.value_dim());  // silu(z) * normed
  kernels::matmul(l.w_out, o, n, buf_.out.data(), pool_);
}

// out = W_down . (silu(W_gate h) * W_up h), or the experts of h.
void HybridModel::feed_forward_block(Layer& l, size_t n) {
  const ModelConfig& c = config_;
  if (l.moe) {
    l.moe->forward(buf_.h.data(), n, buf_.out.data(), pool_);
    return;
  }
  float *gate = buf_.gate.data(), *up = buf_.up.data();
  const kernels::MatmulTarget gate_up[] = {{&*l.w_gate, gate}, {&*l.w_up, up}};
  kernels::matmul_shared(gate_up, buf_.h.data(), n, pool_);
  ops::swiglu(gate, up, gate, n * c.n_ff);
  kernels::matmul(*l.w_down, gate, n, buf_.out.data(), pool_);
}

void HybridModel::forward_chunk(std::span<const int32_t> tokens, SequenceState& state, Logits which,
                                float* out) {
  const ModelConfig& c = config_;
  const size_t n = tokens.size(), E = c.n_embd;
  float *x = buf_.x.data(), *h = buf_.h.data();
  embedding_->lookup(tokens, x);
  for (Layer& l : layers_) {
    for (size_t i = 0; i < n; ++i)
      ops::rms_norm(x + i * E, l.attn_norm.data(), h + i * E, E, c.rms_eps);
    if (l.attn) {
      attention_block(*l.attn, l.state_index, n, state);
    } else {
      delta_net_block(*l.delta, l.state_index, n, state);
    }
    ops::add(x, buf_.out.data(), n * E);
    for (size_t i = 0; i < n; ++i)
      ops::rms_norm(x + i * E, l.post_norm.data(), h + i * E, E, c.rms_eps);
    feed_forward_block(l, n);
    ops::add(x, buf_.out.data(), n * E);
  }
  if (which == Logits::kNone) return;
  const size_t first = which == Logits::kLast ? n - 1 : 0;
  for (size_t i = first; i < n; ++i) {
    ops::rms_norm(x + i * E, output_norm_.data(), h + (i - first) * E, E, c.rms_eps);
  }
  kernels::matmul(*output_, h, n - first, out, pool_);
}

}  // namespace engine
