#include "engine/kernels/cpu/kquant_packing.h"

#include <cstring>

namespace engine::kernels::kpack {
namespace {

template <typename Block>
void pack_header(const uint8_t* const blocks[], uint8_t* dst) {
  for (size_t r = 0; r < 4; ++r) {
    const auto* b = reinterpret_cast<const Block*>(blocks[r]);
    std::memcpy(dst + kD + 2 * r, &b->d, 2);
    std::memcpy(dst + kDmin + 2 * r, &b->dmin, 2);
    for (size_t w = 0; w < 3; ++w)
      std::memcpy(dst + kScaleWords + 16 * w + 4 * r, b->scales + 4 * w, 4);
  }
}

}  // namespace

void pack_q4k(const uint8_t* const blocks[], uint8_t* dst) {
  pack_header<BlockQ4K>(blocks, dst);
  for (size_t r = 0; r < 4; ++r) {
    std::memcpy(dst + kQ4Qs + 128 * r, reinterpret_cast<const BlockQ4K*>(blocks[r])->qs, 128);
  }
}

void pack_q5k(const uint8_t* const blocks[], uint8_t* dst) {
  pack_header<BlockQ5K>(blocks, dst);
  for (size_t r = 0; r < 4; ++r) {
    const auto* b = reinterpret_cast<const BlockQ5K*>(blocks[r]);
    std::memcpy(dst + kQ5Qh + 32 * r, b->qh, 32);
    std::memcpy(dst + kQ5Qs + 128 * r, b->qs, 128);
  }
}

void pack_q6k(const uint8_t* const blocks[], uint8_t* dst) {
  for (size_t r = 0; r < 4; ++r) {
    const auto* b = reinterpret_cast<const BlockQ6K*>(blocks[r]);
    std::memcpy(dst + kQ6D + 2 * r, &b->d, 2);
    std::memcpy(dst + kQ6Scales + 16 * r, b->scales, 16);
    std::memcpy(dst + kQ6Ql + 128 * r, b->ql, 128);
    std::memcpy(dst + kQ6Qh + 64 * r, b->qh, 64);
  }
}

void pack8_q4k(const uint8_t* const blocks[], uint8_t* dst) {
  for (size_t r = 0; r < 8; ++r) {
    const auto* b = reinterpret_cast<const BlockQ4K*>(blocks[r]);
    std::memcpy(dst + x8::kD + 2 * r, &b->d, 2);
    std::memcpy(dst + x8::kDmin + 2 * r, &b->dmin, 2);
    for (size_t w = 0; w < 3; ++w) {
      std::memcpy(dst + x8::kScaleWords + 32 * w + 4 * r, b->scales + 4 * w, 4);
    }
    for (size_t jp = 0; jp < 4; ++jp) {
      for (size_t k = 0; k < 8; ++k) {
        std::memcpy(dst + x8::kQs + ((jp * 8 + k) * 8 + r) * 4, b->qs + 32 * jp + 4 * k, 4);
      }
    }
  }
}

}  // namespace engine::kernels::kpack
