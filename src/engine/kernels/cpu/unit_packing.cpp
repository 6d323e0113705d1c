#include "engine/kernels/cpu/unit_packing.h"

#include <cstring>

namespace engine::kernels::unit8 {
namespace {

constexpr size_t kRows = 8;

// Vector k of a field: four bytes of each row, starting at byte 4k of the row's field.
void pack_vectors(const uint8_t* const fields[], size_t n_vectors, uint8_t* dst) {
  for (size_t k = 0; k < n_vectors; ++k) {
    for (size_t r = 0; r < kRows; ++r) std::memcpy(dst + k * kVector + 4 * r, fields[r] + 4 * k, 4);
  }
}

template <typename Block, typename Field>
void gather(const uint8_t* const blocks[], Field field, const uint8_t* out[]) {
  for (size_t r = 0; r < kRows; ++r) out[r] = field(reinterpret_cast<const Block*>(blocks[r]));
}

template <typename Block>
void pack_fp16(const uint8_t* const blocks[], uint16_t Block::*member, uint8_t* dst) {
  for (size_t r = 0; r < kRows; ++r) {
    std::memcpy(dst + 2 * r, &(reinterpret_cast<const Block*>(blocks[r])->*member), 2);
  }
}

}  // namespace

void pack_q8_0(const uint8_t* const blocks[], uint8_t* dst) {
  pack_fp16<BlockQ8_0>(blocks, &BlockQ8_0::d, dst + kQ32D);
  const uint8_t* qs[kRows];
  gather<BlockQ8_0>(
      blocks, [](const BlockQ8_0* b) { return reinterpret_cast<const uint8_t*>(b->qs); }, qs);
  pack_vectors(qs, 8, dst + kQ32Qs);
}

void pack_q4_0(const uint8_t* const blocks[], uint8_t* dst) {
  pack_fp16<BlockQ4_0>(blocks, &BlockQ4_0::d, dst + kQ32D);
  const uint8_t* qs[kRows];
  gather<BlockQ4_0>(
      blocks, [](const BlockQ4_0* b) { return b->qs; }, qs);
  pack_vectors(qs, 4, dst + kQ32Qs);
}

namespace {

template <typename Block>
void pack_k_header(const uint8_t* const blocks[], uint8_t* dst) {
  pack_fp16<Block>(blocks, &Block::d, dst + kKD);
  pack_fp16<Block>(blocks, &Block::dmin, dst + kKDmin);
  const uint8_t* scales[kRows];
  gather<Block>(
      blocks, [](const Block* b) { return b->scales; }, scales);
  pack_vectors(scales, 3, dst + kKScaleWords);
}

// Half-group jp of the quants: bytes qs[32jp ..] as eight vectors.
template <typename Block>
void pack_k_quants(const uint8_t* const blocks[], uint8_t* dst) {
  for (size_t jp = 0; jp < 4; ++jp) {
    const uint8_t* qs[kRows];
    for (size_t r = 0; r < kRows; ++r) {
      qs[r] = reinterpret_cast<const Block*>(blocks[r])->qs + 32 * jp;
    }
    pack_vectors(qs, 8, dst + jp * 8 * kVector);
  }
}

}  // namespace

void pack_q4k(const uint8_t* const blocks[], uint8_t* dst) {
  pack_k_header<BlockQ4K>(blocks, dst);
  pack_k_quants<BlockQ4K>(blocks, dst + kQ4KQs);
}

void pack_q5k(const uint8_t* const blocks[], uint8_t* dst) {
  pack_k_header<BlockQ5K>(blocks, dst);
  const uint8_t* qh[kRows];
  gather<BlockQ5K>(
      blocks, [](const BlockQ5K* b) { return b->qh; }, qh);
  pack_vectors(qh, 8, dst + kQ5KQh);
  pack_k_quants<BlockQ5K>(blocks, dst + kQ5KQs);
}

void pack_q6k(const uint8_t* const blocks[], uint8_t* dst) {
  pack_fp16<BlockQ6K>(blocks, &BlockQ6K::d, dst + kQ6D);
  const uint8_t* fields[kRows];
  gather<BlockQ6K>(
      blocks, [](const BlockQ6K* b) { return reinterpret_cast<const uint8_t*>(b->scales); },
      fields);
  pack_vectors(fields, 4, dst + kQ6Scales);
  for (size_t h = 0; h < 2; ++h) {
    for (size_t p = 0; p < 2; ++p) {
      for (size_t r = 0; r < kRows; ++r) {
        fields[r] = reinterpret_cast<const BlockQ6K*>(blocks[r])->ql + 64 * h + 32 * p;
      }
      pack_vectors(fields, 8, dst + kQ6Ql + (h * 2 + p) * 8 * kVector);
    }
    for (size_t r = 0; r < kRows; ++r)
      fields[r] = reinterpret_cast<const BlockQ6K*>(blocks[r])->qh + 32 * h;
    pack_vectors(fields, 8, dst + kQ6Qh + h * 8 * kVector);
  }
}

}  // namespace engine::kernels::unit8
