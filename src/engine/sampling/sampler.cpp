#include "engine/sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace engine {

int32_t argmax(std::span<const float> values) {
  if (values.empty()) throw std::invalid_argument("argmax of an empty list of logits");
  size_t best = 0;
  for (size_t i = 1; i < values.size(); ++i) {
    if (values[i] > values[best]) best = i;
  }
  return static_cast<int32_t>(best);
}

LogitSampler::LogitSampler(const SamplingParams& params) : params_(params), rng_(params.seed) {
  if (!(params.temperature >= 0.0f) || !std::isfinite(params.temperature)) {
    throw std::invalid_argument("temperature must be a finite number >= 0");
  }
  if (params.top_k < 0) throw std::invalid_argument("top_k must be >= 0");
  if (!(params.top_p > 0.0f && params.top_p <= 1.0f)) {
    throw std::invalid_argument("top_p must be in (0, 1]");
  }
  if (!(params.min_p >= 0.0f && params.min_p <= 1.0f)) {
    throw std::invalid_argument("min_p must be in [0, 1]");
  }
}

size_t LogitSampler::keep_best(std::vector<Candidate>& candidates, float max_logit) const {
  // Moves the kept candidates to the front, in no particular order, in expected linear time: a
  // sort of 150k logits per token would cost more than the rest of sampling together.
  const auto better = [](const Candidate& a, const Candidate& b) {
    return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
  };
  const auto first = candidates.begin();
  size_t kept = candidates.size();
  if (params_.top_k > 0 && static_cast<size_t>(params_.top_k) < kept) {
    kept = static_cast<size_t>(params_.top_k);
    std::nth_element(first, first + kept, candidates.end(), better);
  }
  if (params_.top_p < 1.0f) {
    const auto weight = [&](size_t from, size_t to) {
      double sum = 0.0;
      for (size_t i = from; i < to; ++i) sum += std::exp(double{candidates[i].logit} - max_logit);
      return sum;
    };
    const double target = params_.top_p * weight(0, kept);
    // Bisect for the smallest n whose best n candidates hold the target mass. Invariant: the best
    // `lo` hold less than the target (their mass is `mass_lo`), the best `hi` hold at least it.
    size_t lo = 0, hi = kept;
    double mass_lo = 0.0;
    while (hi - lo > 1) {
      const size_t mid = lo + (hi - lo) / 2;
      std::nth_element(first + lo, first + mid, first + hi, better);
      const double mass_mid = mass_lo + weight(lo, mid);
      if (mass_mid >= target) {
        hi = mid;
      } else {
        lo = mid;
        mass_lo = mass_mid;
      }
    }
    kept = hi;
  }
  return kept;
}

int32_t LogitSampler::sample(std::span<const float> logits) {
  if (params_.temperature == 0.0f) return argmax(logits);
  if (logits.empty()) throw std::invalid_argument("sampling from an empty list of logits");

  const float inv_temp = 1.0f / params_.temperature;
  float max_logit = -INFINITY;
  for (float l : logits) max_logit = std::max(max_logit, l * inv_temp);
  // A token kNegligibleNats below the best has probability below e^-40 = 4e-18; all of a 150k
  // vocabulary's such tokens together hold less than 1e-12. Leaving them out before top-k, top-p
  // and the draw spares the exp() and partitions of ~150k candidates per token on a trained
  // model's peaked logits.
  constexpr float kNegligibleNats = 40.0f;
  const float floor = max_logit - kNegligibleNats;
  candidates_.clear();
  for (size_t i = 0; i < logits.size(); ++i) {
    const float logit = logits[i] * inv_temp;
    if (logit >= floor) candidates_.push_back({logit, static_cast<int32_t>(i)});
  }
  if (candidates_.empty()) throw std::invalid_argument("sampling from logits that are all NaN");
  size_t kept = keep_best(candidates_, max_logit);

  // min-p: drop what is less likely than min_p times the best candidate (which is always kept).
  if (params_.min_p > 0.0f) {
    const float floor = max_logit + std::log(params_.min_p);
    kept = std::partition(candidates_.begin(), candidates_.begin() + kept,
                          [&](const Candidate& c) { return c.logit >= floor; }) -
           candidates_.begin();
  }
  probs_.resize(kept);
  double total = 0.0;
  for (size_t i = 0; i < kept; ++i) {
    probs_[i] = std::exp(candidates_[i].logit - max_logit);
    total += probs_[i];
  }
  double draw = std::uniform_real_distribution<double>(0.0, total)(rng_);
  for (size_t i = 0; i < kept; ++i) {
    draw -= probs_[i];
    if (draw < 0.0) return candidates_[i].id;
  }
  return candidates_[kept - 1].id;
}

}  // namespace engine
