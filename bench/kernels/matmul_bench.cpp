// Matmul speed per weight type at the shapes of Qwen3-0.6B (n_embd 1024, ffn 3072, vocab 151936)
// and Qwen3-1.7B (n_embd 2048, ffn 6144), with 1 and 2 threads.
//   mat-vec (decode, 1 token):   GB/s of weight bytes streamed, to compare with BM_ReadBandwidth
//   mat-mat (prefill, 512 tokens): GFLOP/s (2 * n_out * n_in * n_tokens per call)
// Run: build-rel/bench_kernels --benchmark_filter=... (see docs/PERFORMANCE.md).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <tuple>
#include <vector>

#include "engine/kernels/bandwidth.h"
#include "engine/kernels/cpu/x86/x86_kernels.h"
#include "engine/kernels/matmul.h"
#include "engine/kernels/thread_pool.h"
#include "engine/kernels/weight_type.h"

namespace engine::kernels {
namespace {

// Larger than the last-level cache of the machines we measure on (32 MiB here).
constexpr size_t kColdBytes = size_t{160} << 20;

ThreadPool& pool_of(size_t n_threads) {
  static std::map<size_t, std::unique_ptr<ThreadPool>> pools;
  auto& p = pools[n_threads];
  if (!p) p = std::make_unique<ThreadPool>(n_threads);
  return *p;
}

std::vector<float> random_floats(size_t n, uint32_t seed, float sigma) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, sigma);
  std::vector<float> v(n);
  for (auto& x : v) x = normal(rng);
  return v;
}

// Quantized random weights, cached per (type, shape) since quantizing 150M values takes a while.
const std::vector<uint8_t>& weight_bytes(GgmlType type, size_t n_out, size_t n_in) {
  static std::map<std::tuple<GgmlType, size_t, size_t>, std::vector<uint8_t>> cache;
  auto& bytes = cache[{type, n_out, n_in}];
  if (bytes.empty()) {
    const auto& traits = weight_type(type);
    const size_t rb = row_bytes(traits, n_in);
    bytes.resize(n_out * rb);
    const auto row = random_floats(n_in * 64, 1, 0.05f);
    for (size_t r = 0; r < n_out; ++r) {
      traits.quantize_row(row.data() + (r % 64) * n_in, bytes.data() + r * rb, n_in);
    }
  }
  return bytes;
}

// Args: type, n_out, n_in, n_tokens, threads, repack, cold (mat-vec: cycle through copies of the
// weight larger than the last-level cache, as decode does; 0: the same weight, hot in cache), x86
// (the highest x86 level the x86 tiles may use, as x86::X86Level; 0: the CPU's best).
void BM_Matmul(benchmark::State& state) {
  const auto type = static_cast<GgmlType>(state.range(0));
  const auto n_out = static_cast<size_t>(state.range(1));
  const auto n_in = static_cast<size_t>(state.range(2));
  const auto n_tokens = static_cast<size_t>(state.range(3));
  ThreadPool& pool = pool_of(static_cast<size_t>(state.range(4)));
  const auto& bytes = weight_bytes(type, n_out, n_in);
  // Decode reads every weight of the model once per token, so no weight is in cache when it is
  // used: cycle through enough copies to overflow the last-level cache.
  const size_t copies =
      state.range(6) != 0 ? std::max<size_t>(1, (kColdBytes + bytes.size() - 1) / bytes.size()) : 1;
  std::vector<std::vector<uint8_t>> raw(copies, bytes);
  std::vector<PreparedWeight> ws;
  if (state.range(7) != 0) x86::cap_x86_level_for_test(static_cast<x86::X86Level>(state.range(7)));
  for (const auto& r : raw) {
    ws.push_back(PreparedWeight::prepare(type, r, n_out, n_in, {.repack = state.range(5) != 0}));
  }
  x86::cap_x86_level_for_test(x86::kX86LevelUncapped);
  const PreparedWeight& w = ws.front();
  const auto x = random_floats(n_tokens * n_in, 2, 1.0f);
  std::vector<float> y(n_tokens * n_out);
  // The machine may be shared: besides the mean rate, report the rate of the fastest call.
  double best = 1e30;
  size_t next = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    matmul(ws[next], x.data(), n_tokens, y.data(), pool);
    benchmark::DoNotOptimize(y.data());
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    next = next + 1 == ws.size() ? 0 : next + 1;
  }
  state.SetLabel(std::string(weight_type(type).name) + (w.repacked() ? " repacked" : " borrowed"));
  const double iters = static_cast<double>(state.iterations());
  if (n_tokens == 1) {
    const double gb = static_cast<double>(w.weight_bytes()) / 1e9;
    state.counters["GB/s"] = benchmark::Counter(gb * iters, benchmark::Counter::kIsRate);
    state.counters["best_GB/s"] = gb / best;
  } else {
    const double gflop = 2.0 * static_cast<double>(n_out * n_in * n_tokens) / 1e9;
    state.counters["GFLOP/s"] = benchmark::Counter(gflop * iters, benchmark::Counter::kIsRate);
    state.counters["best_GFLOP/s"] = gflop / best;
  }
}

