#include "engine/kernels/bandwidth.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>

#include "engine/kernels/aligned_buffer.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/kernels/cpu/read_sum-inl.h"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "hwy/highway.h"

// The static target (foreach_target.h above included the file for every other target).
#include "engine/kernels/cpu/read_sum-inl.h"

#if HWY_ONCE
namespace engine::kernels {

HWY_EXPORT(ReadSum);

double measure_read_bandwidth(ThreadPool& pool, size_t bytes, int repeats) {
  const size_t n_threads = pool.n_threads();
  const size_t words_per_thread = bytes / 8 / n_threads / 64 * 64;
  AlignedBuffer buffer(words_per_thread * n_threads * 8);
  // Each thread writes its own part first, so its pages are mapped (and local on NUMA machines).
  pool.run([&](size_t t) {
    std::memset(buffer.data() + t * words_per_thread * 8, static_cast<int>(t + 1),
                words_per_thread * 8);
  });
  const auto* words = reinterpret_cast<const uint64_t*>(buffer.data());
  std::atomic<uint64_t> sink{0};
  double best = 0;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    pool.run([&](size_t t) {
      sink.fetch_xor(HWY_DYNAMIC_DISPATCH(ReadSum)(words + t * words_per_thread, words_per_thread),
                     std::memory_order_relaxed);
    });
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best = std::max(best, static_cast<double>(buffer.size()) / elapsed.count() / 1e9);
  }
  return best;
}

}  // namespace engine::kernels
#endif  // HWY_ONCE
