// The BPE merges as a hash table: (left id, right id) -> (rank, merged id). Open addressing with
// linear probing on a power-of-two table at most half full, so a lookup is one multiply and
// usually one cache line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace engine {

class MergeTable {
 public:
  struct Entry {
    uint64_t key = kEmpty;  // left << 32 | right
    int32_t rank = 0;       // position in the merges list: lower merges first
    int32_t result = 0;     // the merged token
  };

  // Makes room for `n` merges; call once, before insert.
  void reserve(size_t n);
  // Adds a merge; a pair already present keeps its first (better) rank.
  void insert(int32_t left, int32_t right, int32_t rank, int32_t result);
  // The merge of left + right, or nullptr.
  const Entry* find(int32_t left, int32_t right) const {
    if (slots_.empty()) return nullptr;
    const uint64_t key = make_key(left, right);
    for (uint64_t i = hash(key);; i = (i + 1) & mask_) {
      const Entry& e = slots_[i];
      if (e.key == key) return &e;
      if (e.key == kEmpty) return nullptr;
    }
  }
  size_t size() const { return size_; }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t{0};  // ids are >= 0, so no key is all ones
  static uint64_t make_key(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
           static_cast<uint32_t>(right);
  }
  uint64_t hash(uint64_t key) const { return (key * 0x9E3779B97F4A7C15ull) >> shift_; }

  std::vector<Entry> slots_;
  uint64_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;
};

}  // namespace engine
