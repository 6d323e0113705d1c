// y[n_tokens, n_out] = x[n_tokens, n_in] . W[n_out, n_in]^T for every weight type of the table.
//
//   auto w = PreparedWeight::prepare(GgmlType::Q4_K, tensor_bytes, n_out, n_in);  // once, at load
//   matmul(w, x, n_tokens, y, pool);                                              // per step
//
// prepare() validates the bytes, picks the kernel for this CPU once, and by default repacks the
// weight into our own 64-byte-aligned memory (4-row interleaved groups, the same size as the
// GGUF bytes); with `repack = false` it borrows the caller's (e.g. mmapped) bytes instead, which
// then must outlive it (bytes not aligned to 4 are copied instead; GGUF tensors always are).
// matmul() converts x once into the activation type of the weight (weight_type.h), then splits row
// groups (and token chunks for prefill) over the pool's threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "engine/gguf/ggml_type.h"
#include "engine/kernels/aligned_buffer.h"
#include "engine/kernels/thread_pool.h"
#include "engine/kernels/tile.h"
#include "engine/kernels/weight_type.h"

namespace engine::kernels {

enum class KernelPath {
  kAuto,       // the SIMD tile where this CPU has one, else the reference
  kReference,  // scalar reference dots (any CPU; slow; for tests and as the fallback)
  kSimd,       // the SIMD tile; prepare() throws KernelError if this CPU has none for the type
};

struct PrepareOptions {
  bool repack = true;  // copy into the packing the kernel wants (tile.h), where it has one
  KernelPath path = KernelPath::kAuto;
};

class PreparedWeight {
 public:
  // Throws KernelError for an unsupported type, a row length that is not whole blocks, or a byte
  // count other than n_out rows of the type.
  static PreparedWeight prepare(GgmlType type, std::span<const uint8_t> bytes, size_t n_out,
                                size_t n_in, const PrepareOptions& options = {});

  PreparedWeight(PreparedWeight&&) = default;
  PreparedWeight& operator=(PreparedWeight&&) = default;

  GgmlType type() const { return traits_->type; }
  const WeightTypeTraits& traits() const { return *traits_; }
  size_t n_out() const { return layout_.n_out; }
  size_t n_in() const { return layout_.n_in; }
  bool repacked() const { return layout_.packing != Packing::kRowMajor; }
  bool uses_simd() const { return tile_ != traits_->ref_tile; }
  // Bytes this object owns (0 when it borrows the caller's bytes).
  size_t owned_bytes() const { return owned_.size(); }
  // Bytes of the weight itself, as stored in the file.
  size_t weight_bytes() const { return layout_.n_out * layout_.row_bytes; }

  const WeightLayout& layout() const { return layout_; }
  TileFn tile() const { return tile_; }

 private:
  PreparedWeight() = default;

  const WeightTypeTraits* traits_ = nullptr;
  WeightLayout layout_{};
  TileFn tile_ = nullptr;
  AlignedBuffer owned_;  // the repacked bytes, when layout_.data points here
};

// y[n_tokens, n_out] = x[n_tokens, n_in] . W^T. x and y are float32, row-major, not aliased.
void matmul(const PreparedWeight& w, const float* x, size_t n_tokens, float* y, ThreadPool& pool);

// One weight and its output, for matmul_shared().
struct MatmulTarget {
  const PreparedWeight* w;  // borrowed
  float* y;                 // borrowed: [n_tokens, w->n_out()]
};

// matmul() of the same x by several weights of the same n_in (attention's q, k and v; the feed
// forward's gate and up) as one job: x is converted once per activation type, and the threads
// meet once instead of once per weight. Throws KernelError when the weights' n_in differ.
void matmul_shared(std::span<const MatmulTarget> targets, const float* x, size_t n_tokens,
                   ThreadPool& pool);

}  // namespace engine::kernels
