// matmul() on every weight type against the float reference (dequantized weights, float x, double
// sums), the SIMD paths against the scalar reference path, and the API's error handling. Shapes
// sweep odd row counts, one to several blocks, and token counts around the tile (4) and chunk (64)
// sizes; pointers are misaligned on purpose.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/kernels/blocks.h"
#include "engine/kernels/check.h"
#include "engine/kernels/cpu/x86/x86_kernels.h"
#include "engine/kernels/matmul.h"
#include "engine/kernels/thread_pool.h"
#include "engine/kernels/weight_type.h"
#include "hwy/targets.h"
#include "kernels_test_util.h"

namespace engine::kernels {
namespace {

using testing::random_floats;
using testing::random_weight;

// How far an activation element may move when x is converted to the activation type: half a
// quantization step (the step's own fp16 rounding included), or the float type's half ulp.
std::vector<double> activation_error_bounds(ActType type, const float* x, size_t n) {
  std::vector<double> e(n, 0.0);
  const size_t be = act_block_elems(type);
  for (size_t b = 0; b < n; b += be) {
    double amax = 0;
    for (size_t i = b; i < std::min(n, b + be); ++i) amax = std::max(amax, std::abs(double{x[i]}));
    for (size_t i = b; i < std::min(n, b + be); ++i) {
      const double ax = std::abs(double{x[i]});
      switch (type) {
        case ActType::kF32:
          e[i] = 0;
          break;
        case ActType::kF16:
          e[i] = ax * 0x1p-11 + 0x1p-25;
          break;
        case ActType::kBF16:
          e[i] = ax * 0x1p-8;
          break;
        case ActType::kQ8_0:
          e[i] = amax / 127 * (0.5 + 127 * 0x1p-11);
          break;
        case ActType::kQ8_K:
          e[i] = amax / 127 * 0.5 * (1 + 1e-5);
          break;
      }
    }
  }
  return e;
}

constexpr GgmlType kAllTypes[] = {GgmlType::F32,  GgmlType::F16,  GgmlType::BF16, GgmlType::Q8_0,
                                  GgmlType::Q4_0, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K};

struct Problem {
  GgmlType type;
  size_t n_out, n_in, n_tokens;
  std::vector<uint8_t> w;     // GGUF bytes
  std::vector<float> x;       // [n_tokens, n_in]
  std::vector<double> exact;  // [n_tokens, n_out], dequantized weights . x
  std::vector<double> bound;  // [n_tokens, n_out], how far a correct result may be from exact

  Problem(GgmlType t, size_t out, size_t in, size_t tokens, uint32_t seed)
      : type(t), n_out(out), n_in(in), n_tokens(tokens) {
    w = random_weight(t, out, in, seed);
    x = random_floats(tokens * in, seed + 1);
    const auto& traits = weight_type(t);
    const size_t rb = row_bytes(traits, in);
    std::vector<float> row(in);
    exact.assign(tokens * out, 0.0);
    bound.assign(tokens * out, 0.0);
    std::vector<std::vector<double>> act_err;
    for (size_t tk = 0; tk < tokens; ++tk) {
      act_err.push_back(activation_error_bounds(traits.act_type, x.data() + tk * in, in));
    }
    for (size_t r = 0; r < out; ++r) {
      traits.dequantize_row(w.data() + r * rb, row.data(), in);
      for (size_t tk = 0; tk < tokens; ++tk) {
        double s = 0, abs_sum = 0, err = 0;
        for (size_t i = 0; i < in; ++i) {
          s += static_cast<double>(row[i]) * x[tk * in + i];
          abs_sum += std::abs(static_cast<double>(row[i]) * x[tk * in + i]);
          err += std::abs(double{row[i]}) * act_err[tk][i];
        }
        exact[tk * out + r] = s;
        // Plus float rounding of the sums (relative to the sum of magnitudes).
        bound[tk * out + r] = err * 1.001 + 1e-5 * abs_sum + 1e-30;
      }
    }
  }

  // Runs matmul with x and y at a misaligned offset (one float) from their allocations.
  std::vector<float> run(const PreparedWeight& pw, ThreadPool& pool) const {
    std::vector<float> xs(x.size() + 1), ys(n_tokens * n_out + 1, NAN);
    std::copy(x.begin(), x.end(), xs.begin() + 1);
    matmul(pw, xs.data() + 1, n_tokens, ys.data() + 1, pool);
    return {ys.begin() + 1, ys.end()};
  }

