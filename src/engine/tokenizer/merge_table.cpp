#include "engine/tokenizer/merge_table.h"

namespace engine {

void MergeTable::reserve(size_t n) {
  int bits = 4;
  while ((size_t{1} << bits) < 2 * n + 1) ++bits;
  slots_.assign(size_t{1} << bits, Entry{});
  mask_ = (uint64_t{1} << bits) - 1;
  shift_ = 64 - bits;
  size_ = 0;
}

void MergeTable::insert(int32_t left, int32_t right, int32_t rank, int32_t result) {
  if (2 * (size_ + 1) > slots_.size()) {  // keep at most half full: grow and re-insert
    std::vector<Entry> old = std::move(slots_);
    reserve(size_ + 1 > old.size() ? size_ + 1 : old.size());
    for (const Entry& e : old) {
      if (e.key != kEmpty) {
        insert(static_cast<int32_t>(e.key >> 32), static_cast<int32_t>(e.key & 0xFFFFFFFFu), e.rank,
               e.result);
      }
    }
  }
  const uint64_t key = make_key(left, right);
  for (uint64_t i = hash(key);; i = (i + 1) & mask_) {
    Entry& e = slots_[i];
    if (e.key == key) return;  // keep the earlier rank
    if (e.key == kEmpty) {
      e = Entry{key, rank, result};
      ++size_;
      return;
    }
  }
}

}  // namespace engine
