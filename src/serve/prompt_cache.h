// serve::PromptCache: the sequence states of recent requests, kept so that the next request that
// starts with the same tokens prefills only the rest. Claude Code resends its whole 15-25k-token
// prompt every turn; with the cache a turn costs only its new tokens.
//
// An entry is a SequenceState (its tokens() are the ids it holds: the prompt of its last request,
// then what the model generated) plus the session that left it and the identity of the model,
// template and tokenizer that produced the ids. A request reuses the longest common prefix of its
// ids with an entry of the same identity; equal ids are the only criterion, so a wrong hit cannot
// happen: anything else falls back to prefill.
//
// Choosing the entry (acquire): among all entries of the same identity, the longest common prefix
// wins; on a tie, the request's own session, then the most recently used. The winner is then
//   - taken (moved out, no copy) when it belongs to the request's session (or both are sessionless)
//     and the request continues it: the common prefix reaches the end of the entry's prompt, give
//     or take kContinuationSlack tokens (a chat template renders the generation prompt of one turn
//     slightly differently from the same turn in the history of the next, e.g. Qwen3's empty
//     <think></think>). The entry is truncated to the common prefix and comes back, extended, on
//     release.
//   - copied (SequenceState::copy_prefix) otherwise: another session's prefix (the shared system
//     prompt and tools), or a request of the same session that branches off inside the entry's
//     prompt (a side request such as a title generation, an edited message, a compaction), which
//     must not cut the main conversation short. The copy becomes a new entry on release.
// Reuse stops one token short of the prompt: the last prompt token is always run, for its logits.
//
// Bounds: at most max_sessions entries and max_bytes of state (SequenceState::memory_bytes), least
// recently used out first; entries idle longer than ttl expire. A state out on a request is not
// counted until it is released. Thread-safe: the scheduler's worker acquires and releases, the HTTP
// threads peek and read stats.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "engine/kv/sequence_state.h"

namespace serve {

struct PromptCacheOptions {
  bool enabled = true;
  size_t max_bytes = size_t{8} << 30;
  std::chrono::milliseconds ttl = std::chrono::minutes(30);
  size_t max_sessions = 8;
};

// What a request's state is looked up by. `identity` names the model file, chat template and
// tokenizer (ids from another tokenizer or template must never match); `session` is the client's
// conversation ("" when the request names none).
struct CacheKey {
  std::string identity;
  std::string session;
};

// How acquire() found the request's state.
enum class CacheOutcome {
  kDisabled,  // the cache is off
  kMiss,      // nothing reusable: a fresh state
  kTaken,     // the request's own entry, moved out and truncated
  kCopied,    // a copy of another entry's prefix
};

std::string_view cache_outcome_name(CacheOutcome outcome);  // "disabled", "miss", "taken", "copied"

// The state a request runs on, and where it came from.
struct CacheLease {
  engine::SequenceState state;  // holds exactly the `reused` positions; owned by the request
  size_t reused = 0;            // prompt positions read from the cache
  CacheOutcome outcome = CacheOutcome::kMiss;
  std::string reason;  // for the log: why this outcome (see prompt_cache.cpp)
  std::string source;  // the session of the entry used, "" for none or a sessionless entry
};

struct PromptCacheStats {
  bool enabled = false;
  size_t entries = 0;
  size_t bytes = 0;
  size_t max_bytes = 0;
  size_t max_sessions = 0;
  uint64_t hits = 0;  // acquisitions that reused at least one token
  uint64_t misses = 0;
  uint64_t reused_tokens = 0;  // summed over all hits
  uint64_t evictions = 0;
};

class PromptCache {
 public:
  using Clock = std::chrono::steady_clock;
  // Prompt tokens an entry may lose and still count as continued by the next request.
  static constexpr size_t kContinuationSlack = 32;

  explicit PromptCache(const PromptCacheOptions& options);

  PromptCache(const PromptCache&) = delete;
  PromptCache& operator=(const PromptCache&) = delete;

  const PromptCacheOptions& options() const { return options_; }

  // The state `prompt` should start from (see the file comment). `make_empty` makes a fresh state
  // when nothing is reused. An entry taken leaves the cache until release().
  CacheLease acquire(const CacheKey& key, std::span<const int32_t> prompt,
                     const std::function<engine::SequenceState()>& make_empty,
                     Clock::time_point now);

  // How many prompt positions acquire() would reuse now, without changing anything (for the usage
  // announced in message_start before the request reaches the model).
  size_t peek(const CacheKey& key, std::span<const int32_t> prompt) const;

  // Puts a request's state back: `prompt_tokens` of it were the request's prompt, the rest its
  // output. Returns false if it was not kept (the cache is off, or the state alone exceeds
  // max_bytes). Evicts least recently used entries to stay within the bounds.
  bool release(const CacheKey& key, engine::SequenceState state, size_t prompt_tokens,
               Clock::time_point now);

  // Drops entries idle for longer than the TTL. Returns how many.
  size_t expire(Clock::time_point now);

  PromptCacheStats stats() const;

 private:
  struct Entry {
    std::string identity;
    std::string session;
    // Positions of the state that were the prompt of the request that left it; the rest is output.
    size_t prompt_tokens = 0;
    Clock::time_point last_used;
    // The attention K/V of every position: it truncates to any prefix. Recurrent-state models
    // (Qwen3.5/3.6's Gated DeltaNet layers) cannot truncate their state; for them the entry will
    // hold snapshots of the recurrent state at the ends of earlier prompts (and block boundaries),
    // and reusable_prefix() will return the largest snapshot position <= the common prefix.
    engine::SequenceState state;
  };

  struct Choice {
    std::list<Entry>::const_iterator entry;
    size_t common = 0;  // common prefix of the entry's tokens and the prompt
    size_t reuse = 0;   // positions that can be reused (< prompt size)
    bool take = false;
  };

  // The best entry for the prompt, or nullopt when no entry shares a reusable prefix.
  std::optional<Choice> choose(const CacheKey& key, std::span<const int32_t> prompt) const;
  // Positions of `entry` a request sharing `common` tokens with it can resume from.
  static size_t reusable_prefix(const Entry& entry, size_t common);
  // Evicts least recently used entries until the bounds hold; the newest entry (the front) goes
  // last, and only if it alone breaks them.
  void evict_to_bounds();
  size_t bytes_locked() const;

  const PromptCacheOptions options_;
  mutable std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  PromptCacheStats stats_;
};

// Length of the longest common prefix of two id sequences.
size_t common_prefix(std::span<const int32_t> a, std::span<const int32_t> b);

}  // namespace serve
