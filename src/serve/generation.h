// One request's run on the model: the prompt's ids in, text pieces out to an observer that the
// server wires to the chat output parser and the response sink. serve/ knows nothing of HTTP or of
// the Anthropic protocol; it reports what happened and the figures of the run.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/sampling/sampler.h"
#include "serve/prompt_cache.h"

namespace serve {

// Why generation stopped.
enum class StopCause {
  kEndOfGeneration,  // the model produced an end-of-generation token
  kMaxTokens,        // the request's max_tokens (or the server's cap) was reached
  kContextFull,      // the sequence reached the context size
  kObserver,         // the observer asked to stop (a stop sequence, a finished tool call)
  kCancelled,        // the client went away
};

std::string_view stop_cause_name(StopCause cause);

struct GenerationRequest {
  std::string request_id;  // for logs
  CacheKey cache_key;
  std::vector<int32_t> prompt;  // the rendered conversation's ids; not empty
  size_t max_tokens = 0;        // output tokens at most (0: the prompt is only prefilled)
  // The next-token chooser: a LogitSampler, or a ScriptedSampler under --scripted-replies.
  std::unique_ptr<engine::TokenSampler> sampler;
};

// What a run cost and where its prompt came from. In Anthropic's partition of the prompt:
//   cache_read_tokens     = cached_tokens: positions reused from the prompt cache;
//   cache_creation_tokens = rest_tokens when the state went back into the cache afterwards
//                           (`kept`), else 0;
//   input_tokens          = rest_tokens when the state was not kept, else 0;
// so the three always add up to prompt_tokens.
struct GenerationStats {
  size_t prompt_tokens = 0;
  size_t cached_tokens = 0;  // read from the cache
  size_t rest_tokens = 0;    // prefilled by this request
  size_t output_tokens = 0;  // sampled tokens, the final end-of-generation token included
  bool kept = false;         // the state went back into the prompt cache
  CacheOutcome cache_outcome = CacheOutcome::kMiss;
  std::string cache_reason;
  std::string cache_source;
  double queue_s = 0;    // submit to start
  double prefill_s = 0;  // cache lookup and prefill
  double decode_s = 0;   // first sample to the end
  double ttft_s = 0;     // submit to the first output text (or to the end, if none)

  size_t input_tokens() const { return kept ? 0 : rest_tokens; }
  size_t cache_creation_tokens() const { return kept ? rest_tokens : 0; }
  size_t cache_read_tokens() const { return cached_tokens; }
};

// Receives a run's events on the scheduler's worker thread, in this order:
// on_prefill_start, on_prefill_progress*, on_text*, then exactly one of on_finish or on_error.
// A request cancelled before it ran gets only on_finish(kCancelled, ...).
class GenerationObserver {
 public:
  virtual ~GenerationObserver() = default;
  // The cache lookup is done; `stats` holds the prompt's partition (cached and rest tokens).
  virtual void on_prefill_start(const GenerationStats& stats) { (void)stats; }
  // `done` of `total` rest tokens are prefilled.
  virtual void on_prefill_progress(size_t done, size_t total) {
    (void)done;
    (void)total;
  }
  // The complete UTF-8 characters a sampled token added (possibly none) and the token's id; at the
  // end, token -1 brings the U+FFFD of a character the output left unfinished. Returns false to
  // stop generating (a stop sequence matched, a tool call is complete).
  virtual bool on_text(std::string_view text, int32_t token) = 0;
  // The run ended. `cause` says why; after it no more events come.
  virtual void on_finish(StopCause cause, const GenerationStats& stats) = 0;
  // The engine failed (an exception other than a full context); the state was dropped.
  virtual void on_error(std::string_view message, const GenerationStats& stats) = 0;
};

// Set by the HTTP side when the client goes away; read by the worker between prefill chunks and
// before every token.
class CancelFlag {
 public:
  void cancel() { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> cancelled_{false};
};

}  // namespace serve
