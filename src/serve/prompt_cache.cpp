#include "serve/prompt_cache.h"

#include <algorithm>
#include <utility>

namespace serve {

size_t common_prefix(std::span<const int32_t> a, std::span<const int32_t> b) {
  return static_cast<size_t>(std::ranges::mismatch(a, b).in1 - a.begin());
}

std::string_view cache_outcome_name(CacheOutcome outcome) {
  switch (outcome) {
    case CacheOutcome::kDisabled:
      return "disabled";
    case CacheOutcome::kMiss:
      return "miss";
    case CacheOutcome::kTaken:
      return "taken";
    case CacheOutcome::kCopied:
      return "copied";
  }
  return "unknown";
}

PromptCache::PromptCache(const PromptCacheOptions& options) : options_(options) {
  stats_.enabled = options.enabled;
  stats_.max_bytes = options.max_bytes;
  stats_.max_sessions = options.max_sessions;
}

size_t PromptCache::reusable_prefix(const Entry& entry, size_t common) {
  // Attention K/V truncates to any prefix; a recurrent state resumes only from its end or its
  // largest snapshot at or below `common` (see Entry::state).
  return entry.state.resumable_prefix(common);
}

std::optional<PromptCache::Choice> PromptCache::choose(const CacheKey& key,
                                                       std::span<const int32_t> prompt) const {
  if (prompt.empty()) return std::nullopt;
  std::optional<Choice> best;
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->identity != key.identity) continue;
    const size_t common = common_prefix(it->state.tokens(), prompt);
    // The last prompt token always runs: its logits choose the first output token.
    const size_t reuse = reusable_prefix(*it, std::min(common, prompt.size() - 1));
    if (reuse == 0) continue;
    const bool own = it->session == key.session;
    // Entries come most recently used first, so an equal candidate found later never wins.
    const bool better = !best || reuse > best->reuse ||
                        (reuse == best->reuse && own && best->entry->session != key.session);
    if (!better) continue;
    const bool continues = common + kContinuationSlack >= it->prompt_tokens;
    best = Choice{.entry = it, .common = common, .reuse = reuse, .take = own && continues};
  }
  return best;
}

CacheLease PromptCache::acquire(const CacheKey& key, std::span<const int32_t> prompt,
                                const std::function<engine::SequenceState()>& make_empty,
                                Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!options_.enabled) {
    return {.state = make_empty(),
            .outcome = CacheOutcome::kDisabled,
            .reason = "cache-off",
            .source = ""};
  }
  const std::optional<Choice> choice = choose(key, prompt);
  if (!choice) {
    ++stats_.misses;
    const bool any_same_identity =
        std::any_of(entries_.begin(), entries_.end(),
                    [&](const Entry& e) { return e.identity == key.identity; });
    const char* reason = entries_.empty()     ? "empty"
                         : !any_same_identity ? "other-identity"
                                              : "no-common-prefix";
    return {.state = make_empty(), .outcome = CacheOutcome::kMiss, .reason = reason, .source = ""};
  }
  ++stats_.hits;
  stats_.reused_tokens += choice->reuse;
  // erase() and splice() want a mutable iterator; this one points at the same entry.
  const auto it = entries_.erase(choice->entry, choice->entry);
  if (choice->take) {
    // The request owns the state until release() puts it back as a new entry.
    CacheLease lease{.state = std::move(it->state),
                     .reused = choice->reuse,
                     .outcome = CacheOutcome::kTaken,
                     .reason = "session-continues",
                     .source = it->session};
    entries_.erase(it);
    lease.state.truncate(choice->reuse);
    return lease;
  }
  // The source served a request: it counts as used now.
  it->last_used = now;
  entries_.splice(entries_.begin(), entries_, it);
  return {.state = it->state.copy_prefix(choice->reuse),
          .reused = choice->reuse,
          .outcome = CacheOutcome::kCopied,
          .reason = it->session == key.session ? "branches-off-session" : "other-session",
          .source = it->session};
}

size_t PromptCache::peek(const CacheKey& key, std::span<const int32_t> prompt) const {
  std::lock_guard lock(mutex_);
  if (!options_.enabled) return 0;
  const std::optional<Choice> choice = choose(key, prompt);
  return choice ? choice->reuse : 0;
}

bool PromptCache::release(const CacheKey& key, engine::SequenceState state, size_t prompt_tokens,
                          Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!options_.enabled || state.n_tokens() == 0) return false;
  entries_.push_front(Entry{.identity = key.identity,
                            .session = key.session,
                            .prompt_tokens = std::min(prompt_tokens, state.n_tokens()),
                            .last_used = now,
                            .state = std::move(state)});
  evict_to_bounds();
  // Eviction takes the front, the new entry, only when nothing else is left to take.
  return !entries_.empty();
}

void PromptCache::evict_to_bounds() {
  size_t bytes = bytes_locked();
  while (!entries_.empty() &&
         (entries_.size() > options_.max_sessions || bytes > options_.max_bytes)) {
    bytes -= entries_.back().state.memory_bytes();
    entries_.pop_back();
    ++stats_.evictions;
  }
}

size_t PromptCache::expire(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (options_.ttl.count() <= 0) return 0;
  const size_t before = entries_.size();
  entries_.remove_if([&](const Entry& e) { return now - e.last_used > options_.ttl; });
  const size_t expired = before - entries_.size();
  stats_.evictions += expired;
  return expired;
}

size_t PromptCache::bytes_locked() const {
  size_t bytes = 0;
  for (const Entry& e : entries_) bytes += e.state.memory_bytes();
  return bytes;
}

PromptCacheStats PromptCache::stats() const {
  std::lock_guard lock(mutex_);
  PromptCacheStats s = stats_;
  s.entries = entries_.size();
  s.bytes = bytes_locked();
  return s;
}

}  // namespace serve
