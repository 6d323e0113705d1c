#include "engine/model/dense_model.h"

#include <cmath>
#include <string>

#include "engine/gguf/gguf_error.h"
#include "engine/model/weight_binder.h"
#include "engine/ops/attention.h"
#include "engine/ops/ops.h"

namespace engine {
namespace {

std::string blk(size_t il, const char* name) {
  return "blk." + std::to_string(il) + "." + name + ".weight";
}
std::string blk_bias(size_t il, const char* name) {
  return "blk." + std::to_string(il) + "." + name + ".bias";
}

ops::RopeParams rope_params(const ModelConfig& c, WeightBinder& w) {
  return {.mode = c.rope_mode,
          .n_rot = c.n_rot,
          .freq_base = c.rope_freq_base,
          .freq_scale = c.rope_freq_scale,
          .freq_factors =
              w.optional_vector("rope_freqs.weight", c.n_rot / 2).value_or(std::vector<float>{})};
}

// y[i] += b for each of n rows of b.size() floats.
void add_bias(float* y, const std::vector<float>& b, size_t n) {
  for (size_t i = 0; i < n; ++i) ops::add(y + i * b.size(), b.data(), b.size());
}

}  // namespace

DenseModel::DenseModel(std::shared_ptr<const GgufFile> file, ModelConfig config,
                       const ModelOptions& options)
    : Model(std::move(file), std::move(config), options), rope_([&] {
        WeightBinder w(*file_, options.repack);
        return ops::Rope(rope_params(config_, w));
      }()) {
  const ModelConfig& c = config_;
  WeightBinder w(*file_, options.repack);
  const size_t q_dim = size_t{c.n_head} * c.head_dim_k;
  const size_t k_dim = size_t{c.n_head_kv} * c.head_dim_k;
  const size_t v_dim = size_t{c.n_head_kv} * c.head_dim_v;
  const size_t o_dim = size_t{c.n_head} * c.head_dim_v;

  embedding_.emplace(*file_, w, c.n_embd, c.n_vocab);
  for (size_t il = 0; il < c.n_layer; ++il) {
    Layer l{.attn_norm = w.vector(blk(il, "attn_norm"), c.n_embd),
            .wq = w.matrix(blk(il, "attn_q"), c.n_embd, q_dim),
            .wk = w.matrix(blk(il, "attn_k"), c.n_embd, k_dim),
            .wv = w.matrix(blk(il, "attn_v"), c.n_embd, v_dim),
            .wo = w.matrix(blk(il, "attn_output"), o_dim, c.n_embd),
            .bq = w.optional_vector(blk_bias(il, "attn_q"), q_dim),
            .bk = w.optional_vector(blk_bias(il, "attn_k"), k_dim),
            .bv = w.optional_vector(blk_bias(il, "attn_v"), v_dim),
            .q_norm = w.optional_vector(blk(il, "attn_q_norm"), c.head_dim_k),
            .k_norm = w.optional_vector(blk(il, "attn_k_norm"), c.head_dim_k),
            .ffn_norm = w.vector(blk(il, "ffn_norm"), c.n_embd)};
    if (c.moe.n_expert > 0) {
      l.moe.emplace(w, il, c);
    } else {
      l.w_gate = w.matrix(blk(il, "ffn_gate"), c.n_embd, c.n_ff);
      l.w_up = w.matrix(blk(il, "ffn_up"), c.n_embd, c.n_ff);
      l.w_down = w.matrix(blk(il, "ffn_down"), c.n_ff, c.n_embd);
    }
    const bool qk_norm = c.arch == Architecture::kQwen3 || c.arch == Architecture::kQwen3Moe;
    if (qk_norm && (!l.q_norm || !l.k_norm)) {
      throw GgufError(file_->path().string() + ": " + c.arch_name + " layer " + std::to_string(il) +
                      " lacks attn_q_norm / attn_k_norm");
    }
    layers_.push_back(std::move(l));
  }
  output_norm_ = w.vector("output_norm.weight", c.n_embd);
  // Tied embeddings: without an `output` tensor the embedding table is the output projection.
  output_ = w.optional_matrix("output.weight", c.n_embd, c.n_vocab);
  if (!output_) output_ = w.matrix("token_embd.weight", c.n_embd, c.n_vocab);
  owned_bytes_ = w.owned_bytes();
  decode_bytes_ = output_->weight_bytes();
  for (const Layer& l : layers_) {
    for (const auto* m : {&l.wq, &l.wk, &l.wv, &l.wo}) decode_bytes_ += m->weight_bytes();
    if (l.moe) {
      decode_bytes_ += l.moe->decode_bytes();
    } else {
      for (const auto* m : {&l.w_gate, &l.w_up, &l.w_down}) decode_bytes_ += (*m)->weight_bytes();
    }
  }

  const size_t n = options_.prefill_chunk;
  buf_.x.resize(n * c.n_embd);
  buf_.h.resize(n * c.n_embd);
  buf_.q.resize(n * q_dim);
  buf_.k.resize(n * k_dim);
  buf_.v.resize(n * v_dim);
  buf_.attn.resize(n * o_dim);
  buf_.gate.resize(n * c.n_ff);
  buf_.up.resize(n * c.n_ff);
  if (c.moe.n_expert > 0) buf_.moe.resize(n * c.n_embd);
}

// x += W_o . attention(rope(norm(W_q h)), rope(norm(W_k h)), W_v h) with h = norm(x); the new
// keys and values go into the state's cache at positions pos0 ...
void DenseModel::attention_block(const Layer& l, size_t il, size_t n, SequenceState& state) {
  const ModelConfig& c = config_;
  const size_t dk = c.head_dim_k, dv = c.head_dim_v, pos0 = state.n_tokens();
  float *x = buf_.x.data(), *h = buf_.h.data(), *q = buf_.q.data(), *k = buf_.k.data(),
        *v = buf_.v.data();
  for (size_t i = 0; i < n; ++i) {
    ops::rms_norm(x + i * c.n_embd, l.attn_norm.data(), h + i * c.n_embd, c.n_embd, c.rms_eps);
  }
  const kernels::MatmulTarget qkv[] = {{&l.wq, q}, {&l.wk, k}, {&l.wv, v}};
  kernels::matmul_shared(qkv, h, n, pool_);
  if (l.bq) add_bias(q, *l.bq, n);
  if (l.bk) add_bias(k, *l.bk, n);
  if (l.bv) add_bias(v, *l.bv, n);
  for (size_t i = 0; i < n; ++i) {
    float* qi = q + i * c.n_head * dk;
    float* ki = k + i * c.n_head_kv * dk;
    if (l.q_norm) {  // qwen3: RMS norm of each head before RoPE
      for (size_t hd = 0; hd < c.n_head; ++hd)
        ops::rms_norm(qi + hd * dk, l.q_norm->data(), qi + hd * dk, dk, c.rms_eps);
      for (size_t hd = 0; hd < c.n_head_kv; ++hd)
        ops::rms_norm(ki + hd * dk, l.k_norm->data(), ki + hd * dk, dk, c.rms_eps);
    }
    rope_.apply(qi, c.n_head, dk, static_cast<int64_t>(pos0 + i));
    rope_.apply(ki, c.n_head_kv, dk, static_cast<int64_t>(pos0 + i));
    for (size_t hd = 0; hd < c.n_head_kv; ++hd) {
      state.store_kv(il, hd, pos0 + i, ki + hd * dk, v + (i * c.n_head_kv + hd) * dv);
    }
  }
  ops::attention({.q = q,
                  .n_tokens = n,
                  .pos0 = pos0,
                  .kv_type = state.shape().kv_type,
                  .k = state.k(il),
                  .v = state.v(il),
                  .kv_head_stride_k = state.k_head_stride(),
                  .kv_head_stride_v = state.v_head_stride(),
                  .n_head = c.n_head,
                  .n_head_kv = c.n_head_kv,
                  .head_dim_k = dk,
                  .head_dim_v = dv,
                  .scale = 1.0f / std::sqrt(static_cast<float>(dk)),
                  .out = buf_.attn.data()},
                 pool_);
  kernels::matmul(l.wo, buf_.attn.data(), n, h, pool_);
  ops::add(x, h, n * c.n_embd);
}

// x += W_down . (silu(W_gate h) * W_up h) with h = norm(x), or x += moe(h).
void DenseModel::feed_forward_block(Layer& l, size_t n) {
  const ModelConfig& c = config_;
  float *x = buf_.x.data(), *h = buf_.h.data(), *gate = buf_.gate.data(), *up = buf_.up.data();
  for (size_t i = 0; i < n; ++i) {
    ops::rms_norm(x + i * c.n_embd, l.ffn_norm.data(), h + i * c.n_embd, c.n_embd, c.rms_eps);
  }
  if (l.moe) {
    l.moe->forward(h, n, buf_.moe.data(), pool_);
    ops::add(x, buf_.moe.data(), n * c.n_embd);
    return;
  }
  const kernels::MatmulTarget gate_up[] = {{&*l.w_gate, gate}, {&*l.w_up, up}};
  kernels::matmul_shared(gate_up, h, n, pool_);
  ops::swiglu(gate, up, gate, n * c.n_ff);
  kernels::matmul(*l.w_down, gate, n, h, pool_);
  ops::add(x, h, n * c.n_embd);
}

void DenseModel::forward_chunk(std::span<const int32_t> tokens, SequenceState& state, Logits which,
                               float* out) {
  const ModelConfig& c = config_;
  const size_t n = tokens.size();
  embedding_->lookup(tokens, buf_.x.data());
  for (size_t il = 0; il < c.n_layer; ++il) {
    attention_block(layers_[il], il, n, state);
    feed_forward_block(layers_[il], n);
  }
  if (which == Logits::kNone) return;
  // Logits of the last token only, or of every token: final norm, then the output projection.
  const size_t first = which == Logits::kLast ? n - 1 : 0;
  for (size_t i = first; i < n; ++i) {
    ops::rms_norm(buf_.x.data() + i * c.n_embd, output_norm_.data(),
                  buf_.h.data() + (i - first) * c.n_embd, c.n_embd, c.rms_eps);
  }
  kernels::matmul(*output_, buf_.h.data(), n - first, out, pool_);
}

}  // namespace engine
