// A fixed set of worker threads for the kernels. The caller of run() works too (as thread 0), so a
// pool of n threads starts n - 1 workers. Dispatch is built for the ~200 small matmuls of a decode
// step: workers spin for a short while after each job (a new job costs them no syscall), then
// sleep on a futex until the next one.
//
// Determinism: the pool only decides which thread runs which task; kernels compute each output
// the same way whoever runs it, so results never depend on timing.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <type_traits>
#include <vector>

namespace engine::kernels {

class ThreadPool {
 public:
  // n_threads == 0: one per physical core (see physical_core_count()).
  explicit ThreadPool(size_t n_threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t n_threads() const { return workers_.size() + 1; }

  // Calls fn(thread_index) once on each of the n_threads() threads (the caller gets index 0) and
  // returns when all calls have returned. Not reentrant: one run() at a time.
  template <typename Fn>
  void run(Fn&& fn) {
    using F = std::remove_reference_t<Fn>;
    run_erased([](void* ctx, size_t thread) { (*static_cast<F*>(ctx))(thread); }, &fn);
  }

  // Calls fn(task) for every task in [0, n_tasks), spread over the threads: each thread takes the
  // next task from a shared counter, so a thread that was descheduled delays nothing.
  template <typename Fn>
  void parallel_for(size_t n_tasks, Fn&& fn) {
    if (n_tasks == 0) return;
    if (n_tasks == 1 || n_threads() == 1) {
      for (size_t t = 0; t < n_tasks; ++t) fn(t);
      return;
    }
    std::atomic<size_t> next{0};
    run([&](size_t) {
      for (size_t t = next.fetch_add(1, std::memory_order_relaxed); t < n_tasks;
           t = next.fetch_add(1, std::memory_order_relaxed)) {
        fn(t);
      }
    });
  }

 private:
  using Call = void (*)(void* ctx, size_t thread);
  void run_erased(Call call, void* ctx);
  void worker_loop(size_t index);

  std::vector<std::thread> workers_;
  // The current job, published by bumping generation_.
  Call call_ = nullptr;
  void* ctx_ = nullptr;
  alignas(64) std::atomic<uint32_t> generation_{0};
  alignas(64) std::atomic<uint32_t> pending_{0};   // workers still running the current job
  alignas(64) std::atomic<uint32_t> sleeping_{0};  // workers blocked in wait()
  std::atomic<bool> caller_waiting_{false};        // the caller blocked on pending_
  std::atomic<bool> stop_{false};
};

// Physical cores of this machine (hyper-threads counted once), at least 1.
size_t physical_core_count();

}  // namespace engine::kernels
