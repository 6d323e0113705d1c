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
  generation_.fetch_add(1, std::memory_order_seq_cst);
  generation_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::run_erased(Call call, void* ctx) {
  if (workers_.empty()) {
    call(ctx, 0);
    return;
  }
  call_ = call;
  ctx_ = ctx;
  pending_.store(static_cast<uint32_t>(workers_.size()), std::memory_order_relaxed);
  // seq_cst pairs with the workers' sleeping_ increment: either we see a sleeper and wake it, or
  // it sees the new generation before blocking.
  generation_.fetch_add(1, std::memory_order_seq_cst);
  if (sleeping_.load(std::memory_order_seq_cst) > 0) generation_.notify_all();
  call(ctx, 0);
  // Wait for the workers: spin briefly (they usually finish together with us), then block, so a
  // worker that the OS descheduled does not cost us a spinning core.
  const auto spin_until = std::chrono::steady_clock::now() + kCallerSpinTime;
  for (int i = 0;; ++i) {
    const uint32_t left = pending_.load(std::memory_order_acquire);
    if (left == 0) break;
    if ((i & 63) == 63 && std::chrono::steady_clock::now() > spin_until) {
      caller_waiting_.store(true, std::memory_order_seq_cst);
      const uint32_t now = pending_.load(std::memory_order_seq_cst);
      if (now != 0) pending_.wait(now, std::memory_order_seq_cst);
      caller_waiting_.store(false, std::memory_order_relaxed);
    } else {
      cpu_relax();
    }
  }
}

void ThreadPool::worker_loop(size_t index) {
  // Generation 0 is the state before the first job: a job published before this thread got here
  // must still be seen as new.
  uint32_t seen = 0;
  for (;;) {
    // Spin for new work, then sleep until the generation changes.
    const auto spin_until = std::chrono::steady_clock::now() + kSpinTime;
    uint32_t now = generation_.load(std::memory_order_acquire);
    for (int i = 0; now == seen; ++i) {
      cpu_relax();
      if ((i & 255) == 255 && std::chrono::steady_clock::now() > spin_until) {
        sleeping_.fetch_add(1, std::memory_order_seq_cst);
        generation_.wait(seen, std::memory_order_seq_cst);
        sleeping_.fetch_sub(1, std::memory_order_relaxed);
      }
      now = generation_.load(std::memory_order_acquire);
    }
    seen = now;
    if (stop_.load(std::memory_order_relaxed)) return;
    call_(ctx_, index);
    if (pending_.fetch_sub(1, std::memory_order_seq_cst) == 1 &&
        caller_waiting_.load(std::memory_order_seq_cst)) {
      pending_.notify_one();
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
