// The reference conversions: fp16/bf16 bit-exact against the hardware converter and hand-checked
// edge cases; quantize -> dequantize error within a named budget per type; block sizes as GGUF's.
#include <immintrin.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/gguf/ggml_type.h"
#include "engine/kernels/fp16.h"
#include "engine/kernels/quant_ref.h"

namespace engine::kernels {
namespace {

__attribute__((target("f16c"))) float hw_fp16_to_fp32(uint16_t h) {
  return _cvtsh_ss(h);
}
__attribute__((target("f16c"))) uint16_t hw_fp32_to_fp16(float f) {
  return static_cast<uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT));
}

bool is_nan_bits(uint32_t u) {
  return (u & 0x7FFFFFFFu) > 0x7F800000u;
}

TEST(KernelsFp16, EveryHalfConvertsToTheFloatTheHardwareGives) {
  if (!__builtin_cpu_supports("f16c")) GTEST_SKIP() << "no F16C on this CPU";
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    const uint32_t ours = std::bit_cast<uint32_t>(fp16_to_fp32(static_cast<uint16_t>(h)));
    const uint32_t hw = std::bit_cast<uint32_t>(hw_fp16_to_fp32(static_cast<uint16_t>(h)));
    ASSERT_EQ(ours, hw) << "half 0x" << std::hex << h;
  }
}

TEST(KernelsFp16, FloatsRoundToNearestEvenHalfAsTheHardwareDoes) {
  if (!__builtin_cpu_supports("f16c")) GTEST_SKIP() << "no F16C on this CPU";
  std::mt19937 rng(7);
  std::vector<uint32_t> bits = {0x00000000u,
                                0x80000000u,
                                0x3F800000u,
                                0x477FE000u /*65504*/,
                                0x477FF000u /*65520: rounds to inf*/,
                                0x477FEFFFu,
                                0x7F800000u,
                                0xFF800000u,
                                0x33800000u /*2^-24*/,
                                0x33000000u /*2^-25 tie*/,
                                0x33000001u,
                                0x387FC000u /*subnormal edge*/,
                                0x38800000u,
                                0x3F801000u /*1 + 2^-11 tie: even*/,
                                0x3F803000u /*tie: odd up*/};
  for (int i = 0; i < 1'000'000; ++i) bits.push_back(static_cast<uint32_t>(rng()));
  // Dense around the fp16 range, where the rounding matters.
  for (uint32_t u = 0x33000000u; u < 0x47800000u; u += 0x1F3) bits.push_back(u);
  for (uint32_t u : bits) {
    const float f = std::bit_cast<float>(u);
    const uint16_t ours = fp32_to_fp16(f);
    if (is_nan_bits(u)) {
      EXPECT_EQ(ours, static_cast<uint16_t>(((u >> 16) & 0x8000u) | 0x7E00u)) << std::hex << u;
    } else {
      ASSERT_EQ(ours, hw_fp32_to_fp16(f)) << "float bits 0x" << std::hex << u;
    }
  }
}

TEST(KernelsBf16, RoundsToNearestEvenAndQuietsNans) {
  EXPECT_EQ(fp32_to_bf16(1.0f), 0x3F80);
  EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0x3F808000u)), 0x3F80);  // tie, even stays
  EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0x3F818000u)), 0x3F82);  // tie, odd rounds up
  EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0x3F808001u)), 0x3F81);  // above tie
  EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0x7F7FFFFFu)), 0x7F80);  // max float -> inf
  EXPECT_EQ(fp32_to_bf16(-INFINITY), 0xFF80);
  EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0x00000001u)), 0x0000);  // tiny subnormal
  EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0x00018000u)), 0x0002);  // subnormal tie, odd up
  EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0x7F800001u)), 0x7FC0);  // signalling NaN quietened
  EXPECT_EQ(fp32_to_bf16(std::bit_cast<float>(0xFFC12345u)), 0xFFC1);  // quiet NaN keeps payload
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    const float f = bf16_to_fp32(static_cast<uint16_t>(h));
    ASSERT_EQ(std::bit_cast<uint32_t>(f), h << 16);
    if (!is_nan_bits(h << 16)) {
      ASSERT_EQ(fp32_to_bf16(f), h);  // exact values survive a round trip
    }
  }
}

