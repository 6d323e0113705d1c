#include "engine/tokenizer/bpe_merge.h"

#include <climits>
#include <cstddef>
#include <functional>
#include <queue>
#include <tuple>

namespace engine {
namespace {

// Longer pieces go to the heap: the scan costs O(n) per merge.
constexpr size_t kScanMaxLength = 48;

}  // namespace

void bpe_merge_scan(const MergeTable& merges, std::vector<int32_t>& ids) {
  if (ids.size() < 2) return;
  // ranks[i]: rank of the pair (ids[i], ids[i + 1]), INT_MAX when it has no merge. On the stack
  // for words (this runs once per piece of text), on the heap past that.
  constexpr size_t kStack = 64;
  int32_t stack_ranks[kStack], stack_results[kStack];
  std::vector<int32_t> heap_ranks, heap_results;
  int32_t* ranks = stack_ranks;
  int32_t* results = stack_results;
  if (ids.size() > kStack) {
    heap_ranks.resize(ids.size());
    heap_results.resize(ids.size());
    ranks = heap_ranks.data();
    results = heap_results.data();
  }
  size_t n = ids.size();  // symbols left; pairs are [0, n - 1)
  const auto rank_pair = [&](size_t i) {
    const MergeTable::Entry* e = merges.find(ids[i], ids[i + 1]);
    ranks[i] = e ? e->rank : INT_MAX;
    results[i] = e ? e->result : 0;
  };
  for (size_t i = 0; i + 1 < n; ++i) rank_pair(i);
  while (n > 1) {
    size_t best = 0;
    for (size_t i = 1; i + 1 < n; ++i) {
      if (ranks[i] < ranks[best]) best = i;
    }
    if (ranks[best] == INT_MAX) break;
    ids[best] = results[best];
    for (size_t i = best + 1; i + 1 < n; ++i) ids[i] = ids[i + 1];  // close the gap
    for (size_t i = best + 1; i + 2 < n; ++i) {
      ranks[i] = ranks[i + 1];
      results[i] = results[i + 1];
    }
    --n;
    if (best > 0) rank_pair(best - 1);
    if (best + 1 < n) rank_pair(best);
  }
  ids.resize(n);
}

void bpe_merge_heap(const MergeTable& merges, std::vector<int32_t>& ids) {
  const size_t n = ids.size();
  if (n < 2) return;
  // Symbols as a doubly linked list over the original positions; a merged-away symbol is dead.
  constexpr size_t kNone = SIZE_MAX;
  std::vector<size_t> prev(n), next(n);
  std::vector<bool> alive(n, true);
  for (size_t i = 0; i < n; ++i) {
    prev[i] = i == 0 ? kNone : i - 1;
    next[i] = i + 1 == n ? kNone : i + 1;
  }
  // (rank, left position, left id, right id): the ids make stale entries detectable.
  using Candidate = std::tuple<int32_t, size_t, int32_t, int32_t>;
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue;
  const auto push = [&](size_t left) {
    if (left == kNone || next[left] == kNone) return;
    if (const MergeTable::Entry* e = merges.find(ids[left], ids[next[left]])) {
      queue.emplace(e->rank, left, ids[left], ids[next[left]]);
    }
  };
  for (size_t i = 0; i + 1 < n; ++i) push(i);
  while (!queue.empty()) {
    const auto [rank, left, left_id, right_id] = queue.top();
    queue.pop();
    const size_t right = next[left];
    if (!alive[left] || right == kNone || ids[left] != left_id || ids[right] != right_id) continue;
    ids[left] = merges.find(left_id, right_id)->result;
    alive[right] = false;
    next[left] = next[right];
    if (next[right] != kNone) prev[next[right]] = left;
    push(prev[left]);
    push(left);
  }
  size_t out = 0;
  for (size_t i = 0; i != kNone; i = next[i]) ids[out++] = ids[i];
  ids.resize(out);
}

void bpe_merge(const MergeTable& merges, std::vector<int32_t>& ids) {
  if (ids.size() <= kScanMaxLength) {
    bpe_merge_scan(merges, ids);
  } else {
    bpe_merge_heap(merges, ids);
  }
}

}  // namespace engine
