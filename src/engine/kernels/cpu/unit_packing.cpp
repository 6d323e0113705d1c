#include "engine/kernels/cpu/unit_packing.h"

#include <cstring>

namespace engine::kernels::unit8 {
namespace {

constexpr size_t kRows = 8;

// The blocks may sit at any address (borrowed bytes are not copied before repacking), so fields
// are found by byte offset and copied with memcpy, never read through a Block pointer.

// Vector k of a field: four bytes of each row, starting at byte 4k of the row's field (at
// blocks[r] + offset).
void pack_vectors(const uint8_t* const blocks[], size_t offset, size_t n_vectors, uint8_t* dst) {
  for (size_t k = 0; k < n_vectors; ++k) {
    for (size_t r = 0; r < kRows; ++r) {
      std::memcpy(dst + k * kVector + 4 * r, blocks[r] + offset + 4 * k, 4);
    }
  }
}

// The rows' fp16 at `offset`, one after the other.
void pack_fp16(const uint8_t* const blocks[], size_t offset, uint8_t* dst) {
  for (size_t r = 0; r < kRows; ++r) std::memcpy(dst + 2 * r, blocks[r] + offset, 2);
}

template <typename Block>
void pack_k_header(const uint8_t* const blocks[], uint8_t* dst) {
  pack_fp16(blocks, offsetof(Block, d), dst + kKD);
  pack_fp16(blocks, offsetof(Block, dmin), dst + kKDmin);
  pack_vectors(blocks, offsetof(Block, scales), 3, dst + kKScaleWords);
}

// The quants, by half-group jp: bytes qs[32jp ..] as eight vectors.
template <typename Block>
void pack_k_quants(const uint8_t* const blocks[], uint8_t* dst) {
  for (size_t jp = 0; jp < 4; ++jp) {
    pack_vectors(blocks, offsetof(Block, qs) + 32 * jp, 8, dst + jp * 8 * kVector);
  }
}

}  // namespace

void pack_q8_0(const uint8_t* const blocks[], uint8_t* dst) {
  pack_fp16(blocks, offsetof(BlockQ8_0, d), dst + kQ32D);
  pack_vectors(blocks, offsetof(BlockQ8_0, qs), 8, dst + kQ32Qs);
}

void pack_q4_0(const uint8_t* const blocks[], uint8_t* dst) {
  pack_fp16(blocks, offsetof(BlockQ4_0, d), dst + kQ32D);
  pack_vectors(blocks, offsetof(BlockQ4_0, qs), 4, dst + kQ32Qs);
}

void pack_q4k(const uint8_t* const blocks[], uint8_t* dst) {
  pack_k_header<BlockQ4K>(blocks, dst);
  pack_k_quants<BlockQ4K>(blocks, dst + kQ4KQs);
}

void pack_q5k(const uint8_t* const blocks[], uint8_t* dst) {
  pack_k_header<BlockQ5K>(blocks, dst);
  pack_vectors(blocks, offsetof(BlockQ5K, qh), 8, dst + kQ5KQh);
  pack_k_quants<BlockQ5K>(blocks, dst + kQ5KQs);
}

void pack_q6k(const uint8_t* const blocks[], uint8_t* dst) {
  pack_fp16(blocks, offsetof(BlockQ6K, d), dst + kQ6D);
  pack_vectors(blocks, offsetof(BlockQ6K, scales), 4, dst + kQ6Scales);
  for (size_t h = 0; h < 2; ++h) {
    for (size_t p = 0; p < 2; ++p) {
      pack_vectors(blocks, offsetof(BlockQ6K, ql) + 64 * h + 32 * p, 8,
                   dst + kQ6Ql + (h * 2 + p) * 8 * kVector);
    }
    pack_vectors(blocks, offsetof(BlockQ6K, qh) + 32 * h, 8, dst + kQ6Qh + h * 8 * kVector);
  }
}

}  // namespace engine::kernels::unit8