TEST(KernelsQuantRef, NearestIntRoundsTiesToEven) {
  EXPECT_EQ(nearest_int(0.5f), 0);
  EXPECT_EQ(nearest_int(1.5f), 2);
  EXPECT_EQ(nearest_int(2.5f), 2);
  EXPECT_EQ(nearest_int(-0.5f), 0);
  EXPECT_EQ(nearest_int(-1.5f), -2);
  EXPECT_EQ(nearest_int(-2.4f), -2);
  EXPECT_EQ(nearest_int(126.6f), 127);
}

TEST(KernelsQuantRef, BlockSizesMatchTheGgufLayouts) {
  auto bytes = [](GgmlType t) { return ggml_type_layout(static_cast<uint32_t>(t))->block_bytes; };
  auto elems = [](GgmlType t) { return ggml_type_layout(static_cast<uint32_t>(t))->block_elems; };
  EXPECT_EQ(sizeof(BlockQ4_0), bytes(GgmlType::Q4_0));
  EXPECT_EQ(sizeof(BlockQ8_0), bytes(GgmlType::Q8_0));
  EXPECT_EQ(sizeof(BlockQ4K), bytes(GgmlType::Q4_K));
  EXPECT_EQ(sizeof(BlockQ5K), bytes(GgmlType::Q5_K));
  EXPECT_EQ(sizeof(BlockQ6K), bytes(GgmlType::Q6_K));
  EXPECT_EQ(sizeof(BlockQ8K), bytes(GgmlType::Q8_K));
  EXPECT_EQ(kQK4_0, elems(GgmlType::Q4_0));
  EXPECT_EQ(kQK8_0, elems(GgmlType::Q8_0));
  EXPECT_EQ(kQK_K, elems(GgmlType::Q4_K));
}

// Two inputs: ggml's test-quantize-fns signal (0.1 + 2 cos(i)) and Gaussian noise with outliers,
// as trained weights look.
std::vector<float> test_signal(size_t n, int kind) {
  std::vector<float> x(n);
  std::mt19937 rng(1234);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  for (size_t i = 0; i < n; ++i) {
    x[i] = kind == 0 ? 0.1f + 2 * std::cos(static_cast<float>(i)) : normal(rng);
  }
  if (kind == 1) {
    for (size_t i = 0; i < n; i += 97) x[i] *= 8;
  }
  return x;
}

// Relative RMS error of a round trip: ||x - dq(q(x))|| / ||x||.
template <typename Block, typename Quantize, typename Dequantize>
double round_trip_error(const std::vector<float>& x, Quantize quantize, Dequantize dequantize,
                        size_t block_elems) {
  std::vector<Block> q(x.size() / block_elems);
  std::vector<float> y(x.size());
  quantize(x.data(), q.data(), x.size());
  dequantize(q.data(), y.data(), x.size());
  double err = 0, ref = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    err += (x[i] - y[i]) * static_cast<double>(x[i] - y[i]);
    ref += x[i] * static_cast<double>(x[i]);
  }
  return std::sqrt(err / ref);
}

// Budgets: relative RMS error of quantize -> dequantize, about 1.3x what ggml's algorithms give on
// these inputs (a bug in bit packing or scales gives errors of order 1).
struct Budget {
  double cosine_signal;
  double gaussian;
};
constexpr Budget kF16Budget{0.0003, 0.0003};
constexpr Budget kBf16Budget{0.0025, 0.003};
constexpr Budget kQ8_0Budget{0.005, 0.012};
constexpr Budget kQ4_0Budget{0.07, 0.19};
constexpr Budget kQ4KBudget{0.06, 0.12};
constexpr Budget kQ5KBudget{0.032, 0.062};
constexpr Budget kQ6KBudget{0.016, 0.036};
constexpr Budget kQ8KBudget{0.005, 0.028};  // one scale per 256: outliers cost more than in Q8_0

