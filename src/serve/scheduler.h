// serve::Scheduler: runs generation requests against the model one at a time, on one worker
// thread, behind a bounded queue (batching of several live sequences comes later). Each run:
// prompt ids -> prompt cache lookup -> prefill of the rest in chunks (progress reported,
// cancellation checked between chunks) -> decode loop (sampler, end-of-generation tokens,
// max_tokens, the context size, the observer's stop) -> tokens through the TokenDecoder to the
// observer -> the state back into the prompt cache. Per run it logs one `[cache]` line when the
// lookup is done and one `[perf]` line at the end (request_log.h).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/model/model.h"
#include "engine/tokenizer/tokenizer.h"
#include "serve/generation.h"
#include "serve/prompt_cache.h"

namespace serve {

struct SchedulerOptions {
  size_t queue_size = 16;      // runs that may wait while one runs; more are refused
  size_t context_size = 4096;  // positions a sequence may hold
  size_t prefill_chunk = 512;  // prompt tokens per forward call between cancellation checks
  // How often the idle worker drops prompt-cache entries past their TTL.
  std::chrono::milliseconds expiry_interval = std::chrono::seconds(1);
};

class Scheduler {
 public:
  // `model`, `tokenizer` and `cache` are borrowed and must outlive the scheduler.
  Scheduler(engine::Model& model, const engine::Tokenizer& tokenizer, PromptCache& cache,
            const SchedulerOptions& options);
  // Calls shutdown() and joins the worker.
  ~Scheduler();

  // Cancels the running request and finishes the queued ones as cancelled (their observers get
  // on_finish(kCancelled)); later submits are refused. Returns at once; idempotent.
  void shutdown();

  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Queues a run. Returns false, and calls nothing on the observer, when queue_size runs already
  // wait (the server answers 529 overloaded_error). The observer is called on the worker thread.
  [[nodiscard]] bool submit(GenerationRequest request, std::shared_ptr<GenerationObserver> observer,
                            std::shared_ptr<const CancelFlag> cancel);

  size_t queued() const;
  bool busy() const;
  const SchedulerOptions& options() const { return options_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Job {
    GenerationRequest request;
    std::shared_ptr<GenerationObserver> observer;
    std::shared_ptr<const CancelFlag> cancel;
    Clock::time_point submitted;
  };

  void work();
  void run(Job& job);

  engine::Model& model_;                // borrowed
  const engine::Tokenizer& tokenizer_;  // borrowed
  PromptCache& cache_;                  // borrowed
  const SchedulerOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool running_ = false;
  bool stopping_ = false;
  CancelFlag stop_flag_;  // set on destruction: the running job stops too
  std::thread worker_;    // last: starts once everything above exists
};

}  // namespace serve
