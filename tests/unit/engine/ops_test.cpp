#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "engine/kernels/fp16.h"
#include "engine/ops/attention.h"
#include "engine/ops/ops.h"
#include "engine/ops/rope.h"
#include "hwy/highway.h"

namespace engine::ops {
namespace {

std::vector<float> random_floats(size_t n, uint32_t seed, float sigma = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, sigma);
  std::vector<float> v(n);
  for (auto& x : v) {
    x = normal(rng);
    if (x == 0.0f) x = 0.01f;
  }
  return v;
}

// Runs `check` once per Highway target this CPU runs, with dispatch forced to that target.
template <typename Fn>
void for_each_target(Fn&& check) {
  for (int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    check(std::string(hwy::TargetName(target)));
  }
  hwy::SetSupportedTargetsForTest(0);
}

TEST(Ops, RmsNormMatchesTheReference) {
  for_each_target([](const std::string& target) {
    for (size_t n : {1, 7, 8, 33, 1024, 1031}) {
      auto x = random_floats(n, 1 + n), w = random_floats(n, 2 + n);
      std::vector<float> y(n), want(n);
      rms_norm(x.data(), w.data(), y.data(), n, 1e-6f);
      ref::rms_norm(x.data(), w.data(), want.data(), n, 1e-6f);
      for (size_t i = 0; i < n; ++i)
        ASSERT_NEAR(y[i], want[i], 1e-6f * std::abs(want[i]) + 1e-7f) << target << " n=" << n;
      rms_norm(x.data(), w.data(), x.data(), n, 1e-6f);  // in place
      EXPECT_EQ(x, y) << target;
    }
  });
}

TEST(Ops, RmsNormOfAKnownRow) {
  // x = (3, 4): mean square 12.5, so y = x / sqrt(12.5) * w.
  std::vector<float> x = {3.0f, 4.0f}, w = {1.0f, 2.0f}, y(2);
  rms_norm(x.data(), w.data(), y.data(), 2, 0.0f);
  EXPECT_NEAR(y[0], 3.0f / std::sqrt(12.5f), 1e-6f);
  EXPECT_NEAR(y[1], 8.0f / std::sqrt(12.5f), 1e-6f);
}

TEST(Ops, SwigluMatchesTheReference) {
  for_each_target([](const std::string& target) {
    for (size_t n : {1, 5, 16, 3072, 3077}) {
      auto g = random_floats(n, 3 + n, 4.0f), u = random_floats(n, 4 + n);
      std::vector<float> y(n), want(n);
      swiglu(g.data(), u.data(), y.data(), n);
      ref::swiglu(g.data(), u.data(), want.data(), n);
      for (size_t i = 0; i < n; ++i)
        ASSERT_NEAR(y[i], want[i], 2e-6f * std::abs(want[i]) + 1e-7f) << target;
    }
  });
}

TEST(Ops, SiluMatchesTheReference) {
  for_each_target([](const std::string& target) {
    for (size_t n : {1, 5, 16, 3077}) {
      auto x = random_floats(n, 7 + n, 4.0f);
      std::vector<float> want(n);
      ref::silu(x.data(), want.data(), n);
      silu(x.data(), x.data(), n);  // in place, as the convolution uses it
      for (size_t i = 0; i < n; ++i)
        ASSERT_NEAR(x[i], want[i], 2e-6f * std::abs(want[i]) + 1e-7f) << target << " n " << n;
    }
  });
}

TEST(Ops, AddAndFp16Conversions) {
  for_each_target([](const std::string& target) {
    for (size_t n : {1, 9, 64, 71}) {
      auto x = random_floats(n, 5 + n), y = random_floats(n, 6 + n);
      auto sum = y;
      add(sum.data(), x.data(), n);
      std::vector<uint16_t> h(n);
      to_fp16(x.data(), h.data(), n);
      auto rounded = x;
      round_to_fp16(rounded.data(), n);
      for (size_t i = 0; i < n; ++i) {
        EXPECT_EQ(sum[i], y[i] + x[i]) << target;
        EXPECT_EQ(h[i], kernels::fp32_to_fp16(x[i])) << target << " " << x[i];
        EXPECT_EQ(rounded[i], kernels::fp16_to_fp32(h[i])) << target;
      }
    }
  });
}

TEST(Rope, PositionZeroIsTheIdentity) {
  Rope rope({.mode = RopeMode::kNeox, .n_rot = 8, .freq_factors = {}});
  auto x = random_floats(16, 7);
  auto y = x;
  rope.apply(y.data(), 2, 8, 0);
  EXPECT_EQ(x, y);
}

TEST(Rope, RotatesTheHandComputedAngles) {
  // n_rot 4, base 100: pair 0 turns by pos, pair 1 by pos / 10.
  const float pos = 3.0f;
  const float a0 = pos, a1 = pos / 10.0f;
  {
    Rope neox({.mode = RopeMode::kNeox, .n_rot = 4, .freq_base = 100.0f, .freq_factors = {}});
    std::vector<float> x = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f};  // head_dim 5: the last passes through
    neox.apply(x.data(), 1, 5, 3);
    EXPECT_NEAR(x[0], 1 * std::cos(a0) - 3 * std::sin(a0), 1e-5f);
    EXPECT_NEAR(x[2], 1 * std::sin(a0) + 3 * std::cos(a0), 1e-5f);
    EXPECT_NEAR(x[1], 2 * std::cos(a1) - 4 * std::sin(a1), 1e-5f);
    EXPECT_NEAR(x[3], 2 * std::sin(a1) + 4 * std::cos(a1), 1e-5f);
    EXPECT_EQ(x[4], 5.0f);
  }
  {
    Rope norm(
        {.mode = RopeMode::kNorm, .n_rot = 4, .freq_base = 100.0f, .freq_factors = {1.0f, 2.0f}});
    std::vector<float> x = {1.0f, 2.0f, 3.0f, 4.0f};
    norm.apply(x.data(), 1, 4, 3);
    const float b1 = a1 / 2.0f;  // frequency factor 2 halves the angle of pair 1
    EXPECT_NEAR(x[0], 1 * std::cos(a0) - 2 * std::sin(a0), 1e-5f);
    EXPECT_NEAR(x[1], 1 * std::sin(a0) + 2 * std::cos(a0), 1e-5f);
    EXPECT_NEAR(x[2], 3 * std::cos(b1) - 4 * std::sin(b1), 1e-5f);
    EXPECT_NEAR(x[3], 3 * std::sin(b1) + 4 * std::cos(b1), 1e-5f);
  }
}

