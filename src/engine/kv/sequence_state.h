// What a sequence leaves behind in the model: per layer, the keys and values of every position so
// far (F16), and the token ids they came from. The prompt cache keeps these between requests, so
// they can be truncated to a shorter prefix, copied, and saved to and loaded from bytes.
//
// Layout per layer: K [n_head_kv][capacity][head_dim_k] and V [n_head_kv][capacity][head_dim_v]
// fp16 bits, head-major so attention streams one head's positions contiguously. Capacity grows by
// doubling up to max_tokens (the configured context size).
//
// Architectures with recurrent layers (Qwen3.5/3.6's Gated DeltaNet) will add a second kind of
// layer state here: a fixed-size recurrent state that cannot be truncated, only snapshotted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

namespace engine {

struct KvShape {
  uint32_t n_layer = 0;
  uint32_t n_head_kv = 0;
  uint32_t head_dim_k = 0;
  uint32_t head_dim_v = 0;

  bool operator==(const KvShape&) const = default;
  size_t bytes_per_token() const {
    return size_t{n_layer} * n_head_kv * (head_dim_k + head_dim_v) * sizeof(uint16_t);
  }
};

// The sequence would grow past its context size. The message says by how much.
class ContextFullError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SequenceState {
 public:
  SequenceState(const KvShape& shape, size_t max_tokens);
  SequenceState(SequenceState&&) = default;
  SequenceState& operator=(SequenceState&&) = default;

  const KvShape& shape() const { return shape_; }
  size_t max_tokens() const { return max_tokens_; }
  size_t n_tokens() const { return tokens_.size(); }
  std::span<const int32_t> tokens() const { return tokens_; }
  size_t capacity() const { return capacity_; }
  // Bytes held by the K/V buffers (capacity, not just the filled part).
  size_t memory_bytes() const;

  // Makes room for n more positions; throws ContextFullError past max_tokens.
  void reserve_more(size_t n);
  // Records that positions n_tokens().. hold `tokens` (their K/V written by the forward pass).
  void append(std::span<const int32_t> tokens);
  // Forgets every position from n on.
  void truncate(size_t n);

  // An explicit copy of the first n positions (n <= n_tokens()).
  SequenceState copy_prefix(size_t n) const;

  // Serialises shape, tokens and the filled K/V; load() checks everything it reads and throws
  // std::invalid_argument for bytes that are not a state of this shape.
  std::vector<uint8_t> save() const;
  static SequenceState load(std::span<const uint8_t> bytes, const KvShape& shape,
                            size_t max_tokens);

  // fp16 K/V of a layer: head h at position t is k(layer) + h * k_head_stride() + t * head_dim_k.
  uint16_t* k(size_t layer) { return k_[layer].data(); }
  uint16_t* v(size_t layer) { return v_[layer].data(); }
  const uint16_t* k(size_t layer) const { return k_[layer].data(); }
  const uint16_t* v(size_t layer) const { return v_[layer].data(); }
  size_t k_head_stride() const { return capacity_ * shape_.head_dim_k; }
  size_t v_head_stride() const { return capacity_ * shape_.head_dim_v; }

 private:
  void grow_to(size_t capacity);

  KvShape shape_;
  size_t max_tokens_;
  size_t capacity_ = 0;
  std::vector<int32_t> tokens_;
  std::vector<std::vector<uint16_t>> k_;  // [n_layer] of [n_head_kv][capacity][head_dim_k]
  std::vector<std::vector<uint16_t>> v_;  // [n_layer] of [n_head_kv][capacity][head_dim_v]
};

}  // namespace engine
