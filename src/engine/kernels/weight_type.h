// The one table of weight types the kernels run (ggml-cpu's type_traits_cpu): per GGML type its
// block layout, conversions to and from float, the activation type its dot product wants, and its
// dot kernels (the scalar reference, and the SIMD tile picked for this CPU). Callers look a type
// up once and call through the entry; no switch on types elsewhere.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "engine/gguf/ggml_type.h"
#include "engine/kernels/activations.h"
#include "engine/kernels/tile.h"

namespace engine::kernels {

using DotRefFn = float (*)(const void* w, const ActRow& a, size_t n);

struct WeightTypeTraits {
  GgmlType type;
  std::string_view name;  // ggml's name: "q4_K"
  size_t block_elems;
  size_t block_bytes;
  ActType act_type;  // what x is converted to for the dot products
  // n elements (a multiple of block_elems) from / to the type's blocks.
  void (*dequantize_row)(const void* src, float* dst, size_t n);
  void (*quantize_row)(const float* src, void* dst, size_t n);  // ggml's reference quantizer
  DotRefFn dot_ref;                                             // one row . one activation row
  TileFn ref_tile;        // the portable tile: dot_ref over each pair, row-major layout
  TileFn (*simd_tile)();  // the SIMD tile for this CPU, or nullptr where it has none
  Packing simd_packing;   // how the SIMD tile wants the weight repacked (tile.h)
  // Packing::kUnits8: packs block b of a unit's eight rows (blocks[r]) into dst.
  void (*pack_unit)(const uint8_t* const blocks[], uint8_t* dst);
};

// The entry of a type, or nullptr when the kernels do not run it.
const WeightTypeTraits* find_weight_type(GgmlType type);

// The entry of a type; throws KernelError naming the type and the supported ones otherwise.
const WeightTypeTraits& weight_type(GgmlType type);

// Bytes of one row of n elements; throws KernelError when n is not a whole number of blocks.
size_t row_bytes(const WeightTypeTraits& traits, size_t n);

// Converts one row of n elements of `type` to floats (the embedding lookup: get_rows).
void dequantize_row(GgmlType type, std::span<const uint8_t> src, float* dst, size_t n);

// Converts n floats to `type` with ggml's reference quantizer (for writing model files).
void quantize_row(GgmlType type, const float* src, std::span<uint8_t> dst, size_t n);

}  // namespace engine::kernels