template <typename Block, typename Quantize, typename Dequantize>
void expect_round_trip_within(const char* name, Budget budget, Quantize quantize,
                              Dequantize dequantize, size_t block_elems) {
  for (int kind : {0, 1}) {
    const auto x = test_signal(4096, kind);
    const double err = round_trip_error<Block>(x, quantize, dequantize, block_elems);
    const double limit = kind == 0 ? budget.cosine_signal : budget.gaussian;
    EXPECT_LT(err, limit) << name << " on " << (kind == 0 ? "cosine" : "gaussian") << " input";
    EXPECT_GT(err, 0.0) << name << " round trip is suspiciously exact";
  }
}

TEST(KernelsQuantRef, RoundTripErrorsAreWithinBudget) {
  expect_round_trip_within<uint16_t>("f16", kF16Budget, quantize_row_f16_ref, dequantize_row_f16,
                                     1);
  expect_round_trip_within<uint16_t>("bf16", kBf16Budget, quantize_row_bf16_ref,
                                     dequantize_row_bf16, 1);
  expect_round_trip_within<BlockQ8_0>("q8_0", kQ8_0Budget, quantize_row_q8_0_ref,
                                      dequantize_row_q8_0, kQK8_0);
  expect_round_trip_within<BlockQ8_0>("q8_0 act", kQ8_0Budget, quantize_row_q8_0_act,
                                      dequantize_row_q8_0, kQK8_0);
  expect_round_trip_within<BlockQ4_0>("q4_0", kQ4_0Budget, quantize_row_q4_0_ref,
                                      dequantize_row_q4_0, kQK4_0);
  expect_round_trip_within<BlockQ4K>("q4_K", kQ4KBudget, quantize_row_q4_K_ref, dequantize_row_q4_K,
                                     kQK_K);
  expect_round_trip_within<BlockQ5K>("q5_K", kQ5KBudget, quantize_row_q5_K_ref, dequantize_row_q5_K,
                                     kQK_K);
  expect_round_trip_within<BlockQ6K>("q6_K", kQ6KBudget, quantize_row_q6_K_ref, dequantize_row_q6_K,
                                     kQK_K);
  expect_round_trip_within<BlockQ8K>("q8_K", kQ8KBudget, quantize_row_q8_K_ref, dequantize_row_q8_K,
                                     kQK_K);
}

// The input of tests/data/kernels/ggml_quant_golden.txt (see the README there).
std::vector<float> ggml_golden_input() {
  constexpr size_t n = 512;
  std::vector<float> x(n);
  uint32_t s = 2463534242u;
  for (size_t i = 0; i < n; ++i) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    x[i] = static_cast<float>(static_cast<int>(s % 20001u) - 10000) * 0.0001f *
           (i % 61 == 0 ? 8.0f : 1.0f);
  }
  for (size_t i = n - 32; i < n; ++i)
    x[i] = static_cast<float>(static_cast<int>(i % 16) * 2 - 15) * 0.5f;
  x[n - 32] = 127.0f;  // scale 1: the half-integers above are exact ties
  return x;
}

std::map<std::string, std::string> read_golden() {
  std::ifstream in(std::string(AL_SOURCE_DIR) + "/tests/data/kernels/ggml_quant_golden.txt");
  std::map<std::string, std::string> lines;
  std::string name, hex;
  while (in >> name >> hex) lines[name] = hex;
  return lines;
}

template <typename Block>
std::string quantized_hex(void (*quantize)(const float*, Block*, size_t),
                          const std::vector<float>& x, size_t block_elems) {
  std::vector<Block> q(x.size() / block_elems);
  quantize(x.data(), q.data(), x.size());
  std::string hex;
  const auto* bytes = reinterpret_cast<const uint8_t*>(q.data());
  for (size_t i = 0; i < q.size() * sizeof(Block); ++i) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[bytes[i] >> 4];
    hex += kDigits[bytes[i] & 15];
  }
  return hex;
}

