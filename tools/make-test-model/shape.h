// Shape presets (--shape) and the flags that override their fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model_spec.h"

namespace make_test_model {

// The vocab rows of every preset: Qwen3's config.json vocab_size, to which llama.cpp's converter
// pads the 151669 tokens of its tokenizer with [PAD<i>] entries.
inline constexpr uint32_t kQwenPaddedVocab = 151936;

// Fields given on the command line; unset ones keep the preset's value.
struct ShapeOverrides {
  std::optional<uint32_t> n_layer, n_embd, n_head, n_head_kv, head_dim, n_ff, n_vocab, n_ctx;
  std::optional<bool> tied;
};

// The preset of that name; throws std::invalid_argument listing the presets otherwise.
Shape preset_shape(std::string_view name);
std::string preset_names();  // "tiny, small, qwen3-0.6b, ..."

// The preset with the overrides applied, checked: every size > 0, n_head a multiple of n_head_kv,
// head_dim even. Throws std::invalid_argument naming the field, its value and what it must be.
Shape make_shape(std::string_view preset, const ShapeOverrides& overrides);

}  // namespace make_test_model
