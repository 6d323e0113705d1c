// A sampler that makes the output begin with one of a few texts: tool_choice "any" lets the model
// pick which offered tool a forced tool call names, but only among those.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/sampling/sampler.h"
#include "engine/tokenizer/tokenizer.h"

namespace engine {

// Wraps another sampler. While the bytes sampled so far are a proper prefix of one of `choices`,
// only the tokens (of normal text: no control or added tokens) that keep them a prefix of a choice,
// or that complete one (and go on), keep their logits; the others get -infinity. From the first
// token that completes a choice, or that the wrapped sampler took against the mask (a scripted
// one ignores logits), the logits pass unchanged.
class ChoiceSampler final : public TokenSampler {
 public:
  // `tokenizer` is borrowed and must outlive this object. Empty choices are ignored; with none
  // left, nothing is constrained.
  ChoiceSampler(std::unique_ptr<TokenSampler> inner, const Tokenizer& tokenizer,
                std::vector<std::string> choices);

  int32_t sample(std::span<const float> logits) override;

  // Still constraining: the output so far is a proper prefix of a choice and completes none.
  bool active() const { return active_; }

 private:
  bool allowed(std::string_view token) const;
  void update_active();

  std::unique_ptr<TokenSampler> inner_;
  const Tokenizer& tokenizer_;
  std::vector<std::string> choices_;
  std::string output_;  // the bytes sampled so far
  bool active_ = false;
  std::vector<float> masked_;  // scratch, [n_vocab]
};

}  // namespace engine
