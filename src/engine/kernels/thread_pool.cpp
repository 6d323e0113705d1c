#include "engine/kernels/thread_pool.h"

#include <immintrin.h>

#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <utility>

namespace engine::kernels {
namespace {

// How long an idle worker spins before it sleeps: longer than the gap between two matmuls of a
// decode step (norms, attention), far shorter than a human-visible pause.
constexpr auto kSpinTime = std::chrono::microseconds(300);
// How long the caller spins for the workers to finish before it blocks.
constexpr auto kCallerSpinTime = std::chrono::microseconds(50);

void cpu_relax() {
  _mm_pause();
}

}  // namespace

ThreadPool::ThreadPool(size_t n_threads) {
  if (n_threads == 0) n_threads = physical_core_count();
  workers_.reserve(n_threads - 1);
  for (size_t i = 1; i < n_threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_relaxed);
  wake_.fetch_add(1, std::memory_order_seq_cst);
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::run_erased(Call call, void* ctx, bool all_threads) {
  if (workers_.empty()) {
    call(ctx, 0);
    return;
  }
  call_ = call;
  ctx_ = ctx;
  all_threads_ = all_threads;
  done_.store(0, std::memory_order_relaxed);
  const uint32_t generation = ++generation_;
  job_.store(uint64_t{generation} << 32, std::memory_order_release);
  // seq_cst pairs with the workers' sleeping_ increment: either we see a sleeper and wake it, or
  // it sees the new generation before blocking.
  wake_.store(generation, std::memory_order_seq_cst);
  if (sleeping_.load(std::memory_order_seq_cst) > 0) wake_.notify_all();
  call(ctx, 0);
  const auto spin_until = std::chrono::steady_clock::now() + kCallerSpinTime;
  if (all_threads) {
    // Every worker must run: spin briefly (they usually finish with us), then block, so a worker
    // the OS descheduled does not cost a spinning core.
    const auto n = static_cast<uint32_t>(workers_.size());
    for (int i = 0;; ++i) {
      const uint32_t finished = done_.load(std::memory_order_acquire);
      if (finished == n) break;
      if ((i & 63) == 63 && std::chrono::steady_clock::now() > spin_until) {
        caller_waiting_.store(true, std::memory_order_seq_cst);
        const uint32_t now = done_.load(std::memory_order_seq_cst);
        if (now != n) done_.wait(now, std::memory_order_seq_cst);
        caller_waiting_.store(false, std::memory_order_relaxed);
      } else {
        cpu_relax();
      }
    }
    return;
  }
  // Close the job (no worker enters it from now on) and wait for those inside: they are running,
  // so this is short; yield in case the OS preempted one.
  uint64_t state = job_.fetch_or(kClosed, std::memory_order_acq_rel) | kClosed;
  for (int i = 0; (state & kActiveMask) != 0; ++i) {
    if ((i & 63) == 63 && std::chrono::steady_clock::now() > spin_until) {
      std::this_thread::yield();
    } else {
      cpu_relax();
    }
    state = job_.load(std::memory_order_acquire);
  }
}

void ThreadPool::worker_loop(size_t index) {
  // Generation 0 is the state before the first job: a job published before this thread got here
  // must still be seen as new.
  uint32_t seen = 0;
  for (;;) {
    // Spin for new work, then sleep until the generation changes.
    const auto spin_until = std::chrono::steady_clock::now() + kSpinTime;
    uint32_t now = wake_.load(std::memory_order_acquire);
    for (int i = 0; now == seen; ++i) {
      cpu_relax();
      if ((i & 255) == 255 && std::chrono::steady_clock::now() > spin_until) {
        sleeping_.fetch_add(1, std::memory_order_seq_cst);
        wake_.wait(seen, std::memory_order_seq_cst);
        sleeping_.fetch_sub(1, std::memory_order_relaxed);
      }
      now = wake_.load(std::memory_order_acquire);
    }
    seen = now;
    if (stop_.load(std::memory_order_relaxed)) return;
    // Join the job unless it is already closed or replaced by a newer one.
    uint64_t state = job_.load(std::memory_order_acquire);
    bool joined = false;
    while ((state >> 32) == seen && (state & kClosed) == 0) {
      if (job_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel)) {
        joined = true;
        break;
      }
    }
    if (!joined) continue;
    const bool all_threads = all_threads_;
    call_(ctx_, index);
    job_.fetch_sub(1, std::memory_order_acq_rel);
    if (all_threads && done_.fetch_add(1, std::memory_order_seq_cst) + 1 == workers_.size() &&
        caller_waiting_.load(std::memory_order_seq_cst)) {
      done_.notify_one();
    }
  }
}

size_t physical_core_count() {
  // Distinct (physical id, core id) pairs of /proc/cpuinfo; the logical count if that fails.
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::set<std::pair<std::string, std::string>> cores;
  std::string line, physical = "0";
  while (std::getline(cpuinfo, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = line.substr(0, line.find_first_of(" \t"));
    const std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
    if (key == "physical") physical = value;
    if (key == "core") cores.emplace(physical, value);
  }
  if (!cores.empty()) return cores.size();
  const unsigned logical = std::thread::hardware_concurrency();
  return logical > 0 ? logical : 1;
}

}  // namespace engine::kernels