constexpr GgmlType kTypes[] = {GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_K, GgmlType::Q5_K,
                               GgmlType::Q6_K, GgmlType::F16,  GgmlType::BF16, GgmlType::F32};

// The in-cache rows again at the level below the CPU's: on CPUs with AVX-512 VNNI the quantized
// types at AVX2, on CPUs with AVX-512 BF16 also BF16 at the VNNI level (its Highway tile), so one
// run compares the two.
void lower_levels_too(benchmark::internal::Benchmark* b, int64_t n_out, int64_t n_in,
                      int64_t n_tokens) {
  const auto level = [&](GgmlType type, x86::X86Level cap) {
    b->Args(
        {static_cast<int64_t>(type), n_out, n_in, n_tokens, 1, 1, 0, static_cast<int64_t>(cap)});
  };
  if (x86::x86_cpu_level() >= x86::X86Level::kAvx512Vnni) {
    for (GgmlType type : kTypes) {
      if (weight_type(type).block_elems > 1) level(type, x86::X86Level::kAvx2);
    }
  }
  if (x86::x86_cpu_level() >= x86::X86Level::kAvx512Bf16) {
    level(GgmlType::BF16, x86::X86Level::kAvx512Vnni);
  }
}

void matvec_args(benchmark::internal::Benchmark* b) {
  const int64_t shapes[][2] = {
      {3072, 1024}, {1024, 3072}, {151936, 1024}, {6144, 2048}, {2048, 6144}};
  for (GgmlType type : kTypes) {
    for (const auto& s : shapes) {
      for (int64_t threads : {1, 2}) {
        b->Args({static_cast<int64_t>(type), s[0], s[1], 1, threads, 1, 1, 0});
      }
    }
  }
  // Borrowed (not repacked) weights, for the memory-tight option.
  b->Args({static_cast<int64_t>(GgmlType::Q8_0), 3072, 1024, 1, 2, 0, 1, 0});
  b->Args({static_cast<int64_t>(GgmlType::Q4_K), 3072, 1024, 1, 2, 0, 1, 0});
  // Hot in cache, one thread: what the kernel computes per second when memory is no limit.
  for (GgmlType type : kTypes) b->Args({static_cast<int64_t>(type), 1024, 1024, 1, 1, 1, 0, 0});
  lower_levels_too(b, 1024, 1024, 1);
}

void matmat_args(benchmark::internal::Benchmark* b) {
  const int64_t shapes[][2] = {{3072, 1024}, {1024, 3072}, {6144, 2048}};
  for (GgmlType type : kTypes) {
    for (const auto& s : shapes) {
      for (int64_t threads : {1, 2}) {
        b->Args({static_cast<int64_t>(type), s[0], s[1], 512, threads, 1, 0, 0});
      }
    }
  }
  // A small in-cache problem (under a millisecond a call), one thread: the kernel's compute rate,
  // measurable even on a busy machine through the fastest call.
  for (GgmlType type : kTypes) b->Args({static_cast<int64_t>(type), 256, 1024, 64, 1, 1, 0, 0});
  lower_levels_too(b, 256, 1024, 64);
}

BENCHMARK(BM_Matmul)
    ->Name("matvec")
    ->ArgNames({"type", "n_out", "n_in", "tok", "thr", "repack", "cold", "x86"})
    ->Apply(matvec_args)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Matmul)
    ->Name("matmat")
    ->ArgNames({"type", "n_out", "n_in", "tok", "thr", "repack", "cold", "x86"})
    ->Apply(matmat_args)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The cost of handing work to the pool and waiting for it: a decode step pays it ~200 times.
void BM_PoolDispatch(benchmark::State& state) {
  ThreadPool& pool = pool_of(static_cast<size_t>(state.range(0)));
  std::atomic<size_t> sink{0};
  double best = 1e30;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    pool.parallel_for(pool.n_threads(),
                      [&](size_t t) { sink.fetch_add(t, std::memory_order_relaxed); });
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  state.counters["best_us"] = best * 1e6;
}
BENCHMARK(BM_PoolDispatch)->Arg(2)->ArgName("thr")->UseRealTime();

void BM_ReadBandwidth(benchmark::State& state) {
  ThreadPool& pool = pool_of(static_cast<size_t>(state.range(0)));
  double gbps = 0;
  for (auto _ : state) gbps = measure_read_bandwidth(pool, size_t{512} << 20, 3);
  state.counters["GB/s"] = gbps;
}
BENCHMARK(BM_ReadBandwidth)->Arg(1)->Arg(2)->ArgName("thr")->Iterations(1)->UseRealTime();

}  // namespace
}  // namespace engine::kernels
