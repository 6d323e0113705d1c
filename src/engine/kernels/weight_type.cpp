#include "engine/kernels/weight_type.h"

#include <array>
#include <cstring>
#include <string>

#include "engine/kernels/check.h"
#include "engine/kernels/cpu/float_tile.h"
#include "engine/kernels/cpu/tile_ref.h"
#include "engine/kernels/cpu/unit_packing.h"
#include "engine/kernels/cpu/x86/x86_kernels.h"
#include "engine/kernels/dot_ref.h"
#include "engine/kernels/quant_ref.h"

namespace engine::kernels {
namespace {

// Adapters from the typed reference functions to the table's byte-pointer signatures.
template <typename Block, void (*kFn)(const Block*, float*, size_t)>
void dequantize_as(const void* src, float* dst, size_t n) {
  kFn(static_cast<const Block*>(src), dst, n);
}
template <typename Block, void (*kFn)(const float*, Block*, size_t)>
void quantize_as(const float* src, void* dst, size_t n) {
  kFn(src, static_cast<Block*>(dst), n);
}
void copy_f32_out(const void* src, float* dst, size_t n) {
  std::memcpy(dst, src, n * 4);
}
void copy_f32_in(const float* src, void* dst, size_t n) {
  std::memcpy(dst, src, n * 4);
}

// The tile of the best x86 level this CPU runs (x86_level()), or none.
template <TileFn kAvx2, TileFn kVnni>
TileFn x86_tile() {
  switch (x86::x86_level()) {
    case x86::X86Level::kAvx512Bf16:
    case x86::X86Level::kAvx512Vnni:
      return kVnni;
    case x86::X86Level::kAvx2:
      return kAvx2;
    case x86::X86Level::kNone:
      break;
  }
  return nullptr;
}

// BF16: vdpbf16ps where the CPU has it, else the Highway tile of its best target.
TileFn bf16_tile() {
  return x86::x86_level() >= x86::X86Level::kAvx512Bf16 ? x86::tile_bf16_dpbf16 : float_tile_bf16();
}

const std::array kTypes = {
    WeightTypeTraits{GgmlType::F32, "f32", 1, 4, ActType::kF32, copy_f32_out, copy_f32_in,
                     dot_f32_f32_ref, tile_ref<dot_f32_f32_ref>, float_tile_f32, Packing::kRowMajor,
                     nullptr},
    WeightTypeTraits{GgmlType::F16, "f16", 1, 2, ActType::kF16,
                     dequantize_as<uint16_t, dequantize_row_f16>,
                     quantize_as<uint16_t, quantize_row_f16_ref>, dot_f16_f16_ref,
                     tile_ref<dot_f16_f16_ref>, float_tile_f16, Packing::kRowMajor, nullptr},
    WeightTypeTraits{GgmlType::BF16, "bf16", 1, 2, ActType::kBF16,
                     dequantize_as<uint16_t, dequantize_row_bf16>,
                     quantize_as<uint16_t, quantize_row_bf16_ref>, dot_bf16_bf16_ref,
                     tile_ref<dot_bf16_bf16_ref>, bf16_tile, Packing::kRowMajor, nullptr},
    WeightTypeTraits{GgmlType::Q8_0, "q8_0", kQK8_0, sizeof(BlockQ8_0), ActType::kQ8_0,
                     dequantize_as<BlockQ8_0, dequantize_row_q8_0>,
                     quantize_as<BlockQ8_0, quantize_row_q8_0_ref>, dot_q8_0_q8_0_ref,
                     tile_ref<dot_q8_0_q8_0_ref>,
                     x86_tile<x86::tile_q8_0_avx2, x86::tile_q8_0_vnni>, Packing::kUnits8,
                     unit8::pack_q8_0},
    WeightTypeTraits{GgmlType::Q4_0, "q4_0", kQK4_0, sizeof(BlockQ4_0), ActType::kQ8_0,
                     dequantize_as<BlockQ4_0, dequantize_row_q4_0>,
                     quantize_as<BlockQ4_0, quantize_row_q4_0_ref>, dot_q4_0_q8_0_ref,
                     tile_ref<dot_q4_0_q8_0_ref>,
                     x86_tile<x86::tile_q4_0_avx2, x86::tile_q4_0_vnni>, Packing::kUnits8,
                     unit8::pack_q4_0},
    WeightTypeTraits{GgmlType::Q4_K, "q4_K", kQK_K, sizeof(BlockQ4K), ActType::kQ8_K,
                     dequantize_as<BlockQ4K, dequantize_row_q4_K>,
                     quantize_as<BlockQ4K, quantize_row_q4_K_ref>, dot_q4k_q8k_ref,
                     tile_ref<dot_q4k_q8k_ref>, x86_tile<x86::tile_q4k_avx2, x86::tile_q4k_vnni>,
                     Packing::kUnits8, unit8::pack_q4k},
    WeightTypeTraits{GgmlType::Q5_K, "q5_K", kQK_K, sizeof(BlockQ5K), ActType::kQ8_K,
                     dequantize_as<BlockQ5K, dequantize_row_q5_K>,
                     quantize_as<BlockQ5K, quantize_row_q5_K_ref>, dot_q5k_q8k_ref,
                     tile_ref<dot_q5k_q8k_ref>, x86_tile<x86::tile_q5k_avx2, x86::tile_q5k_vnni>,
                     Packing::kUnits8, unit8::pack_q5k},
    WeightTypeTraits{GgmlType::Q6_K, "q6_K", kQK_K, sizeof(BlockQ6K), ActType::kQ8_K,
                     dequantize_as<BlockQ6K, dequantize_row_q6_K>,
                     quantize_as<BlockQ6K, quantize_row_q6_K_ref>, dot_q6k_q8k_ref,
                     tile_ref<dot_q6k_q8k_ref>, x86_tile<x86::tile_q6k_avx2, x86::tile_q6k_vnni>,
                     Packing::kUnits8, unit8::pack_q6k},
};

std::string supported_names() {
  std::string names;
  for (const auto& t : kTypes) names += (names.empty() ? "" : ", ") + std::string(t.name);
  return names;
}

}  // namespace

const WeightTypeTraits* find_weight_type(GgmlType type) {
  for (const auto& t : kTypes) {
    if (t.type == type) return &t;
  }
  return nullptr;
}

const WeightTypeTraits& weight_type(GgmlType type) {
  if (const auto* t = find_weight_type(type)) return *t;
  throw KernelError("weight type " + std::string(ggml_type_name(type)) + " (id " +
                    std::to_string(static_cast<uint32_t>(type)) +
                    ") is not supported by the CPU kernels; supported: " + supported_names());
}

size_t row_bytes(const WeightTypeTraits& traits, size_t n) {
  if (n % traits.block_elems != 0) {
    throw KernelError("a " + std::string(traits.name) + " row must hold a multiple of " +
                      std::to_string(traits.block_elems) + " elements, got " + std::to_string(n));
  }
  return n / traits.block_elems * traits.block_bytes;
}

void dequantize_row(GgmlType type, std::span<const uint8_t> src, float* dst, size_t n) {
  const auto& traits = weight_type(type);
  const size_t bytes = row_bytes(traits, n);
  if (src.size() < bytes) {
    throw KernelError("dequantize_row: " + std::to_string(n) + " " + std::string(traits.name) +
                      " elements need " + std::to_string(bytes) + " bytes, got " +
                      std::to_string(src.size()));
  }
  traits.dequantize_row(src.data(), dst, n);
}

void quantize_row(GgmlType type, const float* src, std::span<uint8_t> dst, size_t n) {
  const auto& traits = weight_type(type);
  const size_t bytes = row_bytes(traits, n);
  if (dst.size() < bytes) {
    throw KernelError("quantize_row: " + std::to_string(n) + " " + std::string(traits.name) +
                      " elements need " + std::to_string(bytes) + " bytes, got " +
                      std::to_string(dst.size()));
  }
  traits.quantize_row(src, dst.data(), n);
}

}  // namespace engine::kernels
