#include "engine/gguf/gguf_file.h"

#include <cstring>
#include <limits>

#include "engine/gguf/gguf_parser.h"
#include "engine/gguf/mapped_file.h"

namespace engine {

static_assert(std::endian::native == std::endian::little,
              "GGUF values are read in place as little-endian");

std::string GgufTensorInfo::type_name() const {
  if (layout) return std::string(layout->name);
  return "type " + std::to_string(type_id) + " (unknown)";
}

GgufFile GgufFile::open(const std::filesystem::path& path) {
  GgufFile file;
  file.path_ = path;
  file.mapping_ = MappedFile::open(path);
  file.file_size_ = file.mapping_->size();
  GgufParser(file, file.mapping_->data(), file.file_size_).parse();
  return file;
}

GgufFile GgufFile::from_bytes(std::vector<std::byte> bytes, const std::string& name) {
  GgufFile file;
  file.path_ = name;
  file.mapping_ = MappedFile::from_bytes(std::move(bytes));
  file.file_size_ = file.mapping_->size();
  GgufParser(file, file.mapping_->data(), file.file_size_).parse();
  return file;
}

GgufFile::GgufFile(GgufFile&&) noexcept = default;
GgufFile& GgufFile::operator=(GgufFile&&) noexcept = default;
GgufFile::~GgufFile() = default;

GgufError GgufFile::error(const std::string& message) const {
  return GgufError(path_.string() + ": " + message);
}

const GgufValue* GgufFile::find(std::string_view key) const {
  const auto it = key_index_.find(key);
  return it == key_index_.end() ? nullptr : &metadata_[it->second].value;
}

// Runs an accessor of the value under `key`, turning its GgufError into one that names the file
// and the key.
template <typename T, typename Access>
static std::optional<T> lookup(const GgufFile& file, std::string_view key, Access access) {
  const GgufValue* value = file.find(key);
  if (value == nullptr) return std::nullopt;
  try {
    return access(*value);
  } catch (const GgufError& e) {
    throw GgufError(file.path().string() + ": key '" + std::string(key) + "': " + e.what());
  }
}

std::optional<std::string_view> GgufFile::get_string(std::string_view key) const {
  return lookup<std::string_view>(*this, key, [](const GgufValue& v) { return v.as_string(); });
}

std::optional<uint64_t> GgufFile::get_uint(std::string_view key) const {
  return lookup<uint64_t>(*this, key, [](const GgufValue& v) { return v.as_uint(); });
}

std::optional<int64_t> GgufFile::get_int(std::string_view key) const {
  return lookup<int64_t>(*this, key, [](const GgufValue& v) { return v.as_int(); });
}

std::optional<double> GgufFile::get_float(std::string_view key) const {
  return lookup<double>(*this, key, [](const GgufValue& v) { return v.as_float(); });
}

std::optional<bool> GgufFile::get_bool(std::string_view key) const {
  return lookup<bool>(*this, key, [](const GgufValue& v) { return v.as_bool(); });
}

std::optional<std::vector<std::string_view>> GgufFile::get_string_array(
    std::string_view key) const {
  return lookup<std::vector<std::string_view>>(*this, key, [](const GgufValue& v) {
    if (v.type_ != GgufValueType::ARRAY || v.element_type_ != GgufValueType::STRING) {
      throw v.wrong_type("an array of string");
    }
    std::vector<std::string_view> out;
    out.reserve(v.size_);
    for (const GgufValue& s : std::span(v.children_, v.size_)) out.emplace_back(s.string_, s.size_);
    return out;
  });
}

namespace {

template <typename T>
void append_elements(const std::byte* p, uint64_t n, std::vector<int64_t>& out) {
  for (uint64_t i = 0; i < n; ++i) {
    T x;
    std::memcpy(&x, p + i * sizeof(T), sizeof(T));
    out.push_back(static_cast<int64_t>(x));
  }
}

}  // namespace

std::optional<std::vector<int64_t>> GgufFile::get_int_array(std::string_view key) const {
  return lookup<std::vector<int64_t>>(*this, key, [](const GgufValue& v) {
    if (v.type_ != GgufValueType::ARRAY || !gguf_value_type_is_integer(v.element_type_)) {
      throw v.wrong_type("an array of integers");
    }
    std::vector<int64_t> out;
    out.reserve(v.size_);
    const std::byte* p = v.elements_;
    switch (v.element_type_) {
      case GgufValueType::UINT8:
        append_elements<uint8_t>(p, v.size_, out);
        break;
      case GgufValueType::INT8:
        append_elements<int8_t>(p, v.size_, out);
        break;
      case GgufValueType::UINT16:
        append_elements<uint16_t>(p, v.size_, out);
        break;
      case GgufValueType::INT16:
        append_elements<int16_t>(p, v.size_, out);
        break;
      case GgufValueType::UINT32:
        append_elements<uint32_t>(p, v.size_, out);
        break;
      case GgufValueType::INT32:
        append_elements<int32_t>(p, v.size_, out);
        break;
      case GgufValueType::INT64:
        append_elements<int64_t>(p, v.size_, out);
        break;
      case GgufValueType::UINT64:
        for (uint64_t i = 0; i < v.size_; ++i) {
          uint64_t x;
          std::memcpy(&x, p + i * 8, 8);
          if (x > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
            throw GgufError("element " + std::to_string(i) + " is " + std::to_string(x) +
                            " (u64), which does not fit int64");
          }
          out.push_back(static_cast<int64_t>(x));
        }
        break;
      default:
        break;  // not an integer type: rejected above
    }
    return out;
  });
}

std::optional<std::vector<float>> GgufFile::get_float_array(std::string_view key) const {
  return lookup<std::vector<float>>(*this, key, [](const GgufValue& v) {
    const bool f32 = v.type_ == GgufValueType::ARRAY && v.element_type_ == GgufValueType::FLOAT32;
    const bool f64 = v.type_ == GgufValueType::ARRAY && v.element_type_ == GgufValueType::FLOAT64;
    if (!f32 && !f64) throw v.wrong_type("an array of f32 or f64");
    std::vector<float> out(v.size_);
    if (f32) {
      if (!out.empty()) std::memcpy(out.data(), v.elements_, out.size() * sizeof(float));
    } else {
      for (uint64_t i = 0; i < v.size_; ++i) {
        double x;
        std::memcpy(&x, v.elements_ + i * 8, 8);
        out[i] = static_cast<float>(x);
      }
    }
    return out;
  });
}

const GgufTensorInfo* GgufFile::find_tensor(std::string_view name) const {
  const auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

void GgufFile::release(std::span<const std::byte> bytes) const {
  mapping_->release(bytes);
}

std::span<const std::byte> GgufFile::tensor_data(const GgufTensorInfo& tensor) const {
  const bool ours = !tensors_.empty() && &tensor >= tensors_.data() &&
                    &tensor < tensors_.data() + tensors_.size();
  if (!ours) {
    throw error("tensor_data: the tensor info for '" + std::string(tensor.name) +
                "' does not come from this file");
  }
  if (!tensor.layout) {
    throw error("tensor '" + std::string(tensor.name) + "' has GGML type " +
                std::to_string(tensor.type_id) +
                ", which this build does not know; its data cannot be used (a newer llama.cpp "
                "quantization? re-quantize the model to a supported type)");
  }
  return {mapping_->data() + tensor.offset, static_cast<size_t>(tensor.n_bytes)};
}

std::span<const std::byte> GgufFile::tensor_data(std::string_view name) const {
  const GgufTensorInfo* tensor = find_tensor(name);
  if (tensor == nullptr) throw error("no tensor named '" + std::string(name) + "'");
  return tensor_data(*tensor);
}

}  // namespace engine
