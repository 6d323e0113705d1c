// --type: the weight type of every matmul weight (f32 ... q6_k, like `llama-quantize --pure`) or
// one of llama.cpp's quantization mixes (q4_k_m, q5_k_m, q6_k, q8_0), whose per-tensor types
// follow llama_tensor_get_type in llama.cpp's src/llama-quant.cpp. 1-D tensors (norms, biases,
// rope_freqs) are always f32, as both the converter and the quantizer keep them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/gguf/ggml_type.h"
#include "model_spec.h"

namespace make_test_model {

struct FileType {
  std::string_view name;  // as given to --type: "q4_k_m"
  engine::GgmlType base;  // the type of most matmul weights
  // true: every matmul weight is `base` (bar llama.cpp's fallback for rows that do not fit a
  // 256-element block); false: llama.cpp's mix for `llama_ftype`.
  bool pure;
  uint32_t llama_ftype;  // general.file_type (llama_ftype: 7 = MOSTLY_Q8_0, 15 = MOSTLY_Q4_K_M...)
};

// The type of that name; throws std::invalid_argument listing the supported ones.
const FileType& find_file_type(std::string_view name);
std::string file_type_names();

// The GGML type `tensor` gets in a file of type `ft` for a model of `shape`. Throws
// std::invalid_argument when llama.cpp would fall back to a type the engine does not run
// (q4_K -> q5_0, q5_K -> q5_1 for rows that are not a multiple of 256), naming the tensor.
engine::GgmlType tensor_type(const FileType& ft, const TensorSpec& tensor, const Shape& shape);

}  // namespace make_test_model
