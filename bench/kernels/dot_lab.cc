// Kernel lab: Highway vs intrinsics for the byte dot product all quantized kernels are built on.
// One Q8_0 weight row (ggml blocks) against one Q8_0 activation row, n_in = 4096, hot in L1/L2:
//   v1_scalar:   dot_q8_0_q8_0_ref (the reference; whatever the compiler vectorizes)
//   v2_highway:  Highway, best target for this CPU. Highway 1.0.3 has no u8 x s8 pairwise
//                multiply-add (SatWidenMulPairwiseAdd came in 1.1), so the bytes are widened to
//                s16 (PromoteTo) and multiplied with ReorderWidenMulAccumulate (vpmaddwd).
//   v3_avx2:     intrinsics: vpmaddubsw on |w| and sign(y, w), then vpmaddwd by ones (ggml's way).
// Each reports GB/s of weight bytes; docs/PERFORMANCE.md records the result and the decision.
//
// Built by hand, not by CMake (Highway's per-target self-inclusion needs this directory on the
// include path), against a Release build of the engine library:
//   g++ -O3 -std=c++20 -Ibench/kernels -Ibuild-rel/include/engine bench/kernels/dot_lab.cc \
//       build-rel/src/engine/libal_engine.a -lbenchmark -lbenchmark_main -lhwy -lpthread \
//       -o /tmp/dot_lab
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "dot_lab.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "hwy/highway.h"

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "engine/kernels/activations.h"
#include "engine/kernels/blocks.h"
#include "engine/kernels/dot_ref.h"
#include "engine/kernels/fp16.h"

HWY_BEFORE_NAMESPACE();
namespace lab::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using engine::kernels::BlockQ8_0;
using engine::kernels::kQK8_0;

float DotQ8_0Highway(const BlockQ8_0* w, const int8_t* y, const float* dy, size_t n) {
  const hn::ScalableTag<int16_t> d16;
  const hn::Repartition<int32_t, decltype(d16)> d32;
  const hn::Rebind<int8_t, decltype(d16)> d8;
  const hn::Repartition<float, decltype(d16)> df;
  const size_t lanes = hn::Lanes(d16);
  auto acc = hn::Zero(df);
  for (size_t b = 0; b < n / kQK8_0; ++b) {
    auto s0 = hn::Zero(d32), s1 = hn::Zero(d32);
    for (size_t i = 0; i < kQK8_0; i += lanes) {
      const auto wv = hn::PromoteTo(d16, hn::LoadU(d8, w[b].qs + i));
      const auto yv = hn::PromoteTo(d16, hn::LoadU(d8, y + b * kQK8_0 + i));
      s0 = hn::ReorderWidenMulAccumulate(d32, wv, yv, s0, s1);
    }
    const float scale = engine::kernels::fp16_to_fp32(w[b].d) * dy[b];
    acc = hn::MulAdd(hn::ConvertTo(df, hn::Add(s0, s1)), hn::Set(df, scale), acc);
  }
  return hn::GetLane(hn::SumOfLanes(df, acc));
}

}  // namespace lab::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <benchmark/benchmark.h>
#include <immintrin.h>

namespace lab {
HWY_EXPORT(DotQ8_0Highway);

using engine::kernels::BlockQ8_0;
using engine::kernels::kQK8_0;

__attribute__((target("avx2,fma,f16c"))) float dot_q8_0_avx2(const BlockQ8_0* w, const int8_t* y,
                                                             const float* dy, size_t n) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256 acc = _mm256_setzero_ps();
  for (size_t b = 0; b < n / kQK8_0; ++b) {
    const __m256i wq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b].qs));
    const __m256i yq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y + b * kQK8_0));
    const __m256i p = _mm256_madd_epi16(
        _mm256_maddubs_epi16(_mm256_sign_epi8(wq, wq), _mm256_sign_epi8(yq, wq)), ones);
    const float scale = _cvtsh_ss(w[b].d) * dy[b];
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(scale), acc);
  }
  const __m128 h = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
  const __m128 s = _mm_hadd_ps(_mm_hadd_ps(h, h), _mm_hadd_ps(h, h));
  return _mm_cvtss_f32(s);
}

struct Data {
  static constexpr size_t kN = 4096;
  std::vector<BlockQ8_0> w = std::vector<BlockQ8_0>(kN / kQK8_0);
  std::vector<uint8_t> act;
  engine::kernels::ActRow row{};
  Data() {
    std::mt19937 rng(1);
    for (auto& b : w) {
      b.d = engine::kernels::fp32_to_fp16(0.01f);
      for (auto& q : b.qs) q = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
    }
    std::vector<float> x(kN);
    std::normal_distribution<float> normal;
    for (auto& v : x) v = normal(rng);
    using engine::kernels::ActType;
    act.resize(engine::kernels::act_row_bytes(ActType::kQ8_0, kN) + 64);
    // 64-byte aligned start inside the vector.
    auto* base =
        reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(act.data()) + 63) / 64 * 64);
    engine::kernels::quantize_activations(ActType::kQ8_0, x.data(), kN, 0, 1, base);
    row = engine::kernels::ActView{ActType::kQ8_0, kN, 1, 0, base}.row(0);
  }
};

template <typename Fn>
void run(benchmark::State& state, Fn fn) {
  static Data data;
  float r = 0;
  for (auto _ : state) {
    r += fn(data);
    benchmark::DoNotOptimize(r);
  }
  state.counters["GB/s"] =
      benchmark::Counter(static_cast<double>(data.w.size() * sizeof(BlockQ8_0)) *
                             static_cast<double>(state.iterations()) / 1e9,
                         benchmark::Counter::kIsRate);
}

void v1_scalar(benchmark::State& state) {
  run(state, [](const Data& d) {
    return engine::kernels::dot_q8_0_q8_0_ref(d.w.data(), d.row, Data::kN);
  });
}
void v2_highway(benchmark::State& state) {
  run(state, [](const Data& d) {
    return HWY_DYNAMIC_DISPATCH(DotQ8_0Highway)(d.w.data(), static_cast<const int8_t*>(d.row.qs),
                                                d.row.d, Data::kN);
  });
}
void v3_avx2(benchmark::State& state) {
  if (!__builtin_cpu_supports("avx2")) {
    state.SkipWithError("no AVX2");
    return;
  }
  run(state, [](const Data& d) {
    return dot_q8_0_avx2(d.w.data(), static_cast<const int8_t*>(d.row.qs), d.row.d, Data::kN);
  });
}
BENCHMARK(v1_scalar);
BENCHMARK(v2_highway);
BENCHMARK(v3_avx2);

}  // namespace lab
#endif  // HWY_ONCE
