// The decoder-only transformers: llama (Llama 3), qwen2 (Qwen2.5: q/k/v biases), qwen3 (per-head
// q/k RMS norm before RoPE) and qwen3moe (qwen3's attention with a mixture-of-experts
// feed-forward, moe_ffn.h). Pre-norm blocks of grouped-query attention and a SwiGLU feed-forward,
// RoPE in the layout of each architecture, tied embeddings when `output` is absent.
#pragma once

#include <optional>
#include <vector>

#include "engine/kernels/matmul.h"
#include "engine/model/model.h"
#include "engine/model/moe_ffn.h"
#include "engine/model/token_embedding.h"
#include "engine/ops/rope.h"

namespace engine {

class DenseModel final : public Model {
 public:
  DenseModel(std::shared_ptr<const GgufFile> file, ModelConfig config, const ModelOptions& options);
  size_t owned_weight_bytes() const override { return owned_bytes_; }
  size_t decode_weight_bytes() const override { return decode_bytes_; }

 private:
  struct Layer {
    std::vector<float> attn_norm;  // [n_embd]
    kernels::PreparedWeight wq, wk, wv, wo;
    std::optional<std::vector<float>> bq, bk, bv;      // qwen2: [n_head * dk], [n_head_kv * dk] ...
    std::optional<std::vector<float>> q_norm, k_norm;  // qwen3: [head_dim_k]
    std::vector<float> ffn_norm;                       // [n_embd]
    std::optional<kernels::PreparedWeight> w_gate{}, w_up{}, w_down{};  // dense feed-forward, or
    std::optional<MoeFfn> moe{};                                        // qwen3moe's experts
  };

  // Activations of one chunk, sized for prefill_chunk tokens.
  struct Buffers {
    std::vector<float> x;     // [n_tokens, n_embd], the residual stream
    std::vector<float> h;     // [n_tokens, n_embd], normed input of a sub-block / its output
    std::vector<float> q;     // [n_tokens, n_head * head_dim_k]
    std::vector<float> k;     // [n_tokens, n_head_kv * head_dim_k]
    std::vector<float> v;     // [n_tokens, n_head_kv * head_dim_v]
    std::vector<float> attn;  // [n_tokens, n_head * head_dim_v]
    std::vector<float> gate;  // [n_tokens, n_ff]
    std::vector<float> up;    // [n_tokens, n_ff]
    std::vector<float> moe;   // [n_tokens, n_embd]: the experts' output (qwen3moe)
  };

  void forward_chunk(std::span<const int32_t> tokens, SequenceState& state, Logits which,
                     float* out) override;
  void attention_block(const Layer& layer, size_t il, size_t n, SequenceState& state);
  void feed_forward_block(Layer& layer, size_t n);

  std::optional<TokenEmbedding> embedding_;
  std::vector<Layer> layers_;
  std::vector<float> output_norm_;  // [n_embd]
  std::optional<kernels::PreparedWeight> output_;
  ops::Rope rope_;
  size_t owned_bytes_ = 0;
  size_t decode_bytes_ = 0;
  Buffers buf_;
};

}  // namespace engine
