#include "engine/model/weight_binder.h"

#include "engine/gguf/gguf_error.h"
#include "engine/kernels/check.h"

namespace engine {
namespace {

std::string shape_text(uint64_t ne0, uint64_t ne1, uint64_t ne2 = 1) {
  return "[" + std::to_string(ne0) + (ne1 == 1 && ne2 == 1 ? "" : ", " + std::to_string(ne1)) +
         (ne2 == 1 ? "" : ", " + std::to_string(ne2)) + "]";
}

std::span<const uint8_t> as_bytes(std::span<const std::byte> data) {
  return {reinterpret_cast<const uint8_t*>(data.data()), data.size()};
}

}  // namespace

void WeightBinder::fail(const std::string& what) const {
  throw GgufError(file_.path().string() + ": " + what);
}

const GgufTensorInfo& WeightBinder::tensor(const std::string& name, uint64_t ne0, uint64_t ne1,
                                           uint64_t ne2) const {
  const GgufTensorInfo* info = file_.find_tensor(name);
  if (!info) fail("tensor '" + name + "' is missing");
  const bool shaped =
      info->ne[0] == ne0 && info->ne[1] == ne1 && info->ne[2] == ne2 && info->ne[3] == 1;
  if (!shaped) {
    fail("tensor '" + name + "' has shape " + shape_text(info->ne[0], info->ne[1], info->ne[2]) +
         (info->n_dims > 3 ? " (and more dimensions)" : "") + ", expected " +
         shape_text(ne0, ne1, ne2));
  }
  return *info;
}

kernels::PreparedWeight WeightBinder::prepare(const std::string& name, const GgufTensorInfo& info,
                                              size_t slice, size_t n_in, size_t n_out) {
  const auto type = static_cast<GgmlType>(info.type_id);
  if (!info.layout || !kernels::find_weight_type(type)) {
    fail("tensor '" + name + "' has type " + info.type_name() +
         ", which this engine does not run (supported: f32, f16, bf16, q8_0, q4_0, q4_K, q5_K, "
         "q6_K)");
  }
  const auto bytes = as_bytes(file_.tensor_data(info));
  const size_t slice_bytes = bytes.size() / info.ne[2];
  try {
    const auto source = bytes.subspan(slice * slice_bytes, slice_bytes);
    auto w = kernels::PreparedWeight::prepare(type, source, n_out, n_in, {.repack = repack_});
    owned_bytes_ += w.owned_bytes();
    // A weight that holds its own copy no longer reads the mapping: without this its pages would
    // stay resident beside the copy (twice the weights' memory) until the OS needs them.
    if (w.owned_bytes() > 0) file_.release(std::as_bytes(source));
    return w;
  } catch (const kernels::KernelError& e) {
    fail("tensor '" + name + "': " + e.what());
  }
}

kernels::PreparedWeight WeightBinder::matrix(const std::string& name, size_t n_in, size_t n_out) {
  return prepare(name, tensor(name, n_in, n_out), 0, n_in, n_out);
}

std::vector<kernels::PreparedWeight> WeightBinder::expert_matrices(const std::string& name,
                                                                   size_t n_in, size_t n_out,
                                                                   size_t n_expert) {
  const GgufTensorInfo& info = tensor(name, n_in, n_out, n_expert);
  std::vector<kernels::PreparedWeight> experts;
  experts.reserve(n_expert);
  for (size_t e = 0; e < n_expert; ++e) experts.push_back(prepare(name, info, e, n_in, n_out));
  return experts;
}

std::optional<kernels::PreparedWeight> WeightBinder::optional_matrix(const std::string& name,
                                                                     size_t n_in, size_t n_out) {
  if (!file_.find_tensor(name)) return std::nullopt;
  return matrix(name, n_in, n_out);
}

std::vector<float> WeightBinder::vector(const std::string& name, size_t n) const {
  return floats(name, n, 1);
}

std::vector<float> WeightBinder::floats(const std::string& name, size_t ne0, size_t ne1) const {
  const GgufTensorInfo& info = tensor(name, ne0, ne1);
  const size_t n = ne0 * ne1;
  const auto type = static_cast<GgmlType>(info.type_id);
  if (type != GgmlType::F32 && type != GgmlType::F16 && type != GgmlType::BF16) {
    fail("tensor '" + name + "' has type " + info.type_name() + ", expected f32, f16 or bf16");
  }
  std::vector<float> values(n);
  kernels::dequantize_row(type, as_bytes(file_.tensor_data(info)), values.data(), n);
  return values;
}

std::optional<std::vector<float>> WeightBinder::optional_vector(const std::string& name,
                                                                size_t n) const {
  if (!file_.find_tensor(name)) return std::nullopt;
  return vector(name, n);
}

}  // namespace engine