TEST(Rope, RejectsBadParameters) {
  EXPECT_THROW(Rope({.n_rot = 3, .freq_factors = {}}), std::invalid_argument);
  EXPECT_THROW(Rope({.n_rot = 4, .freq_factors = {1.0f}}), std::invalid_argument);
}

struct AttentionCase {
  size_t n_tokens, pos0, n_head, n_head_kv, dk, dv;
};

// Rows of random values stored as `type`, `n_rows` of them [rows][kv_row_bytes(type, dim)].
std::vector<uint8_t> random_kv_rows(KvType type, size_t n_rows, size_t dim, uint32_t seed) {
  const size_t row = kv_row_bytes(type, dim);
  const std::vector<float> x = random_floats(n_rows * dim, seed);
  std::vector<uint8_t> bytes(n_rows * row);
  for (size_t r = 0; r < n_rows; ++r) kv_store_row(type, &x[r * dim], &bytes[r * row], dim);
  return bytes;
}

// Random queries and a cache of `type` for a case, with the reference output computed once.
struct AttentionProblem {
  explicit AttentionProblem(const AttentionCase& c, KvType type = KvType::kF16) : c(c) {
    const size_t capacity = c.pos0 + c.n_tokens + 3;  // a stride beyond the filled part
    q = random_floats(c.n_tokens * c.n_head * c.dk, 11, 1.5f);
    k = random_kv_rows(type, c.n_head_kv * capacity, c.dk, 12);
    v = random_kv_rows(type, c.n_head_kv * capacity, c.dv, 13);
    want.resize(c.n_tokens * c.n_head * c.dv);
    args = {.q = q.data(),
            .n_tokens = c.n_tokens,
            .pos0 = c.pos0,
            .kv_type = type,
            .k = k.data(),
            .v = v.data(),
            .kv_head_stride_k = capacity * kv_row_bytes(type, c.dk),
            .kv_head_stride_v = capacity * kv_row_bytes(type, c.dv),
            .n_head = c.n_head,
            .n_head_kv = c.n_head_kv,
            .head_dim_k = c.dk,
            .head_dim_v = c.dv,
            .scale = 1.0f / std::sqrt(static_cast<float>(c.dk)),
            .out = want.data()};
    ref::attention(args);
  }

