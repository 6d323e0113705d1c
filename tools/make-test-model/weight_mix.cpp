#include "weight_mix.h"

#include <array>
#include <stdexcept>

namespace make_test_model {
namespace {

using engine::GgmlType;

// llama_ftype numbers (llama.h).
constexpr uint32_t kFtypeF32 = 0;
constexpr uint32_t kFtypeF16 = 1;
constexpr uint32_t kFtypeQ4_0 = 2;
constexpr uint32_t kFtypeQ8_0 = 7;
constexpr uint32_t kFtypeQ4_K_M = 15;
constexpr uint32_t kFtypeQ5_K_M = 17;
constexpr uint32_t kFtypeQ6_K = 18;
constexpr uint32_t kFtypeBF16 = 32;

// The pure K-quant files carry the ftype `llama-quantize --pure` would give them (Q4_K_M for q4_k,
// Q5_K_M for q5_k), which is also what llama.cpp guesses from a file's most common type.
const std::array kFileTypes = {
    FileType{"f32", GgmlType::F32, true, kFtypeF32},
    FileType{"f16", GgmlType::F16, true, kFtypeF16},
    FileType{"bf16", GgmlType::BF16, true, kFtypeBF16},
    FileType{"q8_0", GgmlType::Q8_0, false, kFtypeQ8_0},
    FileType{"q4_0", GgmlType::Q4_0, true, kFtypeQ4_0},
    FileType{"q4_k", GgmlType::Q4_K, true, kFtypeQ4_K_M},
    FileType{"q5_k", GgmlType::Q5_K, true, kFtypeQ5_K_M},
    FileType{"q6_k", GgmlType::Q6_K, false, kFtypeQ6_K},
    FileType{"q4_k_m", GgmlType::Q4_K, false, kFtypeQ4_K_M},
    FileType{"q5_k_m", GgmlType::Q5_K, false, kFtypeQ5_K_M},
};

bool is_quantized(GgmlType type) {
  return type != GgmlType::F32 && type != GgmlType::F16 && type != GgmlType::BF16;
}

uint64_t block_elems(GgmlType type) {
  return engine::ggml_type_layout(static_cast<uint32_t>(type))->block_elems;
}

// llama-quant.cpp's use_more_bits: the first and last eighth of the layers, and every third
// layer in between.
bool use_more_bits(int i_layer, int n_layer) {
  return i_layer < n_layer / 8 || i_layer >= 7 * n_layer / 8 || (i_layer - n_layer / 8) % 3 == 2;
}

// llama_tensor_get_type_impl, for the ftypes of kFileTypes that are not pure, on a dense model
// (no experts, no fused qkv). Tensors reach it sorted by block, so llama.cpp's running counters
// of attn_v and ffn_down tensors equal the block index.
GgmlType mix_type(const FileType& ft, const TensorSpec& t, const Shape& shape) {
  const int n_layer = static_cast<int>(shape.n_layer);
  const bool more_bits_mix = ft.llama_ftype == kFtypeQ4_K_M || ft.llama_ftype == kFtypeQ5_K_M;
  switch (t.role) {
    case TensorRole::kOutput:
    case TensorRole::kTokenEmbd:
      // The output projection, and token_embd when it also serves as the output (tied).
      if (t.role == TensorRole::kTokenEmbd && !shape.tied) return ft.base;
      if (t.ne[0] % block_elems(ft.base) != 0) return GgmlType::Q8_0;
      return ft.base == GgmlType::Q8_0 ? GgmlType::Q8_0 : GgmlType::Q6_K;
    case TensorRole::kAttnV:
    case TensorRole::kFfnDown:
      return more_bits_mix && use_more_bits(t.layer, n_layer) ? GgmlType::Q6_K : ft.base;
    default:
      return ft.base;
  }
}

// tensor_type_fallback: a row that is not a whole number of the type's blocks.
GgmlType fallback(GgmlType type, const TensorSpec& t) {
  if (t.ne[0] % block_elems(type) == 0) return type;
  const std::string where = "tensor " + t.name + " has rows of " + std::to_string(t.ne[0]) +
                            ", not a multiple of " + std::to_string(block_elems(type)) + " (" +
                            std::string(engine::ggml_type_name(type)) + ")";
  if (type == GgmlType::Q6_K) {
    return t.ne[0] % block_elems(GgmlType::Q8_0) == 0 ? GgmlType::Q8_0 : GgmlType::F16;
  }
  if (type == GgmlType::Q4_K || type == GgmlType::Q5_K) {
    throw std::invalid_argument(
        where + ": llama.cpp would store it as " + (type == GgmlType::Q4_K ? "q5_0" : "q5_1") +
        ", which this tool does not write; pick a shape whose sizes are multiples of 256 or "
        "another --type");
  }
  throw std::invalid_argument(where + "; pick a shape whose sizes are multiples of " +
                              std::to_string(block_elems(type)) + " or another --type");
}

}  // namespace

std::string file_type_names() {
  std::string names;
  for (const FileType& f : kFileTypes) names += (names.empty() ? "" : ", ") + std::string(f.name);
  return names;
}

const FileType& find_file_type(std::string_view name) {
  for (const FileType& f : kFileTypes) {
    if (f.name == name) return f;
  }
  throw std::invalid_argument("unknown --type '" + std::string(name) + "'; supported are " +
                              file_type_names());
}

GgmlType tensor_type(const FileType& ft, const TensorSpec& t, const Shape& shape) {
  // q8_0's "mix" is q8_0 throughout; the k-quant mixes have rules for experts and fused
  // projections that mix_type does not model.
  if (!ft.pure && ft.base != GgmlType::Q8_0 && (shape.n_expert > 0 || shape.ssm_n_v_heads > 0)) {
    throw std::invalid_argument(
        "--type " + std::string(ft.name) +
        ": llama.cpp's quantization mixes are modelled for dense transformers only; give a "
        "mixture-of-experts or hybrid model a pure type (f32, f16, bf16, q8_0, q4_0, q4_k, q5_k)");
  }
  // llama.cpp quantizes only the 2-D (and 3-D) weights; the converter keeps 1-D tensors in f32.
  if (t.ne.size() < 2) return GgmlType::F32;
  // convert_hf_to_gguf.py writes the router and the convolution in f32 whatever the type, and
  // llama-quantize leaves them so.
  if (t.role == TensorRole::kFfnGateInp || t.role == TensorRole::kSsmConv1d) return GgmlType::F32;
  if (!is_quantized(ft.base)) return ft.base;
  const GgmlType type = ft.pure ? ft.base : mix_type(ft, t, shape);
  return fallback(type, t);
}

}  // namespace make_test_model
