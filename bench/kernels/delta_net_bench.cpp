// The gated delta rule (one Gated DeltaNet layer's recurrence) at Qwen3.6-35B-A3B's shape: 16 key
// heads, 32 value heads of 128, one thread:
//   decode: one token
//   prefill: a chunk of 512 tokens (the rule is sequential in tokens: no batching across them)
// Counters: tokens/s of this one layer, and GFLOP/s (6 D^2 flops per value head and token: the
// decay, S k, the rank-one update and S q).
// Run: build/bench_kernels --benchmark_filter=DeltaRule
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "engine/kernels/thread_pool.h"
#include "engine/ops/delta_net.h"

namespace engine::ops {
namespace {

constexpr size_t kKeyHeads = 16, kValueHeads = 32, kHeadDim = 128;

void BM_DeltaRule(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const size_t qk_stride = kKeyHeads * kHeadDim, v_stride = kValueHeads * kHeadDim;
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  auto random = [&](size_t count, float mean, float sd) {
    std::vector<float> v(count);
    for (auto& x : v) x = mean + sd * normal(rng);
    return v;
  };
  std::vector<float> q = random(n * qk_stride, 0.0f, 1.0f), k = random(n * qk_stride, 0.0f, 1.0f);
  for (size_t i = 0; i < n * kKeyHeads; ++i) {
    l2_norm(&q[i * kHeadDim], &q[i * kHeadDim], kHeadDim, 1e-6f);
    l2_norm(&k[i * kHeadDim], &k[i * kHeadDim], kHeadDim, 1e-6f);
  }
  const std::vector<float> v = random(n * v_stride, 0.0f, 1.0f);
  const std::vector<float> g = random(n * kValueHeads, -0.5f, 0.1f);
  const std::vector<float> beta = random(n * kValueHeads, 0.5f, 0.1f);
  std::vector<float> S = random(kValueHeads * kHeadDim * kHeadDim, 0.0f, 0.1f);
  std::vector<float> out(n * v_stride);
  kernels::ThreadPool pool(1);
  const DeltaNetArgs args{.n_tokens = n,
                          .n_k_heads = kKeyHeads,
                          .n_v_heads = kValueHeads,
                          .head_dim = kHeadDim,
                          .q = q.data(),
                          .k = k.data(),
                          .qk_stride = qk_stride,
                          .v = v.data(),
                          .v_stride = v_stride,
                          .g = g.data(),
                          .beta = beta.data(),
                          .state = S.data(),
                          .out = out.data()};
  for (auto _ : state) {
    gated_delta_net(args, pool);
    benchmark::DoNotOptimize(out.data());
  }
  const double tokens = static_cast<double>(n * state.iterations());
  state.counters["tok/s"] = benchmark::Counter(tokens, benchmark::Counter::kIsRate);
  state.counters["GFLOP/s"] = benchmark::Counter(
      tokens * 6.0 * kValueHeads * kHeadDim * kHeadDim / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DeltaRule)->Arg(1)->Arg(512)->ArgName("tokens")->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace engine::ops
