#include "engine/sampling/sampler.h"

#include "engine/sampling/scripted_sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <vector>

namespace engine {
namespace {

std::vector<float> log_probs(const std::vector<double>& probs) {
  std::vector<float> logits;
  for (double p : probs) logits.push_back(static_cast<float>(std::log(p)));
  return logits;
}

std::map<int32_t, int> histogram(LogitSampler& sampler, std::span<const float> logits, int draws) {
  std::map<int32_t, int> counts;
  for (int i = 0; i < draws; ++i) ++counts[sampler.sample(logits)];
  return counts;
}

TEST(Sampler, GreedyTakesTheLowestIdAmongEqualMaxima) {
  LogitSampler sampler({.temperature = 0.0f});
  std::vector<float> logits = {0.5f, 2.0f, -1.0f, 2.0f};
  EXPECT_EQ(sampler.sample(logits), 1);
  EXPECT_EQ(argmax(logits), 1);
}

TEST(Sampler, DrawsFollowTheDistribution) {
  LogitSampler sampler({.temperature = 1.0f, .seed = 7});
  auto logits = log_probs({0.5, 0.3, 0.2});
  auto counts = histogram(sampler, logits, 20000);
  EXPECT_NEAR(counts[0] / 20000.0, 0.5, 0.02);
  EXPECT_NEAR(counts[1] / 20000.0, 0.3, 0.02);
  EXPECT_NEAR(counts[2] / 20000.0, 0.2, 0.02);
}

TEST(Sampler, TemperatureSharpensTheDistribution) {
  LogitSampler sampler({.temperature = 0.5f, .seed = 3});
  auto logits = log_probs({0.6, 0.4});  // at T=0.5: 0.36 : 0.16, so 0.692 : 0.308
  auto counts = histogram(sampler, logits, 20000);
  EXPECT_NEAR(counts[0] / 20000.0, 0.36 / 0.52, 0.02);
}

TEST(Sampler, SameSeedSameTokens) {
  auto logits = log_probs({0.25, 0.25, 0.25, 0.25});
  LogitSampler a({.seed = 42}), b({.seed = 42});
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.sample(logits), b.sample(logits));
}

TEST(Sampler, TopKKeepsOnlyTheBest) {
  LogitSampler sampler({.top_k = 2, .seed = 1});
  auto logits = log_probs({0.1, 0.4, 0.3, 0.2});
  auto counts = histogram(sampler, logits, 5000);
  EXPECT_EQ(counts.count(0) + counts.count(3), 0u);
  EXPECT_NEAR(counts[1] / 5000.0, 0.4 / 0.7, 0.03);
}

TEST(Sampler, TopPStopsWhereTheMassIsReached) {
  LogitSampler sampler({.top_p = 0.75f, .seed = 1});
  auto logits = log_probs({0.1, 0.5, 0.3, 0.1});  // 0.5 + 0.3 >= 0.75
  auto counts = histogram(sampler, logits, 5000);
  EXPECT_EQ(counts.count(0) + counts.count(3), 0u);
  EXPECT_GT(counts[2], 0);
}

TEST(Sampler, TopPOnAFlatVocabularyKeepsTheLowestIds) {
  // 10,000 equal logits, top-p 0.9: the 9,000 lowest ids survive (ties keep the lowest ids).
  LogitSampler sampler({.top_p = 0.9f, .seed = 5});
  std::vector<float> logits(10000, 0.0f);
  auto counts = histogram(sampler, logits, 300);
  EXPECT_GT(counts.rbegin()->first, 8500);
  EXPECT_LT(counts.rbegin()->first, 9000);
}

TEST(Sampler, TopKThenTopP) {
  LogitSampler sampler({.top_k = 3, .top_p = 0.6f, .seed = 2});
  auto logits = log_probs({0.05, 0.3, 0.25, 0.2, 0.2});  // top-3 0.3,0.25,0.2; 60% of 0.75 = 0.45
  auto counts = histogram(sampler, logits, 3000);
  EXPECT_EQ(counts.size(), 2u);
  EXPECT_GT(counts[1], 0);
  EXPECT_GT(counts[2], 0);
}

TEST(Sampler, MinPDropsCandidatesFarBelowTheBest) {
  LogitSampler sampler({.min_p = 0.3f, .seed = 9});
  auto logits = log_probs({0.5, 0.2, 0.16, 0.14});  // relative: 1, 0.4, 0.32, 0.28
  auto counts = histogram(sampler, logits, 5000);
  EXPECT_EQ(counts.count(3), 0u);
  EXPECT_GT(counts[2], 0);
}

// A trained model's logits: a few plausible tokens and thousands far below them. The far ones are
// left out before the draw (< 4e-18 each); the plausible ones keep their distribution, with top-p
// too.
TEST(Sampler, PeakedLogitsOfALargeVocabularyKeepTheirDistribution) {
  std::vector<float> logits(16000, -60.0f);
  const auto top = log_probs({0.6, 0.3, 0.1});
  for (size_t i = 0; i < top.size(); ++i) logits[1000 + i * 5000] = top[i];
  for (float top_p : {1.0f, 0.95f}) {
    LogitSampler sampler({.temperature = 1.0f, .top_p = top_p, .seed = 3});
    auto counts = histogram(sampler, logits, 5000);
    EXPECT_EQ(counts.size(), 3u) << "top_p " << top_p;
    EXPECT_NEAR(counts[1000] / 5000.0, 0.6, 0.03) << "top_p " << top_p;
    EXPECT_NEAR(counts[6000] / 5000.0, 0.3, 0.03) << "top_p " << top_p;
    EXPECT_NEAR(counts[11000] / 5000.0, 0.1, 0.03) << "top_p " << top_p;
  }
}

TEST(Sampler, LogitsThatAreAllNaNAreAnError) {
  LogitSampler sampler({.temperature = 1.0f});
  const std::vector<float> logits(4, NAN);
  EXPECT_THROW(sampler.sample(logits), std::invalid_argument);
}

TEST(Sampler, RejectsInvalidParameters) {
  EXPECT_THROW(LogitSampler({.temperature = -1.0f}), std::invalid_argument);
  EXPECT_THROW(LogitSampler({.temperature = NAN}), std::invalid_argument);
  EXPECT_THROW(LogitSampler({.top_k = -1}), std::invalid_argument);
  EXPECT_THROW(LogitSampler({.top_p = 0.0f}), std::invalid_argument);
  EXPECT_THROW(LogitSampler({.min_p = 1.5f}), std::invalid_argument);
  LogitSampler sampler({});
  EXPECT_THROW(sampler.sample({}), std::invalid_argument);
}

TEST(ScriptedSampler, EmitsTheScriptThenTheEndTokenWhateverTheLogits) {
  ScriptedSampler sampler({3, 1, 2}, 0);
  std::vector<float> logits = {9.0f, 0.0f, 0.0f, -9.0f};
  EXPECT_EQ(sampler.sample(logits), 3);
  EXPECT_EQ(sampler.sample(logits), 1);
  EXPECT_EQ(sampler.sample(logits), 2);
  EXPECT_EQ(sampler.sample(logits), 0);
  EXPECT_EQ(sampler.sample(logits), 0);
}

TEST(ScriptedSampler, RejectsIdsOutsideTheVocabulary) {
  ScriptedSampler sampler({7}, 0);
  std::vector<float> logits(4, 0.0f);
  EXPECT_THROW(sampler.sample(logits), std::out_of_range);
}

}  // namespace
}  // namespace engine
