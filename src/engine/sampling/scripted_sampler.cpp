#include "engine/sampling/scripted_sampler.h"

#include <stdexcept>
#include <string>

namespace engine {

ScriptedSampler::ScriptedSampler(std::vector<int32_t> script, int32_t end_id)
    : script_(std::move(script)), end_id_(end_id) {}

int32_t ScriptedSampler::sample(std::span<const float> logits) {
  const int32_t id = next_ < script_.size() ? script_[next_++] : end_id_;
  if (id < 0 || static_cast<size_t>(id) >= logits.size()) {
    throw std::out_of_range("scripted token id " + std::to_string(id) +
                            " is outside the vocabulary of " + std::to_string(logits.size()));
  }
  return id;
}

}  // namespace engine
