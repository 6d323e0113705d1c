// The table of architectures make-test-model writes: for each, the tensors of a model of a given
// shape and the <arch>.* hyperparameters, named and ordered as llama.cpp's convert_hf_to_gguf.py
// writes them. A new architecture (qwen3moe, qwen35, qwen35moe) is one more row: a function that
// lists its tensors and one that writes its hyperparameters.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/gguf/gguf_writer.h"
#include "model_spec.h"

namespace make_test_model {

struct ArchSpec {
  std::string_view name;   // general.architecture
  uint32_t default_n_ctx;  // context_length of the family's models, when the shape sets none
  // The tensors, in the order llama.cpp's quantizer writes them: outside the blocks first, then
  // block by block, by name within each (llama_model_loader's weight_name_comparer).
  std::vector<TensorSpec> (*tensors)(const Shape& shape);
  // The <arch>.* keys; `file_type` (general.file_type) is written among them, where the
  // converter writes it.
  void (*hparams)(const Shape& shape, uint32_t file_type, engine::GgufWriter& w);
  // Llama's converter writes tokenizer.ggml.add_space_prefix from tokenizer_config.json.
  bool writes_add_space_prefix;
};

// The architecture of that name; throws std::invalid_argument listing the supported ones.
const ArchSpec& find_arch(std::string_view name);
std::string arch_names();  // "qwen3, qwen2, llama"

}  // namespace make_test_model