  double rms_exact() const {
    double s = 0;
    for (double v : exact) s += v * v;
    return std::sqrt(s / static_cast<double>(exact.size()));
  }
};

std::string describe(const Problem& p) {
  return std::string(ggml_type_name(p.type)) + " " + std::to_string(p.n_out) + "x" +
         std::to_string(p.n_in) + " tokens " + std::to_string(p.n_tokens);
}

// Every output within its bound of the float reference.
void expect_near_exact(const Problem& p, const std::vector<float>& y, const std::string& what) {
  for (size_t i = 0; i < y.size(); ++i) {
    ASSERT_TRUE(std::isfinite(y[i])) << what << " " << describe(p) << " output " << i;
    ASSERT_LE(std::abs(y[i] - p.exact[i]), p.bound[i])
        << what << " " << describe(p) << " output " << i;
  }
}

// Two kernel paths that compute the same integer sums may differ only in float rounding.
void expect_close(const Problem& p, const std::vector<float>& a, const std::vector<float>& b,
                  const std::string& what) {
  const double tol = 2e-5 * p.rms_exact() + 1e-7;
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_NEAR(a[i], b[i], tol) << what << " " << describe(p) << " output " << i;
  }
}

std::vector<size_t> row_counts() {
  return {1, 3, 4, 5, 8, 13};
}
std::vector<size_t> token_counts() {
  return {1, 2, 3, 4, 5, 9, 67};
}
size_t n_in_for(GgmlType type, size_t blocks) {
  const size_t be = weight_type(type).block_elems;
  return be == 1 ? 8 * blocks + 3 : be * blocks;  // float types: not a multiple of any vector
}

TEST(KernelsMatmul, ReferencePathMatchesTheFloatReference) {
  ThreadPool pool(2);
  for (GgmlType type : kAllTypes) {
    for (size_t blocks : {1, 3}) {
      for (size_t n_out : {1, 5, 8}) {
        for (size_t n_tokens : {1, 3}) {
          Problem p(type, n_out, n_in_for(type, blocks), n_tokens, 11);
          auto pw = PreparedWeight::prepare(type, p.w, n_out, p.n_in,
                                            {.repack = false, .path = KernelPath::kReference});
          expect_near_exact(p, p.run(pw, pool), "reference");
        }
      }
    }
  }
}

// The x86 levels this CPU runs (every level in unit_kernels_x86_emulated, whose intrinsics are
// emulated), each as the cap of the tiles picked while it lives.
std::vector<x86::X86Level> x86_levels() {
  std::vector<x86::X86Level> levels;
  for (auto level :
       {x86::X86Level::kAvx2, x86::X86Level::kAvx512Vnni, x86::X86Level::kAvx512Bf16}) {
    if (level <= x86::x86_cpu_level()) levels.push_back(level);
  }
  return levels;
}
struct X86LevelCap {
  explicit X86LevelCap(x86::X86Level level) { x86::cap_x86_level_for_test(level); }
  ~X86LevelCap() { x86::cap_x86_level_for_test(x86::kX86LevelUncapped); }
};

TEST(KernelsMatmul, SimdPathsMatchTheReferencePathOnEveryShape) {
  ThreadPool pool(2);
  for (x86::X86Level level : x86_levels()) {
    const X86LevelCap cap(level);
    const std::string at = "x86 level " + std::to_string(static_cast<int>(level)) + ": ";
    for (GgmlType type : kAllTypes) {
      const auto& traits = weight_type(type);
      if (traits.simd_tile == nullptr || traits.simd_tile() == nullptr) {
        GTEST_LOG_(INFO) << "no SIMD kernel for " << traits.name << " on this CPU";
        continue;
      }
      for (size_t blocks : {1, 3}) {
        for (size_t n_out : row_counts()) {
          for (size_t n_tokens : token_counts()) {
            Problem p(type, n_out, n_in_for(type, blocks), n_tokens, 100 + n_out + n_tokens);
            auto ref = PreparedWeight::prepare(type, p.w, n_out, p.n_in,
                                               {.repack = false, .path = KernelPath::kReference});
            auto simd = PreparedWeight::prepare(type, p.w, n_out, p.n_in,
                                                {.repack = true, .path = KernelPath::kSimd});
            auto simd_raw = PreparedWeight::prepare(type, p.w, n_out, p.n_in,
                                                    {.repack = false, .path = KernelPath::kSimd});
            ASSERT_TRUE(simd.uses_simd());
            const auto y_ref = p.run(ref, pool);
            const auto y_simd = p.run(simd, pool);
            expect_close(p, y_simd, y_ref, at + "simd vs reference");
            // The borrowed GGUF layout runs the four-row kernels, the repacked one the x8 units.
            expect_close(p, p.run(simd_raw, pool), y_ref, at + "simd borrowed vs reference");
            if (::testing::Test::HasFatalFailure()) return;
          }
        }
      }
    }
  }
}

TEST(KernelsMatmul, TheX86LevelPicksTheTiles) {
  const auto& q8 = weight_type(GgmlType::Q8_0);
  const auto& q4k = weight_type(GgmlType::Q4_K);
  for (x86::X86Level level : x86_levels()) {
    const X86LevelCap cap(level);
    const bool vnni = level >= x86::X86Level::kAvx512Vnni;
    EXPECT_EQ(q8.simd_tile(), vnni ? x86::tile_q8_0_vnni : x86::tile_q8_0_avx2);
    EXPECT_EQ(q4k.simd_tile(), vnni ? x86::tile_q4k_vnni : x86::tile_q4k_avx2);
    const bool bf16 = level == x86::X86Level::kAvx512Bf16;
    EXPECT_EQ(weight_type(GgmlType::BF16).simd_tile() == x86::tile_bf16_dpbf16, bf16);
  }
  const X86LevelCap none(x86::X86Level::kNone);
  EXPECT_EQ(q8.simd_tile(), nullptr);
  EXPECT_THROW(PreparedWeight::prepare(GgmlType::Q8_0, std::vector<uint8_t>(34), 1, 32,
                                       {.path = KernelPath::kSimd}),
               KernelError);
}

TEST(KernelsMatmul, EveryHighwayTargetOfTheFloatTilesMatchesTheReference) {
  ThreadPool pool(1);
  const X86LevelCap highway_bf16(x86::X86Level::kAvx512Vnni);  // BF16's Highway tile, not vdpbf16ps
  for (int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    for (GgmlType type : {GgmlType::F32, GgmlType::F16, GgmlType::BF16}) {
      for (size_t n_in : {1, 7, 8, 9, 31, 64, 133}) {
        for (size_t n_tokens : {1, 2, 3}) {
          Problem p(type, 5, n_in, n_tokens, static_cast<uint32_t>(n_in));
          auto ref = PreparedWeight::prepare(type, p.w, 5, n_in, {.path = KernelPath::kReference});
          auto simd = PreparedWeight::prepare(type, p.w, 5, n_in, {.path = KernelPath::kSimd});
          expect_close(p, p.run(simd, pool), p.run(ref, pool),
                       std::string("target ") + hwy::TargetName(target));
        }
      }
    }
  }
  hwy::SetSupportedTargetsForTest(0);
}

// BF16 rows around the 32 elements of a vdpbf16ps vector (whole vectors, a tail, both), every
// token count of the 4-token tile, at each level (the AVX-512 BF16 one where it runs).
TEST(KernelsMatmul, Bf16TilesMatchTheReferenceAroundTheirVectorWidth) {
  ThreadPool pool(2);
  for (x86::X86Level level : x86_levels()) {
    const X86LevelCap cap(level);
    for (size_t n_in : {31, 32, 33, 64, 100, 257}) {
      for (size_t n_tokens : {1, 2, 3, 4, 7}) {
        Problem p(GgmlType::BF16, 6, n_in, n_tokens, static_cast<uint32_t>(n_in + n_tokens));
        auto ref =
            PreparedWeight::prepare(GgmlType::BF16, p.w, 6, n_in, {.path = KernelPath::kReference});
        auto simd =
            PreparedWeight::prepare(GgmlType::BF16, p.w, 6, n_in, {.path = KernelPath::kSimd});
        expect_close(p, p.run(simd, pool), p.run(ref, pool),
                     "x86 level " + std::to_string(static_cast<int>(level)));
        expect_near_exact(p, p.run(simd, pool), "x86 level bf16 vs exact");
      }
    }
  }
}

TEST(KernelsMatmul, ResultsDoNotDependOnTheThreadCount) {
  ThreadPool one(1), three(3);
  for (GgmlType type : {GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::F16}) {
    Problem p(type, 61, n_in_for(type, 2), 70, 5);
    auto pw = PreparedWeight::prepare(type, p.w, p.n_out, p.n_in);
    const auto y1 = p.run(pw, one);
    EXPECT_EQ(p.run(pw, three), y1) << describe(p);
    EXPECT_EQ(p.run(pw, three), y1) << describe(p) << " (second run)";
  }
}

// One job over weights of different types (q8_0, q4_K and f16 activations, two of one type) gives
// each output exactly what its own matmul() gives, for decode and prefill token counts.
TEST(KernelsMatmul, SharedInputMatchesSeparateCalls) {
  ThreadPool pool(3);
  const size_t n_in = 512;
  const GgmlType types[] = {GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::F16, GgmlType::Q6_K};
  const size_t n_outs[] = {37, 64, 9, 130};
  for (size_t n_tokens : {1, 3, 70}) {
    const auto x = random_floats(n_tokens * n_in, 40 + static_cast<uint32_t>(n_tokens));
    std::vector<std::vector<uint8_t>> bytes;  // weights that are not repacked borrow these
    std::vector<PreparedWeight> ws;
    std::vector<std::vector<float>> want, got;
    std::vector<MatmulTarget> targets;
    for (size_t i = 0; i < 4; ++i) {
      bytes.push_back(random_weight(types[i], n_outs[i], n_in, 50 + static_cast<uint32_t>(i)));
    }
    for (size_t i = 0; i < 4; ++i) {
      ws.push_back(PreparedWeight::prepare(types[i], bytes[i], n_outs[i], n_in));
      want.emplace_back(n_tokens * n_outs[i]);
      got.emplace_back(n_tokens * n_outs[i], NAN);
      matmul(ws.back(), x.data(), n_tokens, want.back().data(), pool);
    }
    for (size_t i = 0; i < 4; ++i) targets.push_back({&ws[i], got[i].data()});
    matmul_shared(targets, x.data(), n_tokens, pool);
    for (size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(got[i], want[i]) << weight_type(types[i]).name << " tokens " << n_tokens;
    }
  }
}

TEST(KernelsMatmul, SharedInputNeedsOneInputSize) {
  ThreadPool pool(1);
  const auto bytes_a = random_weight(GgmlType::F32, 4, 32, 1);
  const auto bytes_b = random_weight(GgmlType::F32, 4, 64, 2);
  const auto a = PreparedWeight::prepare(GgmlType::F32, bytes_a, 4, 32);
  const auto b = PreparedWeight::prepare(GgmlType::F32, bytes_b, 4, 64);
  std::vector<float> x(64, 1.0f), ya(4), yb(4);
  const MatmulTarget targets[] = {{&a, ya.data()}, {&b, yb.data()}};
  EXPECT_THROW(matmul_shared(targets, x.data(), 1, pool), KernelError);
}

TEST(KernelsMatmul, Q8_0WeightsOfMinus128AreExact) {
  // ggml's quantizer never writes -128 into a Q8_0 block, but a file may hold it: AVX2's sign
  // trick must still give the right product (|-128| = 128 as an unsigned byte), VNNI's bias too
  // (-128 + 128 = 0).
  Problem p(GgmlType::Q8_0, 13, 64, 5, 21);
  for (size_t r = 0; r < p.n_out; ++r) {
    auto* blocks = reinterpret_cast<BlockQ8_0*>(p.w.data() + r * 2 * sizeof(BlockQ8_0));
    blocks[0].qs[r % 32] = -128;
    blocks[1].qs[(r * 7) % 32] = -128;
  }
  ThreadPool pool(2);
  auto ref = PreparedWeight::prepare(GgmlType::Q8_0, p.w, p.n_out, p.n_in,
                                     {.repack = false, .path = KernelPath::kReference});
  const auto y_ref = p.run(ref, pool);
  for (x86::X86Level level : x86_levels()) {
    const X86LevelCap cap(level);
    for (bool repack : {true, false}) {
      auto pw = PreparedWeight::prepare(GgmlType::Q8_0, p.w, p.n_out, p.n_in, {.repack = repack});
      expect_close(p, p.run(pw, pool), y_ref, repack ? "repacked" : "borrowed");
    }
  }
}

TEST(KernelsMatmul, WeightsAtAnOddAddressWork) {
  // GGUF aligns tensors, but bytes from elsewhere may sit anywhere: borrowing them would read
  // fp16 and float fields misaligned, so prepare() copies them.
  for (GgmlType type : {GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_K, GgmlType::Q6_K,
                        GgmlType::F16, GgmlType::F32}) {
    Problem p(type, 9, n_in_for(type, 1), 3, 17);
    std::vector<uint8_t> shifted(p.w.size() + 1);
    std::copy(p.w.begin(), p.w.end(), shifted.begin() + 1);
    const std::span<const uint8_t> odd(shifted.data() + 1, p.w.size());
    ThreadPool pool(2);
    auto ref = PreparedWeight::prepare(type, p.w, p.n_out, p.n_in,
                                       {.repack = false, .path = KernelPath::kReference});
    auto pw = PreparedWeight::prepare(type, odd, p.n_out, p.n_in, {.repack = false});
    EXPECT_EQ(pw.owned_bytes(), p.w.size()) << describe(p);
    expect_close(p, p.run(pw, pool), p.run(ref, pool), "odd address");
    auto repacked = PreparedWeight::prepare(type, odd, p.n_out, p.n_in, {.repack = true});
    expect_close(p, p.run(repacked, pool), p.run(ref, pool), "odd address, repacked");
  }
}

TEST(KernelsMatmul, ZeroTokensWriteNothing) {
  Problem p(GgmlType::Q4_K, 8, 256, 1, 2);
  auto pw = PreparedWeight::prepare(GgmlType::Q4_K, p.w, 8, 256);
  ThreadPool pool(2);
  std::vector<float> y(8, 42.0f);
  matmul(pw, p.x.data(), 0, y.data(), pool);
  EXPECT_EQ(y, std::vector<float>(8, 42.0f));
}

TEST(KernelsMatmul, PreparedWeightsReportTheirMemory) {
  Problem p(GgmlType::Q8_0, 8, 64, 1, 3);
  auto repacked = PreparedWeight::prepare(GgmlType::Q8_0, p.w, 8, 64, {.repack = true});
  auto borrowed = PreparedWeight::prepare(GgmlType::Q8_0, p.w, 8, 64, {.repack = false});
  EXPECT_EQ(borrowed.owned_bytes(), 0u);
  EXPECT_EQ(borrowed.weight_bytes(), p.w.size());
  if (repacked.uses_simd()) {
    EXPECT_TRUE(repacked.repacked());
    EXPECT_EQ(repacked.owned_bytes(), p.w.size());
  }
}

TEST(KernelsMatmul, BadInputGivesClearErrors) {
  std::vector<uint8_t> bytes(34 * 2);
  try {
    (void)PreparedWeight::prepare(GgmlType::Q2_K, bytes, 1, 256);
    FAIL() << "q2_K accepted";
  } catch (const KernelError& e) {
    EXPECT_NE(std::string(e.what()).find("q2_K"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("q4_K"), std::string::npos)
        << e.what();  // lists supported
  }
  try {
    (void)PreparedWeight::prepare(GgmlType::Q8_0, bytes, 1, 48);
    FAIL() << "48 columns of q8_0 accepted";
  } catch (const KernelError& e) {
    EXPECT_NE(std::string(e.what()).find("multiple of 32"), std::string::npos) << e.what();
  }
  try {
    (void)PreparedWeight::prepare(GgmlType::Q8_0, bytes, 3, 32);
    FAIL() << "short bytes accepted";
  } catch (const KernelError& e) {
    EXPECT_NE(std::string(e.what()).find("takes 102 bytes, got 68"), std::string::npos) << e.what();
  }
  float out[32];
  EXPECT_THROW(dequantize_row(GgmlType::Q8_0, std::span(bytes).first(10), out, 32), KernelError);
}

TEST(KernelsMatmul, DequantizeRowMatchesTheTableEntry) {
  Problem p(GgmlType::Q6_K, 2, 256, 1, 9);
  std::vector<float> a(256), b(256);
  dequantize_row(GgmlType::Q6_K, std::span(p.w).subspan(210), a.data(), 256);
  weight_type(GgmlType::Q6_K).dequantize_row(p.w.data() + 210, b.data(), 256);
  EXPECT_EQ(a, b);
  EXPECT_NE(a[0], 0.0f);
}

}  // namespace
}  // namespace engine::kernels
