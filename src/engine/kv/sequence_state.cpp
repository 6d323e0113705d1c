#include "engine/kv/sequence_state.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace engine {
namespace {

constexpr size_t kMinCapacity = 256;
constexpr uint32_t kMagic = 0x51534c41;  // "ALSQ"
constexpr uint32_t kVersion = 3;         // 2: recurrent state and snapshots; 3: the KV type

// Copies the first n positions of each head from a [heads][from_cap][row] buffer into a
// [heads][to_cap][row] one.
void copy_heads(const uint8_t* from, size_t from_cap, uint8_t* to, size_t to_cap, size_t heads,
                size_t row_bytes, size_t n) {
  for (size_t h = 0; h < heads; ++h) {
    std::memcpy(to + h * to_cap * row_bytes, from + h * from_cap * row_bytes, n * row_bytes);
  }
}

const KvShape& checked(const KvShape& shape) {
  require_kv_type_fits(shape.kv_type, shape.head_dim_k, shape.head_dim_v);
  return shape;
}
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  template <typename T>
  T value() {
    T v;
    take(&v, sizeof(T));
    return v;
  }
  void take(void* dst, size_t n) {
    if (n > bytes_.size() - pos_) {
      throw std::invalid_argument("sequence state: truncated at byte " + std::to_string(pos_) +
                                  ", " + std::to_string(n) + " more bytes needed");
    }
    if (n) std::memcpy(dst, bytes_.data() + pos_, n);
    pos_ += n;
  }
  bool done() const { return pos_ == bytes_.size(); }
  size_t remaining() const { return bytes_.size() - pos_; }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

void append_bytes(std::vector<uint8_t>& out, const void* data, size_t n) {
  const size_t at = out.size();
  out.resize(at + n);
  if (n) std::memcpy(out.data() + at, data, n);
}

template <typename T>
void put(std::vector<uint8_t>& out, const T& v) {
  append_bytes(out, &v, sizeof(T));
}

}  // namespace

SequenceState::SequenceState(const KvShape& shape, size_t max_tokens)
    : shape_(checked(shape)),
      max_tokens_(max_tokens),
      k_(shape.n_layer),
      v_(shape.n_layer),
      recurrent_(shape.recurrent_floats()) {}

size_t SequenceState::memory_bytes() const {
  return capacity_ * shape_.bytes_per_token() + (1 + snapshots_.size()) * shape_.recurrent_bytes();
}

void SequenceState::reserve_more(size_t n) {
  const size_t needed = tokens_.size() + n;
  if (needed > max_tokens_) {
    throw ContextFullError("the sequence needs " + std::to_string(needed) +
                           " positions but the context size is " + std::to_string(max_tokens_));
  }
  if (needed <= capacity_) return;
  grow_to(std::min(max_tokens_, std::max({needed, capacity_ * 2, kMinCapacity})));
}

void SequenceState::grow_to(size_t capacity) {
  const size_t n = tokens_.size();
  for (size_t l = 0; l < shape_.n_layer; ++l) {
    std::vector<uint8_t> k(shape_.n_head_kv * capacity * shape_.k_row_bytes());
    std::vector<uint8_t> v(shape_.n_head_kv * capacity * shape_.v_row_bytes());
    if (capacity_ > 0) {
      copy_heads(k_[l].data(), capacity_, k.data(), capacity, shape_.n_head_kv,
                 shape_.k_row_bytes(), n);
      copy_heads(v_[l].data(), capacity_, v.data(), capacity, shape_.n_head_kv,
                 shape_.v_row_bytes(), n);
    }
    k_[l] = std::move(k);
    v_[l] = std::move(v);
  }
  capacity_ = capacity;
}

void SequenceState::store_kv(size_t layer, size_t head, size_t pos, const float* key,
                             const float* value) {
  if (layer >= shape_.n_layer || head >= shape_.n_head_kv || pos >= capacity_) {
    throw std::logic_error("sequence state: store_kv outside the reserved cache");
  }
  // A quantized cache holds the rows rotated (kv_type.h).
  const auto store = [&](const float* row, size_t dim, size_t rotation, uint8_t* dst) {
    if (rotation != 0) {
      scratch_.assign(row, row + dim);
      hadamard_rotate(scratch_.data(), dim, rotation);
      row = scratch_.data();
    }
    kv_store_row(shape_.kv_type, row, dst, dim);
  };
  store(key, shape_.head_dim_k, kv_key_rotation(shape_.kv_type, shape_.head_dim_k),
        k_[layer].data() + head * k_head_stride() + pos * shape_.k_row_bytes());
  store(value, shape_.head_dim_v, kv_value_rotation(shape_.kv_type, shape_.head_dim_v),
        v_[layer].data() + head * v_head_stride() + pos * shape_.v_row_bytes());
}

