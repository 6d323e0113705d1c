// The router of a mixture-of-experts feed-forward (qwen3moe, qwen35moe), as llama.cpp's
// build_moe_ffn computes it with softmax gating: probabilities over all experts, the k most
// probable chosen, their probabilities renormalised to sum to 1 and multiplied by a scale.
#pragma once

#include <cstddef>
#include <cstdint>

namespace engine::ops {

struct RouteArgs {
  size_t n_expert = 0;
  size_t n_used = 0;  // k, 1 <= k <= n_expert
  bool normalize = true;
  float scale = 1.0f;
};

// For one token's router logits [n_expert]: ids[k] of the chosen experts, most probable first
// (ties to the lower id), and their weights[k].
void route_experts(const float* logits, const RouteArgs& args, int32_t* ids, float* weights);

namespace ref {
// The same by sorting every probability, in double.
void route_experts(const float* logits, const RouteArgs& args, int32_t* ids, float* weights);
}  // namespace ref

}  // namespace engine::ops
