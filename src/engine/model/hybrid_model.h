// Qwen3.5 / Qwen3.6: qwen35 (dense feed-forward) and qwen35moe (moe_ffn.h with a shared expert).
// Most blocks are Gated DeltaNet linear attention (ops/delta_net.h): a recurrent state per
// sequence instead of a K/V cache; every full_attention_interval-th block is gated full
// attention: attn_q yields a query and a gate per head, the attention output is multiplied by
// sigmoid(gate), with per-head q/k RMS norm and partial (interleaved M-RoPE) rotation. Blocks are
// pre-norm with a post-attention norm before the feed-forward, as llama.cpp's qwen35.cpp builds
// them. The multi-token-prediction blocks some files carry (nextn) are not run.
#pragma once

#include <optional>
#include <vector>

#include "engine/kernels/matmul.h"
#include "engine/model/model.h"
#include "engine/model/moe_ffn.h"
#include "engine/model/token_embedding.h"
#include "engine/ops/rope.h"

namespace engine {

class HybridModel final : public Model {
 public:
  HybridModel(std::shared_ptr<const GgufFile> file, ModelConfig config,
              const ModelOptions& options);
  size_t owned_weight_bytes() const override { return owned_bytes_; }
  size_t decode_weight_bytes() const override { return decode_bytes_; }

 private:
  struct Attention {             // gated full attention
    kernels::PreparedWeight wq;  // [n_embd] -> [n_head][query, gate][head_dim]
    kernels::PreparedWeight wk, wv, wo;
    std::vector<float> q_norm, k_norm;  // [head_dim]
  };
  struct DeltaNet {                  // Gated DeltaNet
    kernels::PreparedWeight w_qkv;   // [n_embd] -> [conv_dim]: q, k (key_dim each), v (value_dim)
    kernels::PreparedWeight w_gate;  // [n_embd] -> [value_dim]: z, the output gate
    kernels::PreparedWeight w_alpha, w_beta;  // [n_embd] -> [n_v_heads]
    std::vector<float> conv;                  // [conv_dim][d_conv]
    std::vector<float> dt_bias, a;            // [n_v_heads]; a = -exp(A_log)
    std::vector<float> norm;                  // [head_dim]
    kernels::PreparedWeight w_out;            // [value_dim] -> [n_embd]
  };
  struct Layer {
    std::vector<float> attn_norm, post_norm;  // [n_embd]
    std::optional<Attention> attn{};          // or
    std::optional<DeltaNet> delta{};
    size_t state_index = 0;  // which K/V layer or recurrent state of the sequence it uses
    std::optional<kernels::PreparedWeight> w_gate{}, w_up{}, w_down{};  // qwen35, or
    std::optional<MoeFfn> moe{};                                        // qwen35moe
  };

  struct Buffers {
    std::vector<float> x;            // [n_tokens, n_embd], the residual stream
    std::vector<float> h;            // [n_tokens, n_embd], normed input of a sub-block
    std::vector<float> out;          // [n_tokens, n_embd], output of a sub-block
    std::vector<float> qg;           // [n_tokens, n_head * 2 * head_dim]
    std::vector<float> q;            // [n_tokens, n_head * head_dim]
    std::vector<float> gate;         // [n_tokens, max(n_head * head_dim, n_ff)]
    std::vector<float> k;            // [n_tokens, n_head_kv * head_dim]
    std::vector<float> v;            // [n_tokens, n_head_kv * head_dim]
    std::vector<float> attn;         // [n_tokens, max(n_head * head_dim, value_dim)]
    std::vector<float> qkv;          // [n_tokens, conv_dim]
    std::vector<float> conv;         // [n_tokens, conv_dim]
    std::vector<float> z;            // [n_tokens, value_dim]
    std::vector<float> alpha, beta;  // [n_tokens, n_v_heads]
    std::vector<float> up;           // [n_tokens, n_ff]
  };

  void forward_chunk(std::span<const int32_t> tokens, SequenceState& state, Logits which,
                     float* out) override;
  void attention_block(const Attention& l, size_t kv_layer, size_t n, SequenceState& state);
  void delta_net_block(const DeltaNet& l, size_t r, size_t n, SequenceState& state);
  void feed_forward_block(Layer& l, size_t n);

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
