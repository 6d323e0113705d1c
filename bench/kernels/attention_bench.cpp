// Attention speed at Qwen3-0.6B's shape (16 query heads, 8 kv heads, head_dim 128) over a KV
// cache of one layer (f16 or q8_0 rows), one thread (decode: and two):
//   decode: one query token after `depth` positions (the per-layer cost of a token at that depth),
//     cycling through copies of the layer larger than the last-level cache together, since a
//     token reads every layer's keys and values once and none is still cached when it comes back
//   prefill: a chunk of 512 query tokens starting at position `pos0`
// Counters: tokens/s of this one layer, and GB/s of K/V bytes read (decode).
// Run: build-rel/bench_kernels --benchmark_filter=Attention
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "engine/kernels/thread_pool.h"
#include "engine/ops/attention.h"

namespace engine::ops {
namespace {

constexpr size_t kHeads = 16, kHeadsKv = 8, kHeadDim = 128;

struct Layer {
  Layer(KvType type, size_t n_pos)
      : k(kHeadsKv * n_pos * kv_row_bytes(type, kHeadDim)), v(k.size()) {
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> row(kHeadDim);
    const size_t row_bytes = kv_row_bytes(type, kHeadDim);
    for (auto* cache : {&k, &v}) {
      for (size_t r = 0; r < kHeadsKv * n_pos; ++r) {
        for (auto& x : row) x = normal(rng);
        kv_store_row(type, row.data(), cache->data() + r * row_bytes, kHeadDim);
      }
    }
  }
  std::vector<uint8_t> k, v;  // [kv head][position][row]
};

// Larger than the last-level cache of the machines we measure on (32 MiB here).
constexpr size_t kColdBytes = size_t{160} << 20;

void run(benchmark::State& state, KvType type, size_t n_tokens, size_t pos0, size_t n_threads) {
  std::vector<Layer> layers{Layer(type, pos0 + n_tokens)};
  const size_t layer_bytes = 2 * layers[0].k.size();
  if (n_tokens == 1) layers.resize((kColdBytes + layer_bytes - 1) / layer_bytes, layers[0]);
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> q(n_tokens * kHeads * kHeadDim), out(q.size());
  for (auto& x : q) x = normal(rng);
  kernels::ThreadPool pool(n_threads);
  const size_t head_stride = (pos0 + n_tokens) * kv_row_bytes(type, kHeadDim);
  AttentionArgs args{.q = q.data(),
                     .n_tokens = n_tokens,
                     .pos0 = pos0,
                     .kv_type = type,
                     .k = nullptr,
                     .v = nullptr,
                     .kv_head_stride_k = head_stride,
                     .kv_head_stride_v = head_stride,
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
        static_cast<double>(layer_bytes * state.iterations()) / 1e9, benchmark::Counter::kIsRate);
  }
}

// Arguments: the cache's type (KvType: 0 f16, 1 q8_0), then depth and threads, or pos0.
void BM_AttentionDecode(benchmark::State& state) {
  run(state, static_cast<KvType>(state.range(0)), 1, state.range(1), state.range(2));
}
BENCHMARK(BM_AttentionDecode)
    ->ArgsProduct({{0, 1}, {512, 4096, 8192}, {1, 2}})
    ->ArgNames({"q8", "depth", "thr"})
    ->UseRealTime();

void BM_AttentionPrefill(benchmark::State& state) {
  run(state, static_cast<KvType>(state.range(0)), 512, state.range(1), 1);
}
BENCHMARK(BM_AttentionPrefill)
    ->ArgsProduct({{0, 1}, {0, 3584}})
    ->ArgNames({"q8", "pos0"})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace engine::ops