void SequenceState::append(std::span<const int32_t> tokens) {
  if (tokens_.size() + tokens.size() > capacity_) {
    throw std::logic_error("sequence state: append past the reserved capacity");
  }
  tokens_.insert(tokens_.end(), tokens.begin(), tokens.end());
}

const SequenceState::Snapshot* SequenceState::find_snapshot(size_t position) const {
  for (const Snapshot& s : snapshots_) {
    if (s.position == position) return &s;
  }
  return nullptr;
}

void SequenceState::keep_snapshot() {
  if (!has_recurrent()) return;
  drop_snapshot(tokens_.size());
  const auto at = std::find_if(snapshots_.begin(), snapshots_.end(),
                               [&](const Snapshot& s) { return s.position > tokens_.size(); });
  snapshots_.insert(at, Snapshot{tokens_.size(), recurrent_});
}

std::vector<size_t> SequenceState::snapshot_positions() const {
  std::vector<size_t> positions;
  for (const Snapshot& s : snapshots_) positions.push_back(s.position);
  return positions;
}

void SequenceState::drop_snapshot(size_t position) {
  std::erase_if(snapshots_, [&](const Snapshot& s) { return s.position == position; });
}

size_t SequenceState::resumable_prefix(size_t n) const {
  n = std::min(n, tokens_.size());
  if (!has_recurrent() || n == tokens_.size()) return n;
  size_t best = 0;
  for (const Snapshot& s : snapshots_) {
    if (s.position <= n) best = s.position;
  }
  return best;
}

std::vector<float> SequenceState::recurrent_at(size_t n) const {
  if (n == tokens_.size()) return recurrent_;
  if (const Snapshot* s = find_snapshot(n)) return s->recurrent;
  return std::vector<float>(recurrent_.size(), 0.0f);  // n == 0
}

namespace {
std::string unreachable(size_t n, const std::vector<size_t>& snapshots) {
  std::string at;
  for (size_t p : snapshots) at += (at.empty() ? "" : ", ") + std::to_string(p);
  return "sequence state: cannot go back to position " + std::to_string(n) +
         ": recurrent layers can only return to 0 or a snapshot (kept at: " +
         (at.empty() ? "none" : at) + ")";
}
}  // namespace

void SequenceState::truncate(size_t n) {
  if (n >= tokens_.size()) return;
  if (has_recurrent()) {
    if (resumable_prefix(n) != n) throw std::invalid_argument(unreachable(n, snapshot_positions()));
    recurrent_ = recurrent_at(n);
    std::erase_if(snapshots_, [&](const Snapshot& s) { return s.position > n; });
  }
  tokens_.resize(n);
}

SequenceState SequenceState::copy_prefix(size_t n) const {
  if (n > tokens_.size()) throw std::out_of_range("copy_prefix past the end of the sequence");
  if (has_recurrent() && resumable_prefix(n) != n) {
    throw std::invalid_argument(unreachable(n, snapshot_positions()));
  }
  SequenceState copy(shape_, max_tokens_);
  if (has_recurrent()) {
    copy.recurrent_ = recurrent_at(n);
    for (const Snapshot& s : snapshots_) {
      if (s.position <= n) copy.snapshots_.push_back(s);
    }
  }
  if (n == 0) return copy;
  copy.grow_to(std::min(max_tokens_, std::max(n, kMinCapacity)));
  for (size_t l = 0; l < shape_.n_layer; ++l) {
    copy_heads(k_[l].data(), capacity_, copy.k_[l].data(), copy.capacity_, shape_.n_head_kv,
               shape_.k_row_bytes(), n);
    copy_heads(v_[l].data(), capacity_, copy.v_[l].data(), copy.capacity_, shape_.n_head_kv,
               shape_.v_row_bytes(), n);
  }
  copy.tokens_.assign(tokens_.begin(), tokens_.begin() + n);
  return copy;
}

