// The vectorized activation quantizers (activations.h) against the scalar references, bit for
// bit, on every Highway target this CPU runs: random rows, rounding ties, zero blocks, and blocks
// whose largest magnitude appears with both signs (the reference takes the first).
#include <algorithm>
#include <bit>
#include <cstring>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "engine/kernels/activations.h"
#include "engine/kernels/fp16.h"
#include "engine/kernels/quant_ref.h"
#include "hwy/targets.h"
#include "kernels_test_util.h"

namespace engine::kernels {
namespace {

std::vector<float> tricky_row(size_t n, uint32_t seed) {
  auto x = testing::random_floats(n, seed);
  // Block 0: exact ties of the Q8_0 rounding (amax 127 makes the scale 1).
  x[0] = 127.0f;
  for (size_t i = 1; i < 32 && i < n; ++i) x[i] = static_cast<float>(i) - 15.5f;
  // Block 1 (and super-block 1): all zero.
  if (n >= 64) std::fill(x.begin() + 32, x.begin() + 64, 0.0f);
  if (n >= 512) std::fill(x.begin() + 256, x.begin() + 512, 0.0f);
  // The largest magnitude twice, with both signs, in the first super-block.
  if (n >= 256) {
    x[100] = 9.0f;
    x[40] = -9.0f;
  }
  return x;
}

TEST(KernelsActivations, Q8_0MatchesTheReferenceOnEveryTarget) {
  for (int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    for (size_t n : {32, 64, 1024}) {
      const auto x = tricky_row(n, static_cast<uint32_t>(n));
      std::vector<uint8_t> row(act_row_bytes(ActType::kQ8_0, n));
      quantize_activations(ActType::kQ8_0, x.data(), n, 0, 1, row.data());
      const ActView view{ActType::kQ8_0, n, 1, row.size(), row.data()};
      const ActRow a = view.row(0);
      std::vector<BlockQ8_0> ref(n / kQK8_0);
      quantize_row_q8_0_act(x.data(), ref.data(), n);
      for (size_t b = 0; b < ref.size(); ++b) {
        ASSERT_EQ(std::memcmp(static_cast<const int8_t*>(a.qs) + 32 * b, ref[b].qs, 32), 0)
            << hwy::TargetName(target) << " n " << n << " block " << b;
        ASSERT_EQ(a.d[b], fp16_to_fp32(ref[b].d)) << hwy::TargetName(target) << " block " << b;
        int sum = 0;
        for (int8_t q : ref[b].qs) sum += q;
        ASSERT_EQ(a.sum[b], sum) << hwy::TargetName(target) << " block " << b;
      }
    }
  }
  hwy::SetSupportedTargetsForTest(0);
}

TEST(KernelsActivations, Q8_KMatchesTheReferenceOnEveryTarget) {
  for (int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    for (size_t n : {256, 1024}) {
      const auto x = tricky_row(n, static_cast<uint32_t>(n) + 1);
      std::vector<uint8_t> row(act_row_bytes(ActType::kQ8_K, n));
      quantize_activations(ActType::kQ8_K, x.data(), n, 0, 1, row.data());
      const ActView view{ActType::kQ8_K, n, 1, row.size(), row.data()};
      const ActRow a = view.row(0);
      std::vector<BlockQ8K> ref(n / kQK_K);
      quantize_row_q8_K_ref(x.data(), ref.data(), n);
      for (size_t b = 0; b < ref.size(); ++b) {
        ASSERT_EQ(std::memcmp(static_cast<const int8_t*>(a.qs) + 256 * b, ref[b].qs, 256), 0)
            << hwy::TargetName(target) << " n " << n << " super-block " << b;
        ASSERT_EQ(a.d[b], ref[b].d) << hwy::TargetName(target) << " super-block " << b;
        ASSERT_EQ(std::memcmp(a.bsum + 16 * b, ref[b].bsums, sizeof ref[b].bsums), 0)
            << hwy::TargetName(target) << " super-block " << b;
      }
    }
  }
  hwy::SetSupportedTargetsForTest(0);
}

TEST(KernelsActivations, HalfAndBfloatConversionsMatchTheScalarOnesOnEveryTarget) {
  // Random bit patterns (NaNs, infinities, subnormals included), values around the fp16 range's
  // edges and rounding ties; the length leaves a scalar tail on every target.
  std::vector<float> x;
  std::mt19937 rng(3);
  for (int i = 0; i < 4000; ++i) x.push_back(std::bit_cast<float>(static_cast<uint32_t>(rng())));
  for (uint32_t u : {0x00000000u, 0x80000000u, 0x7F800000u, 0xFF800000u, 0x7FC00001u, 0xFF812345u,
                     0x477FE000u, 0x477FF000u, 0x33000000u, 0x3F801000u, 0x3F803000u, 0x3F808000u,
                     0x3F818000u, 0x00000001u, 0x387FC000u}) {
    x.push_back(std::bit_cast<float>(u));
  }
  for (uint32_t u = 0x33000000u; u < 0x47800000u; u += 0x1F03) x.push_back(std::bit_cast<float>(u));
  x.push_back(1.0f);  // an odd length
  for (ActType type : {ActType::kF16, ActType::kBF16}) {
    std::vector<uint16_t> want(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      want[i] = type == ActType::kF16 ? fp32_to_fp16(x[i]) : fp32_to_bf16(x[i]);
    }
    for (int64_t target : hwy::SupportedAndGeneratedTargets()) {
      hwy::SetSupportedTargetsForTest(target);
      std::vector<uint16_t> got(act_row_bytes(type, x.size()) / 2);
      quantize_activations(type, x.data(), x.size(), 0, 1, reinterpret_cast<uint8_t*>(got.data()));
      const auto [g, w] = std::mismatch(got.begin(), got.begin() + x.size(), want.begin());
      if (w != want.end()) {
        const size_t i = static_cast<size_t>(w - want.begin());
        ADD_FAILURE() << hwy::TargetName(target) << " " << act_type_name(type) << " float bits 0x"
                      << std::hex << std::bit_cast<uint32_t>(x[i]) << ": got 0x" << *g
                      << ", want 0x" << *w;
      }
    }
  }
  hwy::SetSupportedTargetsForTest(0);
}

TEST(KernelsActivations, RowsLandAtTheirOwnOffsets) {
  const size_t n = 64, tokens = 3;
  const auto x = testing::random_floats(n * tokens, 4);
  const size_t rb = act_row_bytes(ActType::kQ8_0, n);
  EXPECT_EQ(rb % 64, 0u);
  std::vector<uint8_t> all(rb * tokens), one(rb);
  quantize_activations(ActType::kQ8_0, x.data(), n, 0, tokens, all.data());
  quantize_activations(ActType::kQ8_0, x.data() + 2 * n, n, 0, 1, one.data());
  EXPECT_EQ(std::memcmp(all.data() + 2 * rb, one.data(), rb), 0);
}

}  // namespace
}  // namespace engine::kernels
