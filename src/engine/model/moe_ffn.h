// The mixture-of-experts feed-forward of qwen3moe and qwen35moe: per token a router picks
// n_expert_used of n_expert SwiGLU experts (ops::route_experts) and sums their outputs weighted
// by its renormalised probabilities; qwen35moe adds a shared SwiGLU expert that every token
// takes, scaled by sigmoid(w_shexp_gate . h). Tensors as llama.cpp names them: ffn_gate_inp,
// ffn_{gate,up,down}_exps ([n_in, n_out, n_expert]), ffn_{gate,up,down}_shexp,
// ffn_gate_inp_shexp. Files may fuse the experts' gate and up projections into
// ffn_gate_up_exps ([n_embd, 2 n_ff_exp, n_expert], gate rows first): then one matmul gives both.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/kernels/matmul.h"
#include "engine/model/model_config.h"
#include "engine/model/weight_binder.h"

namespace engine {

class MoeFfn {
 public:
  // Binds layer il's expert tensors; throws GgufError naming a missing or misshapen one.
  MoeFfn(WeightBinder& w, size_t il, const ModelConfig& config);

  // out[n, n_embd] = the feed-forward of h[n, n_embd] (out is overwritten, not added to).
  void forward(const float* h, size_t n, float* out, kernels::ThreadPool& pool);

  // Weight bytes one token reads: the router, n_expert_used experts and the shared expert.
  size_t decode_bytes() const;

 private:
  struct Expert {
    std::optional<kernels::PreparedWeight> gate, up;  // separate, or
    std::optional<kernels::PreparedWeight> gate_up;   // fused: [gate rows; up rows]
    kernels::PreparedWeight down;
  };

  void run_expert(const Expert& e, const float* x, size_t m, float* y, kernels::ThreadPool& pool);

  const ModelConfig& config_;       // borrowed: the model's
  kernels::PreparedWeight router_;  // [n_embd] -> [n_expert]
  std::vector<Expert> experts_;     // [n_expert]
  std::optional<Expert> shared_;    // qwen35moe
  std::vector<float> shared_gate_;  // [n_embd]: the shared expert's gate, with shared_

  // Scratch, grown to the largest chunk seen.
  std::vector<float> logits_;     // [n, n_expert]
  std::vector<int32_t> ids_;      // [n, n_expert_used]
  std::vector<float> weights_;    // [n, n_expert_used]
  std::vector<uint32_t> rows_;    // tokens routed to one expert
  std::vector<float> row_w_;      // their weights
  std::vector<float> x_;          // [m, n_embd]: those tokens' inputs
  std::vector<float> gate_, up_;  // [m, n_ff]
  std::vector<float> y_;          // [m, n_embd]
};

}  // namespace engine