std::vector<uint8_t> SequenceState::save() const {
  const size_t n = tokens_.size();
  std::vector<uint8_t> out;
  out.reserve(32 + n * sizeof(int32_t) + n * shape_.bytes_per_token());
  put(out, kMagic);
  put(out, kVersion);
  put(out, shape_);
  put(out, static_cast<uint64_t>(n));
  append_bytes(out, tokens_.data(), n * sizeof(int32_t));
  for (size_t l = 0; l < shape_.n_layer; ++l) {
    for (size_t h = 0; h < shape_.n_head_kv; ++h) {
      append_bytes(out, k_[l].data() + h * k_head_stride(), n * shape_.k_row_bytes());
      append_bytes(out, v_[l].data() + h * v_head_stride(), n * shape_.v_row_bytes());
    }
  }
  append_bytes(out, recurrent_.data(), shape_.recurrent_bytes());
  put(out, static_cast<uint64_t>(snapshots_.size()));
  for (const Snapshot& s : snapshots_) {
    put(out, static_cast<uint64_t>(s.position));
    append_bytes(out, s.recurrent.data(), shape_.recurrent_bytes());
  }
  return out;
}

SequenceState SequenceState::load(std::span<const uint8_t> bytes, const KvShape& shape,
                                  size_t max_tokens) {
  Reader in(bytes);
  if (in.value<uint32_t>() != kMagic) throw std::invalid_argument("sequence state: bad magic");
  if (const auto version = in.value<uint32_t>(); version != kVersion) {
    throw std::invalid_argument("sequence state: version " + std::to_string(version) +
                                ", expected " + std::to_string(kVersion));
  }
  if (!(in.value<KvShape>() == shape)) {
    throw std::invalid_argument("sequence state: saved for another model shape");
  }
  const auto n = in.value<uint64_t>();
  if (n > max_tokens) {
    throw std::invalid_argument("sequence state: " + std::to_string(n) +
                                " positions exceed the context size " + std::to_string(max_tokens));
  }
  // The K/V and recurrent part must be there before anything is allocated from n; the snapshots
  // after it must then fill the rest exactly.
  const size_t rec = shape.recurrent_bytes();
  const size_t expected = n * (sizeof(int32_t) + shape.bytes_per_token()) + rec + sizeof(uint64_t);
  if (in.remaining() < expected) {
    throw std::invalid_argument("sequence state: " + std::to_string(in.remaining()) +
                                " bytes of data for " + std::to_string(n) +
                                " positions, expected at least " + std::to_string(expected));
  }
  SequenceState state(shape, max_tokens);
  state.reserve_more(n);
  state.tokens_.resize(n);
  in.take(state.tokens_.data(), n * sizeof(int32_t));
  for (size_t l = 0; l < shape.n_layer; ++l) {
    for (size_t h = 0; h < shape.n_head_kv; ++h) {
      in.take(state.k_[l].data() + h * state.k_head_stride(), n * shape.k_row_bytes());
      in.take(state.v_[l].data() + h * state.v_head_stride(), n * shape.v_row_bytes());
    }
  }
  in.take(state.recurrent_.data(), rec);
  const auto n_snapshots = in.value<uint64_t>();
  const size_t per_snapshot = sizeof(uint64_t) + rec;
  if ((rec == 0 && n_snapshots != 0) ||
      (rec != 0 &&
       (in.remaining() % per_snapshot != 0 || in.remaining() / per_snapshot != n_snapshots))) {
    throw std::invalid_argument("sequence state: " + std::to_string(in.remaining()) +
                                " bytes left for " + std::to_string(n_snapshots) +
                                " snapshots of " + std::to_string(rec) + " bytes");
  }
  for (uint64_t i = 0; i < n_snapshots; ++i) {
    Snapshot s{.position = in.value<uint64_t>(), .recurrent = std::vector<float>(rec / 4)};
    const size_t previous = state.snapshots_.empty() ? 0 : state.snapshots_.back().position;
    if (s.position > n || (!state.snapshots_.empty() && s.position <= previous)) {
      throw std::invalid_argument("sequence state: snapshot at position " +
                                  std::to_string(s.position) + " is out of order or past " +
                                  std::to_string(n));
    }
    in.take(s.recurrent.data(), rec);
    state.snapshots_.push_back(std::move(s));
  }
  return state;
}

}  // namespace engine
