#include "engine/ops/moe_routing.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace engine::ops {
namespace {

TEST(MoeRouting, MatchesTheSortingReferenceOnRandomLogits) {
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 2.0f);
  for (const auto& [n_expert, k] : std::vector<std::pair<size_t, size_t>>{
           {1, 1}, {4, 1}, {6, 2}, {8, 8}, {60, 4}, {128, 8}, {256, 8}}) {
    for (const bool normalize : {true, false}) {
      const RouteArgs args{
          .n_expert = n_expert, .n_used = k, .normalize = normalize, .scale = 1.5f};
      for (int trial = 0; trial < 20; ++trial) {
        std::vector<float> logits(n_expert);
        for (auto& l : logits) l = normal(rng);
        std::vector<int32_t> ids(k), want_ids(k);
        std::vector<float> w(k), want_w(k);
        route_experts(logits.data(), args, ids.data(), w.data());
        ref::route_experts(logits.data(), args, want_ids.data(), want_w.data());
        EXPECT_EQ(ids, want_ids) << n_expert << " experts, k " << k;
        for (size_t j = 0; j < k; ++j) EXPECT_NEAR(w[j], want_w[j], 1e-6) << j;
      }
    }
  }
}

TEST(MoeRouting, NormalisedWeightsSumToTheScaleAndTiesGoToTheLowerId) {
  const std::vector<float> logits = {0.5f, 2.0f, 2.0f, -1.0f, 2.0f};
  std::vector<int32_t> ids(3);
  std::vector<float> w(3);
  route_experts(logits.data(), {.n_expert = 5, .n_used = 3, .normalize = true, .scale = 2.0f},
                ids.data(), w.data());
  EXPECT_EQ(ids, (std::vector<int32_t>{1, 2, 4}));
  for (float x : w) EXPECT_NEAR(x, 2.0f / 3.0f, 1e-6);
}

}  // namespace
}  // namespace engine::ops
