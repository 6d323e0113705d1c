#include "engine/gguf/ggml_type.h"

#include <array>

namespace engine {
namespace {

constexpr std::array kLayouts = {
    GgmlTypeLayout{GgmlType::F32, "f32", 1, 4},
    GgmlTypeLayout{GgmlType::F16, "f16", 1, 2},
    GgmlTypeLayout{GgmlType::Q4_0, "q4_0", 32, 18},
    GgmlTypeLayout{GgmlType::Q4_1, "q4_1", 32, 20},
    GgmlTypeLayout{GgmlType::Q5_0, "q5_0", 32, 22},
    GgmlTypeLayout{GgmlType::Q5_1, "q5_1", 32, 24},
    GgmlTypeLayout{GgmlType::Q8_0, "q8_0", 32, 34},
    GgmlTypeLayout{GgmlType::Q8_1, "q8_1", 32, 36},
    GgmlTypeLayout{GgmlType::Q2_K, "q2_K", 256, 84},
    GgmlTypeLayout{GgmlType::Q3_K, "q3_K", 256, 110},
    GgmlTypeLayout{GgmlType::Q4_K, "q4_K", 256, 144},
    GgmlTypeLayout{GgmlType::Q5_K, "q5_K", 256, 176},
    GgmlTypeLayout{GgmlType::Q6_K, "q6_K", 256, 210},
    GgmlTypeLayout{GgmlType::Q8_K, "q8_K", 256, 292},
    GgmlTypeLayout{GgmlType::IQ2_XXS, "iq2_xxs", 256, 66},
    GgmlTypeLayout{GgmlType::IQ2_XS, "iq2_xs", 256, 74},
    GgmlTypeLayout{GgmlType::IQ3_XXS, "iq3_xxs", 256, 98},
    GgmlTypeLayout{GgmlType::IQ1_S, "iq1_s", 256, 50},
    GgmlTypeLayout{GgmlType::IQ4_NL, "iq4_nl", 32, 18},
    GgmlTypeLayout{GgmlType::IQ3_S, "iq3_s", 256, 110},
    GgmlTypeLayout{GgmlType::IQ2_S, "iq2_s", 256, 82},
    GgmlTypeLayout{GgmlType::IQ4_XS, "iq4_xs", 256, 136},
    GgmlTypeLayout{GgmlType::I8, "i8", 1, 1},
    GgmlTypeLayout{GgmlType::I16, "i16", 1, 2},
    GgmlTypeLayout{GgmlType::I32, "i32", 1, 4},
    GgmlTypeLayout{GgmlType::I64, "i64", 1, 8},
    GgmlTypeLayout{GgmlType::F64, "f64", 1, 8},
    GgmlTypeLayout{GgmlType::IQ1_M, "iq1_m", 256, 56},
    GgmlTypeLayout{GgmlType::BF16, "bf16", 1, 2},
    GgmlTypeLayout{GgmlType::TQ1_0, "tq1_0", 256, 54},
    GgmlTypeLayout{GgmlType::TQ2_0, "tq2_0", 256, 66},
    GgmlTypeLayout{GgmlType::MXFP4, "mxfp4", 32, 17},
    GgmlTypeLayout{GgmlType::NVFP4, "nvfp4", 64, 36},  // 4 UE4M3 scales + 32 bytes of E2M1
    GgmlTypeLayout{GgmlType::Q1_0, "q1_0", 128, 18},   // f16 scale + 128 sign bits
};

}  // namespace

std::optional<GgmlTypeLayout> ggml_type_layout(uint32_t type_id) {
  for (const auto& layout : kLayouts) {
    if (static_cast<uint32_t>(layout.type) == type_id) return layout;
  }
  return std::nullopt;
}

std::string_view ggml_type_name(GgmlType type) {
  auto layout = ggml_type_layout(static_cast<uint32_t>(type));
  return layout ? layout->name : "unknown";
}

}  // namespace engine
