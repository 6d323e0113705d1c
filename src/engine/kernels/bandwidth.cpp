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
  // Timed in windows of up to 24 MiB per thread that slide through the buffer, so each pass reads
  // memory no cache holds, and the best window shows what the machine sustains when no other
  // process competes for it.
  const size_t window_bytes = std::max<size_t>(
      4096, std::min<size_t>(size_t{24} << 20, bytes / (2 * n_threads)) / 4096 * 4096);
  const size_t window_words = window_bytes / 8;
  const size_t n_windows = std::max<size_t>(2, bytes / (window_bytes * n_threads));
  AlignedBuffer buffer(n_windows * n_threads * window_bytes);
  // Each thread writes the windows it will read, so its pages are mapped (and local on NUMA).
  pool.run([&](size_t t) {
    for (size_t w = 0; w < n_windows; ++w) {
      std::memset(buffer.data() + (w * n_threads + t) * window_bytes, static_cast<int>(t + 1),
                  window_bytes);
    }
  });
  const auto* words = reinterpret_cast<const uint64_t*>(buffer.data());
  std::atomic<uint64_t> sink{0};
  double best = 0;
  for (int r = 0; r < repeats; ++r) {
    for (size_t w = 0; w < n_windows; ++w) {
      const auto start = std::chrono::steady_clock::now();
      pool.run([&](size_t t) {
        const uint64_t* part = words + (w * n_threads + t) * window_words;
        sink.fetch_xor(HWY_DYNAMIC_DISPATCH(ReadSum)(part, window_words),
                       std::memory_order_relaxed);
      });
      const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
      best = std::max(best, static_cast<double>(n_threads * window_bytes) / elapsed.count() / 1e9);
    }
  }
  return best;
}

}  // namespace engine::kernels
#endif  // HWY_ONCE
