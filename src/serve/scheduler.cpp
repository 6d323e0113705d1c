#include "serve/scheduler.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/tokenizer/token_decoder.h"
#include "serve/request_log.h"

namespace serve {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

std::string_view stop_cause_name(StopCause cause) {
  switch (cause) {
    case StopCause::kEndOfGeneration:
      return "end_of_generation";
    case StopCause::kMaxTokens:
      return "max_tokens";
    case StopCause::kContextFull:
      return "context_full";
    case StopCause::kObserver:
      return "observer";
    case StopCause::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

Scheduler::Scheduler(engine::Model& model, const engine::Tokenizer& tokenizer, PromptCache& cache,
                     const SchedulerOptions& options)
    : model_(model), tokenizer_(tokenizer), cache_(cache), options_(options) {
  if (options_.prefill_chunk == 0) throw std::invalid_argument("prefill chunk must be at least 1");
  if (options_.context_size < 2) throw std::invalid_argument("context size must be at least 2");
  worker_ = std::thread([this] { work(); });
}

Scheduler::~Scheduler() {
  shutdown();
  worker_.join();
}

void Scheduler::shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_flag_.cancel();
  wake_.notify_all();
}

bool Scheduler::submit(GenerationRequest request, std::shared_ptr<GenerationObserver> observer,
                       std::shared_ptr<const CancelFlag> cancel) {
  if (!request.sampler || !observer || !cancel) {
    throw std::invalid_argument("Scheduler::submit: a run needs a sampler, an observer and a flag");
  }
  {
    std::lock_guard lock(mutex_);
    // Admitted runs, waiting or running, are at most queue_size + 1.
    if (stopping_ || queue_.size() + (running_ ? 1 : 0) > options_.queue_size) return false;
    queue_.push_back(Job{.request = std::move(request),
                         .observer = std::move(observer),
                         .cancel = std::move(cancel),
                         .submitted = Clock::now()});
  }
  wake_.notify_one();
  return true;
}

size_t Scheduler::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

bool Scheduler::busy() const {
  std::lock_guard lock(mutex_);
  return running_;
}

void Scheduler::work() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait_for(lock, options_.expiry_interval, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    if (queue_.empty()) {
      lock.unlock();
      cache_.expire(Clock::now());
      lock.lock();
      continue;
    }
    Job job = std::move(queue_.front());
    queue_.pop_front();
    running_ = true;
    lock.unlock();
    cache_.expire(Clock::now());
    run(job);
    job = {};  // release the observer before the next job
    lock.lock();
    running_ = false;
  }
  // Whatever still waits is cancelled: its client gets an answer rather than silence.
  std::deque<Job> left = std::move(queue_);
  lock.unlock();
  for (Job& job : left) {
    GenerationStats stats;
    stats.prompt_tokens = job.request.prompt.size();
    job.observer->on_finish(StopCause::kCancelled, stats);
  }
}

void Scheduler::run(Job& job) {
  GenerationRequest& request = job.request;
  GenerationObserver& observer = *job.observer;
  const auto cancelled = [&] { return job.cancel->cancelled() || stop_flag_.cancelled(); };
  const std::span<const int32_t> prompt = request.prompt;

  GenerationStats stats;
  stats.prompt_tokens = prompt.size();
  const Clock::time_point start = Clock::now();
  stats.queue_s = seconds_between(job.submitted, start);
  if (cancelled()) {
    observer.on_finish(StopCause::kCancelled, stats);
    return;
  }
  if (prompt.empty() || prompt.size() >= options_.context_size) {
    observer.on_error("the prompt holds " + std::to_string(prompt.size()) +
                          " tokens; it must hold 1 to " + std::to_string(options_.context_size - 1),
                      stats);
    return;
  }

  CacheLease lease = cache_.acquire(
      request.cache_key, prompt, [&] { return model_.new_sequence(options_.context_size); }, start);
  engine::SequenceState state = std::move(lease.state);
  stats.cached_tokens = lease.reused;
  stats.rest_tokens = prompt.size() - lease.reused;
  stats.cache_outcome = lease.outcome;
  stats.cache_reason = std::move(lease.reason);
  stats.cache_source = std::move(lease.source);
  std::fprintf(stderr, "%s\n",
               cache_log_line(request.request_id, request.cache_key, stats).c_str());
  observer.on_prefill_start(stats);

  engine::TokenDecoder decoder(tokenizer_);
  // Ends the run: the state (a valid prefix of prompt + output) goes back to the cache first, so
  // that the usage the observer reports knows whether it was kept.
  const auto finish = [&](StopCause cause, Clock::time_point decode_start) {
    if (cause != StopCause::kCancelled) {
      // Bytes of a character the last token left unfinished come out as U+FFFD.
      const std::string tail = decoder.finish();
      if (!tail.empty()) observer.on_text(tail, -1);
    }
    const Clock::time_point end = Clock::now();
    if (stats.output_tokens > 0) stats.decode_s = seconds_between(decode_start, end);
    if (stats.ttft_s == 0) stats.ttft_s = seconds_between(job.submitted, end);
    stats.kept = cache_.release(request.cache_key, std::move(state), prompt.size(), end);
    std::fprintf(stderr, "%s\n", perf_log_line(request.request_id, cause, stats).c_str());
    observer.on_finish(cause, stats);
  };

  std::vector<float> logits(model_.config().n_vocab);  // [n_vocab] of the last position
  try {
    // Prefill in chunks, checking for a client that left in between.
    for (size_t pos = lease.reused; pos < prompt.size();) {
      if (cancelled()) {
        stats.prefill_s = seconds_between(start, Clock::now());
        finish(StopCause::kCancelled, Clock::now());
        return;
      }
      size_t n = std::min(options_.prefill_chunk, prompt.size() - pos);
      // A recurrent state (Qwen3.5/3.6) cannot be cut back to an earlier position: a copy of it
      // is kept one token before the end of the prompt (the last token always runs again), where
      // a repeat of this prompt or the next turn, which re-renders this turn's output, resumes.
      const size_t keep_at = prompt.size() - 1;
      if (state.has_recurrent() && pos < keep_at) n = std::min(n, keep_at - pos);
      const bool last = pos + n == prompt.size();
      model_.forward(prompt.subspan(pos, n), state,
                     last ? engine::Logits::kLast : engine::Logits::kNone,
                     last ? std::span<float>(logits) : std::span<float>());
      pos += n;
      if (state.has_recurrent() && pos == keep_at) {
        for (const size_t at : state.snapshot_positions()) state.drop_snapshot(at);
        state.keep_snapshot();
      }
      observer.on_prefill_progress(pos - lease.reused, stats.rest_tokens);
    }
    const Clock::time_point decode_start = Clock::now();
    stats.prefill_s = seconds_between(start, decode_start);

    while (true) {
      if (stats.output_tokens >= request.max_tokens)
        return finish(StopCause::kMaxTokens, decode_start);
      if (cancelled()) return finish(StopCause::kCancelled, decode_start);
      const int32_t next = request.sampler->sample(logits);
      ++stats.output_tokens;
      if (tokenizer_.is_eog(next)) return finish(StopCause::kEndOfGeneration, decode_start);
      const std::string text = tokenizer_.is_valid(next) ? decoder.feed(next) : std::string();
      if (stats.ttft_s == 0 && !text.empty())
        stats.ttft_s = seconds_between(job.submitted, Clock::now());
      if (!observer.on_text(text, next)) return finish(StopCause::kObserver, decode_start);
      if (stats.output_tokens >= request.max_tokens)
        return finish(StopCause::kMaxTokens, decode_start);
      if (state.n_tokens() >= options_.context_size) {
        return finish(StopCause::kContextFull, decode_start);
      }
      model_.forward(std::span(&next, 1), state, engine::Logits::kLast, logits);
    }
  } catch (const std::exception& e) {
    // The state may be half-written: it is dropped, not cached.
    stats.prefill_s = stats.prefill_s == 0 ? seconds_between(start, Clock::now()) : stats.prefill_s;
    std::fprintf(stderr, "[error] request=%s %s\n", log_field(request.request_id).c_str(),
                 e.what());
    observer.on_error(e.what(), stats);
  }
}

}  // namespace serve
