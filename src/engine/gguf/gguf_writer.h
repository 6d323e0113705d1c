// Builds a GGUF v3 file: metadata of every type (including long string and integer arrays and
// nested arrays) and tensors whose bytes are given, borrowed or produced by a callback at write
// time. write() streams tensor data straight to the file, so a model is never held in memory
// twice. Layout per ggml's docs/gguf.md, as llama.cpp writes it: header, metadata, tensor infos,
// padding to the alignment, then each tensor's data padded to the alignment; tensor offsets are
// relative to the start of the data section.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/gguf/ggml_type.h"
#include "engine/gguf/gguf_error.h"
#include "engine/gguf/gguf_value.h"

namespace engine {

// The GGUF value type of a C++ scalar type (uint8_t -> UINT8, float -> FLOAT32, bool -> BOOL, ...).
template <typename T>
struct GgufTypeOf;
template <>
struct GgufTypeOf<uint8_t> {
  static constexpr auto value = GgufValueType::UINT8;
};
template <>
struct GgufTypeOf<int8_t> {
  static constexpr auto value = GgufValueType::INT8;
};
template <>
struct GgufTypeOf<uint16_t> {
  static constexpr auto value = GgufValueType::UINT16;
};
template <>
struct GgufTypeOf<int16_t> {
  static constexpr auto value = GgufValueType::INT16;
};
template <>
struct GgufTypeOf<uint32_t> {
  static constexpr auto value = GgufValueType::UINT32;
};
template <>
struct GgufTypeOf<int32_t> {
  static constexpr auto value = GgufValueType::INT32;
};
template <>
struct GgufTypeOf<uint64_t> {
  static constexpr auto value = GgufValueType::UINT64;
};
template <>
struct GgufTypeOf<int64_t> {
  static constexpr auto value = GgufValueType::INT64;
};
template <>
struct GgufTypeOf<float> {
  static constexpr auto value = GgufValueType::FLOAT32;
};
template <>
struct GgufTypeOf<double> {
  static constexpr auto value = GgufValueType::FLOAT64;
};
template <>
struct GgufTypeOf<bool> {
  static constexpr auto value = GgufValueType::BOOL;
};

// An array value under construction, of any element type; nested arrays are arrays of GgufArray.
//   GgufArray a(GgufValueType::INT32); a.push(int32_t{1}).push(int32_t{2});
class GgufArray {
 public:
  explicit GgufArray(GgufValueType element_type) : element_type_(element_type) {}

  // Appends one element; throws GgufError when its type is not the element type. Strings are
  // given as anything convertible to std::string_view; nested arrays as GgufArray.
  template <typename T>
  GgufArray& push(const T& value) {
    if constexpr (std::is_same_v<T, GgufArray>) {
      expect(GgufValueType::ARRAY);
      append_array(value);
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      expect(GgufValueType::STRING);
      append_string(value);
    } else {
      expect(GgufTypeOf<T>::value);
      const auto stored =
          static_cast<std::conditional_t<std::is_same_v<T, bool>, uint8_t, T>>(value);
      bytes_.append(reinterpret_cast<const char*>(&stored), sizeof(stored));
    }
    ++size_;
    return *this;
  }

  GgufValueType element_type() const { return element_type_; }
  uint64_t size() const { return size_; }

 private:
  friend class GgufWriter;
  void expect(GgufValueType type) const;
  void append_string(std::string_view text);
  void append_array(const GgufArray& array);

  GgufValueType element_type_;
  uint64_t size_ = 0;
  std::string bytes_;  // the elements, encoded as in the file
};

// Where a tensor callback writes the tensor's bytes; they go to the file as they come.
class GgufTensorSink {
 public:
  void write(std::span<const std::byte> bytes);
  void write(const void* data, size_t n_bytes);
  uint64_t written() const { return written_; }

 private:
  friend class GgufWriter;
  GgufTensorSink(std::FILE* file, std::string_view tensor, uint64_t expected)
      : file_(file), tensor_(tensor), expected_(expected) {}

  std::FILE* file_;          // borrowed from GgufWriter::write
  std::string_view tensor_;  // the tensor's name, for messages
  uint64_t expected_;
  uint64_t written_ = 0;
};

class GgufWriter {
 public:
  // Called at write() time; must write exactly the tensor's byte size into the sink.
  using TensorCallback = std::function<void(GgufTensorSink&)>;

  // Metadata, written in the order keys are first set; setting a key again replaces its value in
  // place. Keys: non-empty UTF-8, at most 65535 bytes. Errors throw GgufError.
  void set_u8(std::string_view key, uint8_t value) { set_scalar(key, value); }
  void set_i8(std::string_view key, int8_t value) { set_scalar(key, value); }
  void set_u16(std::string_view key, uint16_t value) { set_scalar(key, value); }
  void set_i16(std::string_view key, int16_t value) { set_scalar(key, value); }
  void set_u32(std::string_view key, uint32_t value);  // general.alignment also sets alignment
  void set_i32(std::string_view key, int32_t value) { set_scalar(key, value); }
  void set_u64(std::string_view key, uint64_t value) { set_scalar(key, value); }
  void set_i64(std::string_view key, int64_t value) { set_scalar(key, value); }
  void set_f32(std::string_view key, float value) { set_scalar(key, value); }
  void set_f64(std::string_view key, double value) { set_scalar(key, value); }
  void set_bool(std::string_view key, bool value) { set_scalar(key, value); }
  void set_string(std::string_view key, std::string_view value);

