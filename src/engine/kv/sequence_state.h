// What a sequence leaves behind in the model: per layer, the keys and values of every position so
// far (fp16, or Q8_0 blocks: kv_type.h), and the token ids they came from. The prompt cache keeps
// these between requests, so they can be truncated to a shorter prefix, copied, and saved to and
// loaded from bytes.
//
// Layout per layer: K [n_head_kv][capacity][row of head_dim_k] and V [n_head_kv][capacity][row of
// head_dim_v], each row kv_row_bytes(kv_type, head_dim) bytes, head-major so attention streams
// one head's positions contiguously. Capacity grows by
// doubling up to max_tokens (the configured context size).
//
// Hybrid architectures (Qwen3.5/3.6) also have recurrent layers (Gated DeltaNet): each holds a
// fixed-size float32 state that summarises every position so far. Such a state cannot be cut back
// to an earlier position, so the sequence keeps snapshots of it at chosen positions: truncate(n)
// and copy_prefix(n) reach n only when n is 0, n_tokens() or a snapshot's position
// (resumable_prefix() says which). A state without recurrent layers reaches any n as before.
//
// How a prompt cache uses it: keep_snapshot() right after prefilling a prompt (and at any other
// position later requests may branch from: the caller splits its forward() there); a new request
// whose tokens share `common` tokens with the entry resumes from resumable_prefix(common), by
// truncate() (taking the entry) or copy_prefix() (copying it); the snapshots count in
// memory_bytes(), and drop_snapshot() frees those no longer worth their bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

#include "engine/kv/kv_type.h"

namespace engine {

// What a sequence's state holds per layer kind. n_layer counts the layers with a K/V cache (all
// of a transformer's, the attention layers of a hybrid model); n_recurrent the recurrent ones.
struct KvShape {
  uint32_t n_layer = 0;
  uint32_t n_head_kv = 0;
  uint32_t head_dim_k = 0;
  uint32_t head_dim_v = 0;
  uint32_t n_recurrent = 0;
  uint32_t conv_floats = 0;  // per recurrent layer: the causal convolution's last inputs
  uint32_t ssm_floats = 0;   // per recurrent layer: the delta-rule state of every head
  KvType kv_type = KvType::kF16;

  bool operator==(const KvShape&) const = default;
  // Bytes of one position's key (value) row of one head.
  size_t k_row_bytes() const { return kv_row_bytes(kv_type, head_dim_k); }
  size_t v_row_bytes() const { return kv_row_bytes(kv_type, head_dim_v); }
  // K/V bytes each position adds.
  size_t bytes_per_token() const {
    return size_t{n_layer} * n_head_kv * (k_row_bytes() + v_row_bytes());
  }
  // Floats of all recurrent layers' state (the same for any length), and of one snapshot of it.
  size_t recurrent_floats() const { return size_t{n_recurrent} * (conv_floats + ssm_floats); }
  size_t recurrent_bytes() const { return recurrent_floats() * sizeof(float); }
};

// The sequence would grow past its context size. The message says by how much.
class ContextFullError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SequenceState {
 public:
  // Throws std::invalid_argument when the head dimensions do not fit shape.kv_type.
  SequenceState(const KvShape& shape, size_t max_tokens);
  SequenceState(SequenceState&&) = default;
  SequenceState& operator=(SequenceState&&) = default;

  const KvShape& shape() const { return shape_; }
  size_t max_tokens() const { return max_tokens_; }
  size_t n_tokens() const { return tokens_.size(); }
  std::span<const int32_t> tokens() const { return tokens_; }
  size_t capacity() const { return capacity_; }
  // Bytes held: the K/V buffers (capacity, not just the filled part), the recurrent state and
  // its snapshots.
  size_t memory_bytes() const;

