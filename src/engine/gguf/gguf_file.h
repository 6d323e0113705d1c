// A GGUF file (v2 or v3), memory-mapped read-only and validated as a whole when opened: header,
// every metadata value, every tensor info and the placement of every tensor's data. Tensor data is
// never copied: tensor_data() is a view into the mapping. Spec: ggml's docs/gguf.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/gguf/ggml_type.h"
#include "engine/gguf/gguf_error.h"
#include "engine/gguf/gguf_value.h"

namespace engine {

class MappedFile;

struct GgufKeyValue {
  std::string_view key;  // valid UTF-8, unique in the file; a view into the mapping
  GgufValue value;
};

struct GgufTensorInfo {
  std::string_view name;  // valid UTF-8, unique in the file; a view into the mapping
  uint32_t type_id = 0;   // the GGML type as stored in the file
  // Layout of type_id; nullopt for an id that GGML does not define (the file still loads; its data
  // cannot be read).
  std::optional<GgmlTypeLayout> layout;
  uint32_t n_dims = 0;                        // 1..4
  std::array<uint64_t, 4> ne = {1, 1, 1, 1};  // ne[0] is the row length (contiguous); unused dims 1
  uint64_t n_elements = 0;                    // product of ne, > 0
  uint64_t n_bytes = 0;                       // size of the data; 0 when layout is nullopt
  uint64_t offset = 0;  // absolute file offset of the data, a multiple of alignment

  // "q4_K", or "type 42 (unknown)" for an id GGML does not define.
  std::string type_name() const;
};

class GgufFile {
 public:
  // Maps and validates the file; throws GgufError naming the file, the problem and where.
  static GgufFile open(const std::filesystem::path& path);
  // The same over bytes in memory (owned, not copied); `name` stands for the path in messages.
  static GgufFile from_bytes(std::vector<std::byte> bytes, const std::string& name);

  GgufFile(GgufFile&&) noexcept;
  GgufFile& operator=(GgufFile&&) noexcept;
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;
  ~GgufFile();

  const std::filesystem::path& path() const { return path_; }
  uint32_t version() const { return version_; }
  uint32_t alignment() const { return alignment_; }  // general.alignment, or 32
  uint64_t file_size() const { return file_size_; }
  uint64_t data_offset() const { return data_offset_; }  // start of the (aligned) data section

  // Metadata, all pairs in file order.
  const std::vector<GgufKeyValue>& metadata() const { return metadata_; }
  const GgufValue* find(std::string_view key) const;  // nullptr if absent

  // Typed lookups: nullopt when the key is absent; GgufError when it is present with a type that
  // does not fit. Views point into the mapping.
  std::optional<std::string_view> get_string(std::string_view key) const;
  std::optional<uint64_t> get_uint(std::string_view key) const;  // unsigned, or signed >= 0
  std::optional<int64_t> get_int(std::string_view key) const;    // any integer fitting int64
  std::optional<double> get_float(std::string_view key) const;   // f32 or f64
  std::optional<bool> get_bool(std::string_view key) const;
  std::optional<std::vector<std::string_view>> get_string_array(std::string_view key) const;
  std::optional<std::vector<int64_t>> get_int_array(std::string_view key) const;  // any int type
  std::optional<std::vector<float>> get_float_array(std::string_view key) const;  // f32 or f64

  // Tensors, in file order.
  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
  const GgufTensorInfo* find_tensor(std::string_view name) const;  // nullptr if absent

  // The tensor's bytes in the mapping (n_bytes long). Throws GgufError for a tensor whose type is
  // unknown, naming tensor and type. `tensor` must come from this file's tensors().
  std::span<const std::byte> tensor_data(const GgufTensorInfo& tensor) const;
  // Same by name; throws GgufError when no tensor has that name.
  std::span<const std::byte> tensor_data(std::string_view name) const;
  // Lets the OS drop the mapped pages of `bytes` (a range of tensor data the caller has copied):
  // they stop counting in the resident memory and are read from the file again if used.
  void release(std::span<const std::byte> bytes) const;

 private:
  friend class GgufParser;
  GgufFile() = default;

  // "<path>: <message>", as a GgufError.
  GgufError error(const std::string& message) const;

  std::filesystem::path path_;
  std::unique_ptr<MappedFile> mapping_;
  uint32_t version_ = 0;
  uint32_t alignment_ = 32;
  uint64_t file_size_ = 0;
  uint64_t data_offset_ = 0;
  std::vector<GgufKeyValue> metadata_;
  std::vector<GgufValue> nodes_;  // elements of string and nested arrays; values point here
  std::vector<GgufTensorInfo> tensors_;
  std::unordered_map<std::string_view, size_t> key_index_;     // key -> metadata_ index
  std::unordered_map<std::string_view, size_t> tensor_index_;  // name -> tensors_ index
};

}  // namespace engine