  // Arrays of scalars (T as in GgufTypeOf) or strings (std::string, std::string_view), encoded
  // in one pass, e.g. set_array("tokenizer.ggml.tokens", tokens).
  template <typename T>
  void set_array(std::string_view key, std::span<const T> values) {
    if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      GgufArray array(GgufValueType::STRING);
      for (const T& v : values) array.push(std::string_view(v));
      set_array(key, std::move(array));
    } else {
      GgufArray array(GgufTypeOf<T>::value);
      if constexpr (std::is_same_v<T, bool>) {
        for (bool v : values) array.push(v);
      } else {
        array.bytes_.assign(reinterpret_cast<const char*>(values.data()), values.size_bytes());
        array.size_ = values.size();
      }
      set_array(key, std::move(array));
    }
  }
  template <typename T>
  void set_array(std::string_view key, const std::vector<T>& values) {
    if constexpr (std::is_same_v<T, bool>) {  // std::vector<bool> is packed: copy it out
      const std::vector<uint8_t> bytes(values.begin(), values.end());
      GgufArray array(GgufValueType::BOOL);
      array.bytes_.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      array.size_ = bytes.size();
      set_array(key, std::move(array));
    } else {
      set_array(key, std::span<const T>(values));
    }
  }
  void set_array(std::string_view key, GgufArray array);

  // The alignment of the data section and of every tensor in it: a power of two, default 32.
  // Also stored as general.alignment (u32).
  void set_alignment(uint32_t alignment);
  uint32_t alignment() const { return alignment_; }

  // Tensors, in file order. `ne` in GGML order: ne[0] is the row length (contiguous), 1 to 4
  // dims, each > 0, ne[0] a multiple of the type's block size. Names: non-empty UTF-8, at most 63
  // bytes (llama.cpp's GGML_MAX_NAME), unique.
  //   owned bytes:     add_tensor("a", GgmlType::F32, {4, 2}, std::move(bytes));
  //   borrowed bytes:  add_tensor_view(...), which must stay valid until write() returns;
  //   streamed bytes:  add_tensor("a", GgmlType::Q8_0, {4096, 4096}, [&](GgufTensorSink& s) {...}).
  void add_tensor(std::string_view name, GgmlType type, std::vector<uint64_t> ne,
                  std::vector<std::byte> data);
  void add_tensor_view(std::string_view name, GgmlType type, std::vector<uint64_t> ne,
                       std::span<const std::byte> data);
  void add_tensor(std::string_view name, GgmlType type, std::vector<uint64_t> ne,
                  TensorCallback callback);

  // Bytes a tensor of this type and shape takes (before padding); throws GgufError for a shape
  // that add_tensor would refuse.
  static uint64_t tensor_bytes(GgmlType type, const std::vector<uint64_t>& ne);

  size_t n_tensors() const { return tensors_.size(); }
  size_t n_metadata() const { return metadata_.size(); }

  // Writes the file: to "<path>.tmp", renamed to `path` once complete, so a failed write never
  // leaves a partial model under the real name. Throws GgufError "<path>: ...".
  void write(const std::filesystem::path& path) const;

 private:
  struct Entry {
    std::string key;
    std::string value;  // the value type id and the value, encoded as in the file
  };
  struct Tensor {
    std::string name;
    GgmlType type;
    std::vector<uint64_t> ne;
    uint64_t n_bytes;
    std::vector<std::byte> owned;     // owned data, or empty
    std::span<const std::byte> view;  // borrowed data, or empty
    TensorCallback callback;          // or the callback that writes it
  };

  template <typename T>
  void set_scalar(std::string_view key, T value) {
    std::string encoded(4 + sizeof(T), '\0');
    const auto type = static_cast<uint32_t>(GgufTypeOf<T>::value);
    const auto stored = static_cast<std::conditional_t<std::is_same_v<T, bool>, uint8_t, T>>(value);
    std::memcpy(encoded.data(), &type, 4);
    std::memcpy(encoded.data() + 4, &stored, sizeof(T));
    put(key, std::move(encoded));
  }
  void put(std::string_view key, std::string encoded);
  // Checks name (valid, unique) and shape; returns the byte size. Throws GgufError.
  uint64_t checked_tensor_bytes(std::string_view name, GgmlType type,
                                const std::vector<uint64_t>& ne) const;
  Tensor& push_tensor(std::string_view name, GgmlType type, std::vector<uint64_t> ne,
                      uint64_t n_bytes);

  uint32_t alignment_ = 32;
  std::vector<Entry> metadata_;
  std::unordered_map<std::string, size_t> key_index_;
  std::vector<Tensor> tensors_;
  std::unordered_map<std::string, size_t> tensor_index_;
};

}  // namespace engine
