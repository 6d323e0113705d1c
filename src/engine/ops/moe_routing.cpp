#include "engine/ops/moe_routing.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace engine::ops {
namespace {

// ggml clamps the sum of the chosen probabilities from below before dividing by it.
constexpr float kMinWeightSum = 6.103515625e-5f;

}  // namespace

void route_experts(const float* logits, const RouteArgs& a, int32_t* ids, float* weights) {
  // Softmax over every expert (max-subtracted), then k passes of "largest not yet chosen": k is
  // small (8 of 128) so this beats sorting.
  float max = logits[0];
  for (size_t e = 1; e < a.n_expert; ++e) max = std::max(max, logits[e]);
  float sum = 0.0f;
  thread_local std::vector<float> probs;
  probs.resize(a.n_expert);
  for (size_t e = 0; e < a.n_expert; ++e) sum += probs[e] = std::exp(logits[e] - max);
  for (size_t e = 0; e < a.n_expert; ++e) probs[e] /= sum;
  float chosen = 0.0f;
  for (size_t j = 0; j < a.n_used; ++j) {
    size_t best = a.n_expert;
    for (size_t e = 0; e < a.n_expert; ++e) {
      if (probs[e] < 0.0f) continue;  // taken
      if (best == a.n_expert || probs[e] > probs[best]) best = e;
    }
    ids[j] = static_cast<int32_t>(best);
    weights[j] = probs[best];
    chosen += probs[best];
    probs[best] = -1.0f;
  }
  const float norm = a.normalize ? 1.0f / std::max(chosen, kMinWeightSum) : 1.0f;
  for (size_t j = 0; j < a.n_used; ++j) weights[j] *= norm * a.scale;
}

namespace ref {

void route_experts(const float* logits, const RouteArgs& a, int32_t* ids, float* weights) {
  std::vector<double> probs(a.n_expert);
  double max = -INFINITY, sum = 0.0;
  for (size_t e = 0; e < a.n_expert; ++e) max = std::max(max, double{logits[e]});
  for (size_t e = 0; e < a.n_expert; ++e) sum += probs[e] = std::exp(logits[e] - max);
  std::vector<size_t> order(a.n_expert);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return probs[x] > probs[y]; });
  double chosen = 0.0;
  for (size_t j = 0; j < a.n_used; ++j) chosen += probs[order[j]] / sum;
  for (size_t j = 0; j < a.n_used; ++j) {
    ids[j] = static_cast<int32_t>(order[j]);
    const double p = probs[order[j]] / sum;
    weights[j] = static_cast<float>((a.normalize ? p / chosen : p) * a.scale);
  }
}

}  // namespace ref
}  // namespace engine::ops