  void check(size_t n_threads, const std::string& target) const {
    std::vector<float> out(want.size());
    AttentionArgs a = args;
    a.out = out.data();
    kernels::ThreadPool pool(n_threads);
    attention(a, pool);
    for (size_t i = 0; i < out.size(); ++i) {
      ASSERT_NEAR(out[i], want[i], 2e-5f)
          << target << " " << kv_type_name(args.kv_type) << " threads " << n_threads << " tokens "
          << c.n_tokens << " pos0 " << c.pos0 << " heads " << c.n_head << "/" << c.n_head_kv
          << " dims " << c.dk << "/" << c.dv << " at " << i;
    }
  }

  AttentionCase c;
  std::vector<float> q, want;
  std::vector<uint8_t> k, v;
  AttentionArgs args;
};

TEST(Attention, MatchesTheReferenceOnEveryTarget) {
  const AttentionCase cases[] = {
      {1, 0, 4, 4, 64, 64},
      {1, 130, 8, 2, 128, 128},
      {5, 0, 4, 2, 64, 64},
      {70, 0, 6, 3, 80, 80},
      {17, 60, 8, 4, 128, 128},
      {9, 200, 2, 1, 72, 48},
      {3, 64, 12, 4, 96, 96},
      // Few rows per task (decode): scores from the fp16 keys in place, every row count 1..8,
      // head sizes with a tail after the last full vector.
      {1, 75, 6, 2, 20, 24},
      {2, 40, 8, 4, 72, 40},
      {1, 100, 7, 1, 64, 64},
      {4, 33, 4, 2, 64, 64},
      {1, 9, 5, 1, 36, 36},
  };
  for (const auto& c : cases) {
    AttentionProblem p(c);
    for_each_target([&](const std::string& target) { p.check(1, target); });
  }
}

TEST(Attention, Q8_0CacheMatchesTheReferenceOnEveryTarget) {
  // Head sizes in whole Q8_0 blocks; decode (scores from the blocks in place) and prefill
  // (tiles converted to floats), rows 1..8 and more, keys and values of different sizes.
  const AttentionCase cases[] = {
      {1, 0, 4, 4, 64, 64},     {1, 130, 8, 2, 128, 128}, {2, 40, 8, 4, 96, 32},
      {4, 33, 4, 2, 64, 64},    {1, 100, 7, 1, 32, 32},   {5, 0, 4, 2, 64, 64},
      {70, 0, 6, 3, 96, 96},    {17, 60, 8, 4, 128, 128}, {9, 200, 2, 1, 64, 160},
      {3, 64, 12, 4, 256, 256},
  };
  for (const auto& c : cases) {
    AttentionProblem p(c, KvType::kQ8_0);
    for_each_target([&](const std::string& target) { p.check(1, target); });
  }
}

TEST(Attention, ThreadCountDoesNotChangeTheResult) {
  AttentionProblem({40, 30, 8, 2, 64, 64}).check(2, "default");
  AttentionProblem({1, 300, 16, 8, 128, 128}).check(3, "default");
  AttentionProblem({1, 300, 16, 8, 128, 128}, KvType::kQ8_0).check(3, "default");
}

TEST(Attention, RejectsHeadSizesThatAreNotWholeQ8_0Blocks) {
  AttentionProblem p({1, 4, 2, 2, 64, 64}, KvType::kQ8_0);
  AttentionArgs a = p.args;
  a.head_dim_v = 48;
  kernels::ThreadPool pool(1);
  EXPECT_THROW(attention(a, pool), std::invalid_argument);
}

TEST(Attention, OneVisiblePositionReturnsItsValue) {
  // The first token sees only itself: the output is its value row, whatever the scores.
  auto q = random_floats(2 * 8, 21);
  const auto k = random_kv_rows(KvType::kF16, 2, 8, 22);
  const auto v = random_kv_rows(KvType::kF16, 2, 8, 23);
  std::vector<float> out(2 * 8);
  kernels::ThreadPool pool(1);
  attention({.q = q.data(),
             .n_tokens = 1,
             .pos0 = 0,
             .k = k.data(),
             .v = v.data(),
             .kv_head_stride_k = 16,
             .kv_head_stride_v = 16,
             .n_head = 2,
             .n_head_kv = 2,
             .head_dim_k = 8,
             .head_dim_v = 8,
             .scale = 0.3f,
             .out = out.data()},
            pool);
  std::vector<float> want(16);
  kv_load_row(KvType::kF16, v.data(), want.data(), 16);
  for (size_t i = 0; i < 16; ++i) EXPECT_NEAR(out[i], want[i], 1e-6f);
}

}  // namespace
}  // namespace engine::ops
