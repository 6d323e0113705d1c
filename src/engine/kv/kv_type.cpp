#include "engine/kv/kv_type.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "engine/kernels/blocks.h"
#include "engine/kernels/fp16.h"
#include "engine/kernels/quant_ref.h"
#include "engine/ops/ops.h"

namespace engine {
namespace {

void check_fits(KvType type, size_t n) {
  if (!kv_type_fits(type, n)) {
    throw std::invalid_argument("KV cache type " + std::string(kv_type_name(type)) +
                                " cannot store rows of " + std::to_string(n) + " values");
  }
}

// Blocks of a Q8_0 row, copied out of (or into) bytes that need not be aligned to the struct.
void load_q8_0(const uint8_t* src, float* dst, size_t n) {
  for (size_t b = 0; b < n / kernels::kQK8_0; ++b) {
    kernels::BlockQ8_0 block;
    std::memcpy(&block, src + b * sizeof(block), sizeof(block));
    kernels::dequantize_row_q8_0(&block, dst + b * kernels::kQK8_0, kernels::kQK8_0);
  }
}

}  // namespace

std::string_view kv_type_name(KvType type) {
  switch (type) {
    case KvType::kF16:
      return "f16";
    case KvType::kQ8_0:
      return "q8_0";
  }
  return "unknown";
}

std::optional<KvType> kv_type_from_name(std::string_view name) {
  for (KvType type : {KvType::kF16, KvType::kQ8_0}) {
    if (name == kv_type_name(type)) return type;
  }
  return std::nullopt;
}

KvType kv_type_named(std::string_view name) {
  if (const auto type = kv_type_from_name(name)) return *type;
  throw std::invalid_argument("unknown KV cache type \"" + std::string(name) +
                              "\": the types are f16 and q8_0");
}

bool kv_type_fits(KvType type, size_t n) {
  switch (type) {
    case KvType::kF16:
      return true;
    case KvType::kQ8_0:
      return n % kernels::kQK8_0 == 0;
  }
  return false;
}

void require_kv_type_fits(KvType type, size_t head_dim_k, size_t head_dim_v) {
  if (kv_type_fits(type, head_dim_k) && kv_type_fits(type, head_dim_v)) return;
  throw std::invalid_argument("a KV cache of type " + std::string(kv_type_name(type)) +
                              " needs head sizes in multiples of 32; these are " +
                              std::to_string(head_dim_k) + " (keys) and " +
                              std::to_string(head_dim_v) + " (values): use the f16 cache");
}

size_t kv_row_bytes(KvType type, size_t n) {
  check_fits(type, n);
  return type == KvType::kF16 ? n * sizeof(uint16_t)
                              : n / kernels::kQK8_0 * sizeof(kernels::BlockQ8_0);
}

void kv_store_row(KvType type, const float* src, uint8_t* dst, size_t n) {
  check_fits(type, n);
  if (type == KvType::kF16) {
    uint16_t bits[256];
    for (size_t i = 0; i < n; i += 256) {
      const size_t m = std::min<size_t>(256, n - i);
      ops::to_fp16(src + i, bits, m);
      std::memcpy(dst + i * sizeof(uint16_t), bits, m * sizeof(uint16_t));
    }
    return;
  }
  for (size_t b = 0; b < n / kernels::kQK8_0; ++b) {
    kernels::BlockQ8_0 block;
    kernels::quantize_row_q8_0_act(src + b * kernels::kQK8_0, &block, kernels::kQK8_0);
    std::memcpy(dst + b * sizeof(block), &block, sizeof(block));
  }
}

void kv_load_row(KvType type, const uint8_t* src, float* dst, size_t n) {
  check_fits(type, n);
  if (type == KvType::kQ8_0) return load_q8_0(src, dst, n);
  for (size_t i = 0; i < n; ++i) {
    uint16_t bits;
    std::memcpy(&bits, src + i * sizeof(uint16_t), sizeof(bits));
    dst[i] = kernels::fp16_to_fp32(bits);
  }
}

void kv_round_query(KvType type, float* q, size_t n) {
  check_fits(type, n);
  if (type == KvType::kF16) return ops::round_to_fp16(q, n);
  uint8_t bytes[sizeof(kernels::BlockQ8_0)];
  for (size_t b = 0; b < n / kernels::kQK8_0; ++b) {
    float* block = q + b * kernels::kQK8_0;
    kv_store_row(type, block, bytes, kernels::kQK8_0);
    load_q8_0(bytes, block, kernels::kQK8_0);
  }
}

size_t kv_key_rotation(KvType type, size_t head_dim_k) {
  if (type == KvType::kF16 || head_dim_k % 64 != 0) return 0;
  size_t block = 64;
  while (head_dim_k % (2 * block) == 0) block *= 2;
  return block;
}

size_t kv_value_rotation(KvType type, size_t head_dim_v) {
  return type != KvType::kF16 && head_dim_v % 64 == 0 ? 64 : 0;
}

void hadamard_rotate(float* x, size_t n, size_t block) {
  if (block == 0) return;
  if ((block & (block - 1)) != 0 || n % block != 0) {
    throw std::invalid_argument("hadamard_rotate: block " + std::to_string(block) +
                                " is not a power of two dividing " + std::to_string(n));
  }
  // ggml_gen_hadamard's matrix: H[i][j] = (-1)^popcount(i & j) / sqrt(block), by the fast
  // Walsh-Hadamard transform's butterflies, then the scale.
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<float>(block)));
  for (float* b = x; b < x + n; b += block) {
    for (size_t h = 1; h < block; h *= 2) {
      for (size_t i = 0; i < block; i += 2 * h) {
        for (size_t j = i; j < i + h; ++j) {
          const float u = b[j], v = b[j + h];
          b[j] = u + v;
          b[j + h] = u - v;
        }
      }
    }
    for (size_t i = 0; i < block; ++i) b[i] *= scale;
  }
}

void kv_prepare_query(KvType type, float* q, size_t n) {
  hadamard_rotate(q, n, kv_key_rotation(type, n));
  kv_round_query(type, q, n);
}

void kv_restore_output(KvType type, float* out, size_t n) {
  hadamard_rotate(out, n, kv_value_rotation(type, n));
}

}  // namespace engine
