// Finds the tensors a forward pass needs in a GGUF file, checks their shapes and types, and turns
// them into what the kernels take: prepared matmul weights and float vectors.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/kernels/matmul.h"

namespace engine {

class WeightBinder {
 public:
  WeightBinder(const GgufFile& file, bool repack) : file_(file), repack_(repack) {}

  // A tensor of shape [ne0, ne1] (GGUF order: ne0 is the row length); throws GgufError naming
  // the tensor when it is missing or shaped otherwise.
  const GgufTensorInfo& tensor(const std::string& name, uint64_t ne0, uint64_t ne1 = 1,
                               uint64_t ne2 = 1) const;

  bool has(const std::string& name) const { return file_.find_tensor(name) != nullptr; }

  // The weight of y = W x with x of n_in and y of n_out elements: GGUF shape [n_in, n_out].
  kernels::PreparedWeight matrix(const std::string& name, size_t n_in, size_t n_out);
  std::optional<kernels::PreparedWeight> optional_matrix(const std::string& name, size_t n_in,
                                                         size_t n_out);

  // The n_expert matrices of a 3-D expert tensor, GGUF shape [n_in, n_out, n_expert]: expert e
  // is the e-th [n_in, n_out] slice.
  std::vector<kernels::PreparedWeight> expert_matrices(const std::string& name, size_t n_in,
                                                       size_t n_out, size_t n_expert);

  // A 1-D tensor of n elements (norm weights, biases), converted to float.
  std::vector<float> vector(const std::string& name, size_t n) const;
  std::optional<std::vector<float>> optional_vector(const std::string& name, size_t n) const;
  // A small 2-D f32/f16/bf16 tensor [ne0, ne1] as floats, row-major (the convolution's taps).
  std::vector<float> floats(const std::string& name, size_t ne0, size_t ne1) const;

  // Bytes the prepared matrices hold in their own memory.
  size_t owned_bytes() const { return owned_bytes_; }

 private:
  [[noreturn]] void fail(const std::string& what) const;
  // The [n_in, n_out] slice `slice` of `info` (0 for a 2-D tensor) as a prepared weight.
  kernels::PreparedWeight prepare(const std::string& name, const GgufTensorInfo& info, size_t slice,
                                  size_t n_in, size_t n_out);

  const GgufFile& file_;
  bool repack_;
  size_t owned_bytes_ = 0;
};

}  // namespace engine
