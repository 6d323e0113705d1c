// A fixed set of worker threads for the kernels. The caller of run() works too (as thread 0), so a
// pool of n threads starts n - 1 workers. Dispatch is built for the ~200 small matmuls of a decode
// step: workers spin for a short while after each job (a new job costs them no syscall), then
// sleep on a futex until the next one.
//
// Determinism: the pool only decides which thread runs which task; kernels compute each output
// the same way whoever runs it, so results never depend on timing.
//
// A busy machine: parallel_for() never waits for a worker that has not started yet. When the
// caller has taken the last task it closes the job; a worker that arrives later skips it, so a
// worker the OS has descheduled costs nothing (run(), which promises every thread index, must
// still wait for all of them).
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
    run_erased([](void* ctx, size_t thread) { (*static_cast<F*>(ctx))(thread); }, &fn, true);
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
    auto take_tasks = [&](size_t) {
      for (size_t t = next.fetch_add(1, std::memory_order_relaxed); t < n_tasks;
           t = next.fetch_add(1, std::memory_order_relaxed)) {
        fn(t);
      }
    };
    using F = decltype(take_tasks);
    run_erased([](void* ctx, size_t thread) { (*static_cast<F*>(ctx))(thread); }, &take_tasks,
               false);
  }

 private:
  using Call = void (*)(void* ctx, size_t thread);
  // all_threads: every worker must run call (run()); otherwise the job closes when the caller is
  // done with it (parallel_for()).
  void run_erased(Call call, void* ctx, bool all_threads);
  void worker_loop(size_t index);

  // job_ holds the job's generation (high 32 bits), a closed flag and the count of workers
  // inside the job; a worker joins with a compare-exchange, so it never enters a job that was
  // closed or replaced.
  static constexpr uint64_t kClosed = uint64_t{1} << 31;
  static constexpr uint64_t kActiveMask = kClosed - 1;

  std::vector<std::thread> workers_;
  // The current job, published through job_ and wake_.
  Call call_ = nullptr;
  void* ctx_ = nullptr;
  bool all_threads_ = false;
  uint32_t generation_ = 0;                    // the caller's count of jobs
  alignas(64) std::atomic<uint32_t> wake_{0};  // the generation workers wait for (futex)
  alignas(64) std::atomic<uint64_t> job_{0};
  alignas(64) std::atomic<uint32_t> done_{0};      // workers finished with a run() job
  alignas(64) std::atomic<uint32_t> sleeping_{0};  // workers blocked in wait()
  std::atomic<bool> caller_waiting_{false};        // the caller blocked on done_
  std::atomic<bool> stop_{false};
};

// Physical cores of this machine (hyper-threads counted once), at least 1.
size_t physical_core_count();

}  // namespace engine::kernels