  // Makes room for n more positions; throws ContextFullError past max_tokens.
  void reserve_more(size_t n);
  // Records that positions n_tokens().. hold `tokens` (their K/V written by the forward pass).
  void append(std::span<const int32_t> tokens);
  // Forgets every position from n on (nothing when n >= n_tokens()). With recurrent layers, n
  // must be resumable (resumable_prefix(n) == n): the state returns to the snapshot at n, and
  // later snapshots are dropped; otherwise throws std::invalid_argument and changes nothing.
  void truncate(size_t n);

  // An explicit copy of the first n positions (n <= n_tokens(), else std::out_of_range), with
  // the snapshots at positions <= n. With recurrent layers n must be resumable, else throws
  // std::invalid_argument.
  SequenceState copy_prefix(size_t n) const;

  // --- Recurrent layers and their snapshots ---
  bool has_recurrent() const { return shape_.n_recurrent > 0; }
  // Keeps a copy of the recurrent state at the current position, n_tokens() (replacing one kept
  // there); it costs shape().recurrent_bytes(). Does nothing without recurrent layers.
  void keep_snapshot();
  // Positions of the kept snapshots, ascending.
  std::vector<size_t> snapshot_positions() const;
  // Frees the snapshot at `position`, if there is one.
  void drop_snapshot(size_t position);
  // The largest position <= min(n, n_tokens()) that truncate() and copy_prefix() can reach: that
  // position itself without recurrent layers; else 0, n_tokens() or a snapshot's position.
  size_t resumable_prefix(size_t n) const;

  // Serialises shape, tokens, the filled K/V, the recurrent state and its snapshots; load()
  // checks everything it reads and throws std::invalid_argument for bytes that are not a state
  // of this shape.
  std::vector<uint8_t> save() const;
  static SequenceState load(std::span<const uint8_t> bytes, const KvShape& shape,
                            size_t max_tokens);

  // K/V bytes of a layer: the row of head h at position t starts at
  // k(layer) + h * k_head_stride() + t * shape().k_row_bytes(); likewise v.
  const uint8_t* k(size_t layer) const { return k_[layer].data(); }
  const uint8_t* v(size_t layer) const { return v_[layer].data(); }
  size_t k_head_stride() const { return capacity_ * shape_.k_row_bytes(); }
  size_t v_head_stride() const { return capacity_ * shape_.v_row_bytes(); }
  // Stores the key and value rows (head_dim_k, head_dim_v floats) of kv head `head` at position
  // `pos` of `layer`, in the cache's type (a quantized one rotated: kv_key_rotation); pos must be
  // below capacity() (reserve_more first).
  void store_kv(size_t layer, size_t head, size_t pos, const float* key, const float* value);

  // float32 state of recurrent layer r (0 <= r < n_recurrent): conv_floats then ssm_floats, laid
  // out as the model defines them; all zero for an empty sequence.
  float* conv_state(size_t r) { return recurrent_.data() + r * recurrent_stride(); }
  float* ssm_state(size_t r) { return conv_state(r) + shape_.conv_floats; }

 private:
  struct Snapshot {
    size_t position = 0;
    std::vector<float> recurrent;  // [n_recurrent][conv_floats + ssm_floats]
  };

  void grow_to(size_t capacity);
  size_t recurrent_stride() const { return size_t{shape_.conv_floats} + shape_.ssm_floats; }
  const Snapshot* find_snapshot(size_t position) const;
  // The recurrent state at a resumable position n (zeros for 0).
  std::vector<float> recurrent_at(size_t n) const;

  KvShape shape_;
  size_t max_tokens_;
  size_t capacity_ = 0;
  std::vector<int32_t> tokens_;
  std::vector<std::vector<uint8_t>> k_;  // [n_layer] of [n_head_kv][capacity][k row]
  std::vector<std::vector<uint8_t>> v_;  // [n_layer] of [n_head_kv][capacity][v row]
  std::vector<float> recurrent_;         // [n_recurrent][conv_floats + ssm_floats]
  std::vector<Snapshot> snapshots_;      // ascending positions, all <= n_tokens()
  std::vector<float> scratch_;           // a row being rotated by store_kv
};

}  // namespace engine
