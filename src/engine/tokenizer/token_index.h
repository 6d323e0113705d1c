// Text -> token id for the ~150k tokens of a vocab: open addressing over (hash tag, id) slots. The
// index holds no text: callers pass `text_of(id)`, so it survives moves of what owns the text, and
// a lookup costs about one cache miss for the slot and one for the text (std::unordered_map costs
// a few more, which made loading a vocab slow).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace engine {

class TokenIndex {
 public:
  // Indexes text_of(i) -> i for i in [0, n) with non-empty text. Returns the first id whose text
  // repeats an earlier one's (which is then not indexed), if any.
  template <typename TextOf>
  std::optional<int32_t> build(int32_t n, TextOf text_of) {
    size_t n_slots = 16;
    while (n_slots < 2 * static_cast<size_t>(n) + 1) n_slots *= 2;
    slots_.assign(n_slots, Slot{});
    mask_ = n_slots - 1;
    std::optional<int32_t> repeated;
    for (int32_t id = 0; id < n; ++id) {
      const std::string_view text = text_of(id);
      if (text.empty()) continue;
      Slot* slot = probe(text, text_of);
      if (slot->id >= 0) {
        if (!repeated) repeated = id;
        continue;
      }
      *slot = Slot{tag_of(hash(text)), id};
    }
    return repeated;
  }

  template <typename TextOf>
  std::optional<int32_t> find(std::string_view text, TextOf text_of) const {
    if (slots_.empty()) return std::nullopt;
    const Slot* slot = const_cast<TokenIndex*>(this)->probe(text, text_of);
    return slot->id >= 0 ? std::optional<int32_t>(slot->id) : std::nullopt;
  }

 private:
  struct Slot {
    uint32_t tag = 0;  // high bits of the hash
    int32_t id = -1;   // -1: empty
  };

  static uint64_t hash(std::string_view text) {
    uint64_t h = 0xCBF29CE484222325ull;  // FNV-1a, then the high bits mixed into the low
    for (char c : text) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001B3ull;
    return h ^ (h >> 29);
  }
  static uint32_t tag_of(uint64_t h) { return static_cast<uint32_t>(h >> 32); }

  // The slot holding `text`, or the empty slot where it would go.
  template <typename TextOf>
  Slot* probe(std::string_view text, TextOf& text_of) {
    const uint64_t h = hash(text);
    const uint32_t tag = tag_of(h);
    for (uint64_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.id < 0 || (s.tag == tag && text_of(s.id) == text)) return &s;
    }
  }

  std::vector<Slot> slots_;
  uint64_t mask_ = 0;
};

}  // namespace engine