TEST(KernelsQuantRef, QuantizersReproduceGgmlsBytes) {
  const auto golden = read_golden();
  ASSERT_EQ(golden.size(), 7u) << "tests/data/kernels/ggml_quant_golden.txt missing or short";
  const auto x = ggml_golden_input();
  EXPECT_EQ(quantized_hex(quantize_row_q4_0_ref, x, kQK4_0), golden.at("q4_0"));
  EXPECT_EQ(quantized_hex(quantize_row_q8_0_ref, x, kQK8_0), golden.at("q8_0"));
  EXPECT_EQ(quantized_hex(quantize_row_q8_0_act, x, kQK8_0), golden.at("q8_0_act"));
  EXPECT_EQ(quantized_hex(quantize_row_q4_K_ref, x, kQK_K), golden.at("q4_K"));
  EXPECT_EQ(quantized_hex(quantize_row_q5_K_ref, x, kQK_K), golden.at("q5_K"));
  EXPECT_EQ(quantized_hex(quantize_row_q6_K_ref, x, kQK_K), golden.at("q6_K"));
  EXPECT_EQ(quantized_hex(quantize_row_q8_K_ref, x, kQK_K), golden.at("q8_K"));
  EXPECT_NE(golden.at("q8_0"), golden.at("q8_0_act")) << "the input must contain rounding ties";
}

TEST(KernelsQuantRef, Q8KBlockSumsAreTheSumsOfTheQuants) {
  const auto x = test_signal(2 * kQK_K, 1);
  std::vector<BlockQ8K> q(2);
  quantize_row_q8_K_ref(x.data(), q.data(), x.size());
  for (const auto& b : q) {
    for (size_t g = 0; g < kQK_K / 16; ++g) {
      int sum = 0;
      for (size_t j = 0; j < 16; ++j) sum += b.qs[16 * g + j];
      EXPECT_EQ(b.bsums[g], sum);
    }
  }
}

TEST(KernelsQuantRef, ActivationQ8_0RoundsTiesToEvenWhereTheReferenceRoundsAway) {
  // amax = 127 makes both scales 1, so 2.5 is an exact tie: ggml's AVX path gives 2, roundf 3.
  std::vector<float> x(kQK8_0, 1.0f);
  x[0] = 127.0f;
  x[1] = 2.5f;
  x[2] = -3.5f;
  BlockQ8_0 act{}, ref{};
  quantize_row_q8_0_act(x.data(), &act, kQK8_0);
  quantize_row_q8_0_ref(x.data(), &ref, kQK8_0);
  EXPECT_EQ(act.qs[0], 127);
  EXPECT_EQ(act.qs[1], 2);
  EXPECT_EQ(ref.qs[1], 3);
  EXPECT_EQ(act.qs[2], -4);
  EXPECT_EQ(act.d, fp32_to_fp16(1.0f));
}

TEST(KernelsQuantRef, AllZeroBlocksQuantizeToZero) {
  std::vector<float> x(kQK_K, 0.0f), y(kQK_K, 1.0f);
  std::vector<BlockQ4K> q4(1);
  quantize_row_q4_K_ref(x.data(), q4.data(), kQK_K);
  dequantize_row_q4_K(q4.data(), y.data(), kQK_K);
  for (float v : y) EXPECT_EQ(v, 0.0f);
  std::vector<BlockQ6K> q6(1);
  quantize_row_q6_K_ref(x.data(), q6.data(), kQK_K);
  dequantize_row_q6_K(q6.data(), y.data(), kQK_K);
  for (float v : y) EXPECT_EQ(v, 0.0f);
  std::vector<BlockQ8K> q8(1);
  quantize_row_q8_K_ref(x.data(), q8.data(), kQK_K);
  EXPECT_EQ(q8[0].d, 0.0f);
  for (int16_t s : q8[0].bsums) EXPECT_EQ(s, 0);
}

}  // namespace
}  // namespace engine::kernels
