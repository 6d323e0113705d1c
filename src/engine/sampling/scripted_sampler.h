// The one test double of the project (DESIGN.md): the forward pass runs for real, but the next
// token comes from a script instead of the logits, so tests know what the model "says".
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "engine/sampling/sampler.h"

namespace engine {

class ScriptedSampler final : public TokenSampler {
 public:
  // Emits `script` token by token, then `end_id` (an end-of-generation token) forever.
  ScriptedSampler(std::vector<int32_t> script, int32_t end_id);
  int32_t sample(std::span<const float> logits) override;

 private:
  std::vector<int32_t> script_;
  size_t next_ = 0;
  int32_t end_id_;
};

}  // namespace engine
