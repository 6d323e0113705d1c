#include "engine/sampling/choice_sampler.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace engine {

ChoiceSampler::ChoiceSampler(std::unique_ptr<TokenSampler> inner, const Tokenizer& tokenizer,
                             std::vector<std::string> choices)
    : inner_(std::move(inner)), tokenizer_(tokenizer) {
  if (!inner_) throw std::invalid_argument("ChoiceSampler needs a sampler to wrap");
  for (std::string& choice : choices) {
    if (!choice.empty()) choices_.push_back(std::move(choice));
  }
  update_active();
}

bool ChoiceSampler::allowed(std::string_view token) const {
  if (token.empty()) return false;
  return std::any_of(choices_.begin(), choices_.end(), [&](const std::string& choice) {
    if (!choice.starts_with(output_)) return false;
    const std::string_view rest = std::string_view(choice).substr(output_.size());
    return rest.starts_with(token) || token.starts_with(rest);
  });
}

void ChoiceSampler::update_active() {
  bool completed = false;
  bool open = false;
  for (const std::string& choice : choices_) {
    completed = completed || std::string_view(output_).starts_with(choice);
    open = open || (choice.size() > output_.size() && choice.starts_with(output_));
  }
  active_ = open && !completed;
}

int32_t ChoiceSampler::sample(std::span<const float> logits) {
  if (!active_) return inner_->sample(logits);
  masked_.assign(logits.size(), -std::numeric_limits<float>::infinity());
  bool any = false;
  const size_t n = std::min(logits.size(), tokenizer_.vocab_size());
  for (size_t i = 0; i < n; ++i) {
    const auto id = static_cast<TokenId>(i);
    const TokenType type = tokenizer_.token_type(id);
    if (type != TokenType::kNormal && type != TokenType::kByte) continue;
    if (!allowed(tokenizer_.token_bytes(id))) continue;
    masked_[i] = logits[i];
    any = true;
  }
  if (!any) {  // no token can spell a choice: leave the model be
    active_ = false;
    return inner_->sample(logits);
  }
  const int32_t id = inner_->sample(masked_);
  const bool took_allowed =
      id >= 0 && static_cast<size_t>(id) < n &&
      masked_[static_cast<size_t>(id)] > -std::numeric_limits<float>::infinity();
  if (took_allowed) {
    output_ += tokenizer_.token_bytes(id);
    update_active();
  } else {
    active_ = false;
  }
  return id;
}

}  // namespace engine
