// Choosing the next token from the logits of the last position.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <vector>

namespace engine {

struct SamplingParams {
  float temperature = 1.0f;  // 0 means greedy
  int32_t top_k = 0;         // 0 means off
  float top_p = 1.0f;        // 1 means off
  float min_p = 0.0f;        // 0 means off
  uint64_t seed = 0;
};

// The interface the decode loop calls once per generated token. Implementations: the logit
// sampler below, and the scripted sampler tests use (scripted_sampler.h).
class TokenSampler {
 public:
  virtual ~TokenSampler() = default;
  // `logits` holds one score per vocabulary id; returns the chosen id.
  virtual int32_t sample(std::span<const float> logits) = 0;
};

// Samples as vLLM and Hugging Face do: logits divided by the temperature, then top-k, top-p and
// min-p applied to the resulting distribution, then a draw from what is left. Temperature 0 is
// greedy (the lowest id among equal maxima, as llama.cpp's greedy sampler picks).
class LogitSampler final : public TokenSampler {
 public:
  explicit LogitSampler(const SamplingParams& params);
  int32_t sample(std::span<const float> logits) override;

 private:
  struct Candidate {
    float logit;
    int32_t id;
  };
  // Moves the candidates that top-k and top-p keep to the front; returns how many.
  size_t keep_best(std::vector<Candidate>& candidates, float max_logit) const;

  SamplingParams params_;
  std::mt19937_64 rng_;
  std::vector<Candidate> candidates_;  // scratch, [n_vocab]
  std::vector<float> probs_;           // scratch, [kept]
};

// Index of the largest value; the lowest index among equal maxima.
int32_t argmax(std::span<const float> values);

}  // namespace engine
