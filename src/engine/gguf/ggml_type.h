// The tensor element types of GGML / GGUF, with their exact block layouts.
// Numbering and layouts follow ggml.h (ggml_type) and ggml-common.h (block_* structs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace engine {

enum class GgmlType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  IQ2_XXS = 16,
  IQ2_XS = 17,
  IQ3_XXS = 18,
  IQ1_S = 19,
  IQ4_NL = 20,
  IQ3_S = 21,
  IQ2_S = 22,
  IQ4_XS = 23,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  IQ1_M = 29,
  BF16 = 30,
  TQ1_0 = 34,
  TQ2_0 = 35,
  MXFP4 = 39,
  NVFP4 = 40,
  Q1_0 = 41,
};

// Layout of one type: `block_elems` elements are stored in `block_bytes` bytes.
struct GgmlTypeLayout {
  GgmlType type;
  std::string_view name;  // as ggml names it: "f32", "q4_K", ...
  uint32_t block_elems;
  uint32_t block_bytes;
};

// The layout of a type id read from a file, or nullopt for an id no GGML release defines.
std::optional<GgmlTypeLayout> ggml_type_layout(uint32_t type_id);

// Name of a known type ("q8_0"); "unknown" otherwise.
std::string_view ggml_type_name(GgmlType type);

}  // namespace engine
