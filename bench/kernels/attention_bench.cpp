// Attention speed at Qwen3-0.6B's shape (16 query heads, 8 kv heads, head_dim 128) over an F16
// KV cache of one layer, one thread (decode: and two):
//   decode: one query token after `depth` positions (the per-layer cost of a token at that depth),
//     cycling through copies of the layer larger than the last-level cache together, since a
//     token reads every layer's keys and values once and none is still cached when it comes back
//   prefill: a chunk of 512 query tokens starting at position `pos0`
// Counters: tokens/s of this one layer, and GB/s of K/V bytes read (decode).
// Run: build-rel/bench_kernels --benchmark_filter=Attention
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "engine/kernels/fp16.h"
#include "engine/kernels/thread_pool.h"
#include "engine/ops/attention.h"

namespace engine::ops {
namespace {

constexpr size_t kHeads = 16, kHeadsKv = 8, kHeadDim = 128;

struct Layer {
  explicit Layer(size_t n_pos) : k(kHeadsKv * n_pos * kHeadDim), v(k.size()) {
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (auto& x : k) x = kernels::fp32_to_fp16(normal(rng));
    for (auto& x : v) x = kernels::fp32_to_fp16(normal(rng));
  }
  std::vector<uint16_t> k, v;  // [kv head][position][head_dim]
};

// Larger than the last-level cache of the machines we measure on (32 MiB here).
constexpr size_t kColdBytes = size_t{160} << 20;

void run(benchmark::State& state, size_t n_tokens, size_t pos0, size_t n_threads) {
  std::vector<Layer> layers{Layer(pos0 + n_tokens)};
  const size_t layer_bytes = 2 * layers[0].k.size() * sizeof(uint16_t);
  if (n_tokens == 1) layers.resize((kColdBytes + layer_bytes - 1) / layer_bytes, layers[0]);
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> q(n_tokens * kHeads * kHeadDim), out(q.size());
  for (auto& x : q) x = normal(rng);
  kernels::ThreadPool pool(n_threads);
  AttentionArgs args{.q = q.data(),
                     .n_tokens = n_tokens,
                     .pos0 = pos0,
                     .k = nullptr,
                     .v = nullptr,
                     .kv_head_stride_k = (pos0 + n_tokens) * kHeadDim,
                     .kv_head_stride_v = (pos0 + n_tokens) * kHeadDim,
                     .n_head = kHeads,
                     .n_head_kv = kHeadsKv,
                     .head_dim_k = kHeadDim,
                     .head_dim_v = kHeadDim,
                     .scale = 0.088f,
                     .out = out.data()};
  size_t next = 0;
  for (auto _ : state) {
    args.k = layers[next].k.data();
    args.v = layers[next].v.data();
    next = (next + 1) % layers.size();
    attention(args, pool);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["tok/s"] = benchmark::Counter(static_cast<double>(n_tokens * state.iterations()),
                                               benchmark::Counter::kIsRate);
  if (n_tokens == 1) {
    state.counters["KV GB/s"] = benchmark::Counter(
        static_cast<double>(2 * kHeadsKv * (pos0 + 1) * kHeadDim * 2 * state.iterations()) / 1e9,
        benchmark::Counter::kIsRate);
  }
}

void BM_AttentionDecode(benchmark::State& state) {
  run(state, 1, state.range(0), state.range(1));
}
BENCHMARK(BM_AttentionDecode)
    ->ArgsProduct({{512, 4096, 8192}, {1, 2}})
    ->ArgNames({"depth", "thr"})
    ->UseRealTime();

void BM_AttentionPrefill(benchmark::State& state) {
  run(state, 512, state.range(0), 1);
}
BENCHMARK(BM_AttentionPrefill)->Arg(0)->Arg(3584)->ArgName("pos0")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace engine::ops
