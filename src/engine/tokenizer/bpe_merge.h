// The BPE merge loop: repeatedly merges the adjacent pair of lowest rank (the leftmost of equal
// ranks) until no pair has a merge. Same order as Hugging Face tokenizers, transformers.js and
// llama.cpp, which all pop (rank, position) from a priority queue.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/tokenizer/merge_table.h"

namespace engine {

// Merges `ids` (a piece's byte tokens) in place. Short pieces take an O(n^2) scan, which is fastest
// for words; long ones (hostile input: a megabyte of one letter) a heap, O(n log n).
void bpe_merge(const MergeTable& merges, std::vector<int32_t>& ids);

// The two strategies, exposed so that tests can check that they agree.
void bpe_merge_scan(const MergeTable& merges, std::vector<int32_t>& ids);
void bpe_merge_heap(const MergeTable& merges, std::vector<int32_t>& ids);

}  // namespace engine
