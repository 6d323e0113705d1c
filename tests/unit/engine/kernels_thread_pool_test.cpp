// The thread pool: every task runs exactly once, run() reaches every thread, jobs published in
// quick succession and after the workers went to sleep are all seen, and shutdown is clean.
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "engine/kernels/bandwidth.h"
#include "engine/kernels/thread_pool.h"

namespace engine::kernels {
namespace {

TEST(KernelsThreadPool, RunCallsEveryThreadIndexOnce) {
  for (size_t n : {1, 2, 3, 5}) {
    ThreadPool pool(n);
    EXPECT_EQ(pool.n_threads(), n);
    std::vector<std::atomic<int>> calls(n);
    pool.run([&](size_t thread) { calls.at(thread).fetch_add(1); });
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(calls[i].load(), 1) << "thread " << i << " of " << n;
  }
}

TEST(KernelsThreadPool, ParallelForRunsEachTaskExactlyOnce) {
  ThreadPool pool(3);
  for (size_t n_tasks : {0, 1, 2, 7, 1000}) {
    std::vector<std::atomic<int>> hits(n_tasks);
    pool.parallel_for(n_tasks, [&](size_t task) { hits.at(task).fetch_add(1); });
    for (size_t t = 0; t < n_tasks; ++t) ASSERT_EQ(hits[t].load(), 1) << t << " of " << n_tasks;
  }
}

TEST(KernelsThreadPool, ManyJobsInQuickSuccessionRunEveryTask) {
  ThreadPool pool(2);
  std::atomic<int64_t> sum{0};
  for (int job = 0; job < 20000; ++job) {
    pool.parallel_for(4, [&](size_t task) { sum.fetch_add(static_cast<int64_t>(task) + 1); });
  }
  EXPECT_EQ(sum.load(), 20000 * 10);
}

TEST(KernelsThreadPool, RunAfterClosedParallelForsStillReachesEveryThread) {
  // Workers that arrive late at a parallel_for skip it; they must still take part in the next
  // run(), exactly once each.
  ThreadPool pool(3);
  for (int round = 0; round < 500; ++round) {
    std::atomic<int> tasks{0};
    pool.parallel_for(2, [&](size_t) { tasks.fetch_add(1); });
    ASSERT_EQ(tasks.load(), 2);
    std::vector<std::atomic<int>> calls(3);
    pool.run([&](size_t thread) { calls.at(thread).fetch_add(1); });
    for (size_t i = 0; i < 3; ++i) ASSERT_EQ(calls[i].load(), 1) << "round " << round;
  }
}

TEST(KernelsThreadPool, WorkersWakeFromSleep) {
  ThreadPool pool(3);
  for (int round = 0; round < 3; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // longer than the spin time
    std::set<size_t> seen;
    std::mutex m;
    pool.run([&](size_t thread) {
      std::lock_guard lock(m);
      seen.insert(thread);
    });
    EXPECT_EQ(seen.size(), 3u);
  }
}

TEST(KernelsThreadPool, AJobPublishedBeforeTheWorkersStartIsRun) {
  for (int i = 0; i < 50; ++i) {
    ThreadPool pool(4);
    std::atomic<int> calls{0};
    pool.run([&](size_t) { calls.fetch_add(1); });
    ASSERT_EQ(calls.load(), 4);
  }
}

TEST(KernelsBandwidth, MeasuresAPositiveFiniteRate) {
  ThreadPool pool(2);
  const double gbps = measure_read_bandwidth(pool, size_t{8} << 20, 2);
  EXPECT_GT(gbps, 0.1);
  EXPECT_LT(gbps, 10000.0);
}

TEST(KernelsThreadPool, DefaultsToThePhysicalCores) {
  ThreadPool pool;
  EXPECT_EQ(pool.n_threads(), physical_core_count());
  EXPECT_GE(physical_core_count(), 1u);
}

}  // namespace
}  // namespace engine::kernels
