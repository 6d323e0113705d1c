// The KV cache's row formats: names, sizes, and rows stored as llama.cpp's CPU backend stores them.
#include "engine/kv/kv_type.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "engine/kernels/blocks.h"
#include "engine/kernels/fp16.h"
#include "engine/kernels/quant_ref.h"

namespace engine {
namespace {

std::vector<float> random_row(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 2.0f);
  std::vector<float> x(n);
  for (auto& v : x) v = normal(rng);
  return x;
}

TEST(KvType, NamesAndRowSizes) {
  EXPECT_EQ(kv_type_from_name("f16"), KvType::kF16);
  EXPECT_EQ(kv_type_from_name("q8_0"), KvType::kQ8_0);
  EXPECT_EQ(kv_type_from_name("q4_0"), std::nullopt);
  EXPECT_EQ(kv_type_name(KvType::kQ8_0), "q8_0");
  EXPECT_EQ(kv_row_bytes(KvType::kF16, 72), 144u);
  EXPECT_EQ(kv_row_bytes(KvType::kQ8_0, 128), 136u);
  EXPECT_TRUE(kv_type_fits(KvType::kF16, 20));
  EXPECT_FALSE(kv_type_fits(KvType::kQ8_0, 20));
  EXPECT_THROW(kv_row_bytes(KvType::kQ8_0, 40), std::invalid_argument);
  EXPECT_THROW(require_kv_type_fits(KvType::kQ8_0, 64, 40), std::invalid_argument);
  EXPECT_NO_THROW(require_kv_type_fits(KvType::kQ8_0, 64, 96));
}

TEST(KvType, F16RowsAreRoundedToNearestEven) {
  const auto x = random_row(37, 1);
  std::vector<uint8_t> bytes(kv_row_bytes(KvType::kF16, x.size()));
  kv_store_row(KvType::kF16, x.data(), bytes.data(), x.size());
  std::vector<float> back(x.size());
  kv_load_row(KvType::kF16, bytes.data(), back.data(), x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(back[i], kernels::fp16_to_fp32(kernels::fp32_to_fp16(x[i]))) << i;
  }
}

TEST(KvType, Q8_0RowsAreTheBlocksOfGgmlCpusQuantizer) {
  const auto x = random_row(96, 2);
  std::vector<uint8_t> bytes(kv_row_bytes(KvType::kQ8_0, x.size()));
  kv_store_row(KvType::kQ8_0, x.data(), bytes.data(), x.size());
  std::vector<kernels::BlockQ8_0> want(3);
  kernels::quantize_row_q8_0_act(x.data(), want.data(), x.size());
  ASSERT_EQ(bytes.size(), sizeof(kernels::BlockQ8_0) * want.size());
  EXPECT_EQ(std::memcmp(bytes.data(), want.data(), bytes.size()), 0);

  std::vector<float> back(x.size()), want_back(x.size());
  kv_load_row(KvType::kQ8_0, bytes.data(), back.data(), x.size());
  kernels::dequantize_row_q8_0(want.data(), want_back.data(), x.size());
  EXPECT_EQ(back, want_back);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(back[i], x[i], 0.05f) << i;
}

TEST(KvType, QueriesAreRoundedAsTheirKeysWant) {
  const auto x = random_row(64, 3);
  auto q = x;
  kv_round_query(KvType::kF16, q.data(), q.size());
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(q[i], kernels::fp16_to_fp32(kernels::fp32_to_fp16(x[i])));
  }
  q = x;
  kv_round_query(KvType::kQ8_0, q.data(), q.size());
  std::vector<uint8_t> bytes(kv_row_bytes(KvType::kQ8_0, x.size()));
  std::vector<float> want(x.size());
  kv_store_row(KvType::kQ8_0, x.data(), bytes.data(), x.size());
  kv_load_row(KvType::kQ8_0, bytes.data(), want.data(), x.size());
  EXPECT_EQ(q, want);
  EXPECT_NE(q, x);
}

TEST(KvType, RotationBlocksAreLlamaCppsChoice) {
  EXPECT_EQ(kv_key_rotation(KvType::kF16, 128), 0u);
  EXPECT_EQ(kv_key_rotation(KvType::kQ8_0, 128), 128u);
  EXPECT_EQ(kv_key_rotation(KvType::kQ8_0, 256), 256u);
  EXPECT_EQ(kv_key_rotation(KvType::kQ8_0, 192), 64u);
  EXPECT_EQ(kv_key_rotation(KvType::kQ8_0, 96), 0u);
  EXPECT_EQ(kv_value_rotation(KvType::kQ8_0, 256), 64u);
  EXPECT_EQ(kv_value_rotation(KvType::kQ8_0, 32), 0u);
  EXPECT_EQ(kv_value_rotation(KvType::kF16, 64), 0u);
}

TEST(KvType, HadamardRotationIsTheNormalizedWalshHadamardMatrixPerBlock) {
  // ggml_gen_hadamard's construction: H_1 = [1 / sqrt(n)], H_2s = [[H_s, H_s], [H_s, -H_s]].
  for (size_t block : {size_t{64}, size_t{128}}) {
    std::vector<float> h(block * block);
    h[0] = static_cast<float>(1.0 / std::sqrt(static_cast<float>(block)));
    for (size_t s = 1; s < block; s *= 2) {
      for (size_t i = 0; i < s; ++i) {
        for (size_t j = 0; j < s; ++j) {
          const float v = h[i * block + j];
          h[(i + s) * block + j] = v;
          h[i * block + j + s] = v;
          h[(i + s) * block + j + s] = -v;
        }
      }
    }
    const auto x = random_row(3 * block, 4);
    auto y = x;
    hadamard_rotate(y.data(), y.size(), block);
    for (size_t b = 0; b < 3; ++b) {
      for (size_t i = 0; i < block; ++i) {
        double want = 0.0;
        for (size_t j = 0; j < block; ++j) want += double{h[i * block + j]} * x[b * block + j];
        ASSERT_NEAR(y[b * block + i], want, 1e-5) << block << " " << b << " " << i;
      }
    }
    hadamard_rotate(y.data(), y.size(), block);  // H H = I
    for (size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(y[i], x[i], 1e-5) << i;
  }
  std::vector<float> x(96, 1.0f);
  EXPECT_THROW(hadamard_rotate(x.data(), x.size(), 64), std::invalid_argument);
  EXPECT_THROW(hadamard_rotate(x.data(), x.size(), 48), std::invalid_argument);
  hadamard_rotate(x.data(), x.size(), 0);
  EXPECT_EQ(x, std::vector<float>(96, 1.0f));
}

}  // namespace
}  // namespace engine
