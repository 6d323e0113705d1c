// Reads and validates a mapped GGUF file into a GgufFile (internal to engine/gguf; callers use
// GgufFile::open). Every count, length, offset and type is checked against the bytes left and
// against the limits below before it is used, so a hostile file gives a GgufError, never a crash,
// an out-of-bounds read or an allocation sized by a number in the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/gguf/gguf_file.h"

namespace engine {

// Limits beyond those of the file's size. Real models stay far below them (a 256k-token
// vocabulary plus its merges is under 1M array elements; the largest MoE GGUFs hold ~2k tensors).
inline constexpr uint64_t kGgufMaxKeyValues = uint64_t{1} << 20;
inline constexpr uint64_t kGgufMaxTensors = uint64_t{1} << 20;
inline constexpr uint64_t kGgufMaxArrayNodes = uint64_t{1} << 24;  // string + nested elements
inline constexpr int kGgufMaxArrayDepth = 8;                       // arrays of arrays of ...
inline constexpr uint64_t kGgufMaxKeyBytes = 65535;                // the spec's limit
inline constexpr uint64_t kGgufMaxTensorNameBytes = 64;            // the spec's limit
inline constexpr uint32_t kGgufMaxDims = 4;
inline constexpr uint32_t kGgufDefaultAlignment = 32;

class GgufParser {
 public:
  GgufParser(GgufFile& file, const std::byte* data, uint64_t size)
      : file_(file), data_(data), size_(size) {}

  // Fills file_ (version, metadata, tensors, alignment, data offset) or throws GgufError.
  void parse();

 private:
  [[noreturn]] void fail(const std::string& message) const;
  // Throws unless `n` more bytes are left; `what` and `context` go into the message.
  void need(uint64_t n, std::string_view what, std::string_view context) const;
  template <typename T>
  T read(std::string_view what, std::string_view context);
  std::string_view read_string(std::string_view what, std::string_view context);
  // A key or tensor name: non-empty, at most `max_bytes`, UTF-8, no NUL.
  std::string_view read_name(std::string_view what, std::string_view context, uint64_t max_bytes);

  void parse_header(uint64_t& n_tensors, uint64_t& n_kv);
  void parse_metadata(uint64_t n_kv);
  void parse_value(GgufValue& out, uint32_t type_id, const std::string& context, int depth);
  void parse_array(GgufValue& out, const std::string& context, int depth);
  void read_alignment();
  void parse_tensor_infos(uint64_t n_tensors);
  void parse_tensor_info(size_t index);
  void place_tensors();
  void resolve_children();

  GgufFile& file_;
  const std::byte* data_;  // borrowed: the mapping owned by file_
  uint64_t size_;
  uint64_t pos_ = 0;
};

}  // namespace engine
