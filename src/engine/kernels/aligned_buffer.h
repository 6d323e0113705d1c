// An owned, 64-byte-aligned byte buffer (cache-line aligned for SIMD loads and to keep threads'
// outputs on separate lines). Move-only: copying megabytes of weights must be explicit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>

namespace engine::kernels {

class AlignedBuffer {
 public:
  static constexpr size_t kAlignment = 64;

  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t bytes) { resize(bytes); }

  // Discards the contents; the new bytes are uninitialised.
  void resize(size_t bytes) {
    if (bytes <= capacity_) {
      size_ = bytes;
      return;
    }
    const size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
    void* p = std::aligned_alloc(kAlignment, rounded);
    if (p == nullptr) throw std::bad_alloc();
    data_.reset(static_cast<uint8_t*>(p));
    size_ = bytes;
    capacity_ = rounded;
  }

  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, Free> data_;  // owned
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace engine::kernels
