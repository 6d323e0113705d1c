// One metadata value of a GGUF file: a scalar, a string or a (possibly nested) array. Values are
// views into the mapped file: they live as long as the GgufFile that produced them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/gguf/gguf_error.h"

namespace engine {

// Metadata value types, numbered as in the GGUF spec (gguf_metadata_value_type).
enum class GgufValueType : uint32_t {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
};

// "u8", "i32", "f32", "bool", "string", "array", ...; "unknown" for an id outside the spec.
std::string_view gguf_value_type_name(GgufValueType type);

// True for the 13 ids the spec defines.
bool gguf_value_type_is_valid(uint32_t type_id);

// Bytes one value of a fixed-size type takes in the file (1 for u8/i8/bool, 8 for u64/f64, ...);
// 0 for STRING and ARRAY, whose size depends on their content.
size_t gguf_value_type_size(GgufValueType type);

bool gguf_value_type_is_integer(GgufValueType type);

// A metadata value. Cheap to copy (a view); accessors that do not fit the type throw GgufError
// with a message saying expected vs actual type (GgufFile's typed getters add the file and key).
class GgufValue {
 public:
  GgufValueType type() const { return type_; }
  bool is_array() const { return type_ == GgufValueType::ARRAY; }

  // Scalars.
  uint64_t as_uint() const;  // any unsigned integer type, or a signed one holding a value >= 0
  int64_t as_int() const;    // any integer type whose value fits int64
  double as_float() const;   // f32 or f64
  bool as_bool() const;
  std::string_view as_string() const;  // a view into the mapped file; not NUL-terminated

  // Arrays. `at` returns element `index` (an array itself for nested arrays).
  GgufValueType array_type() const;
  size_t array_size() const;
  GgufValue at(size_t index) const;

  // "u32", "string", "array of i32", ...
  std::string type_description() const;

  // A scalar of fixed-size `type` decoded from its little-endian bytes at `p` (which must hold
  // gguf_value_type_size(type) bytes).
  static GgufValue scalar_from_bytes(GgufValueType type, const std::byte* p);

 private:
  friend class GgufParser;
  friend class GgufFile;

  GgufError wrong_type(std::string_view expected) const;

  GgufValueType type_ = GgufValueType::UINT8;
  GgufValueType element_type_ = GgufValueType::UINT8;  // arrays only
  union {
    uint64_t uint_ = 0;
    int64_t int_;
    double float_;
    bool bool_;
    const char* string_;         // borrowed: the mapped file
    const std::byte* elements_;  // borrowed: fixed-size array elements in the mapped file
    const GgufValue* children_;  // borrowed: GgufFile's node pool (string/array elements)
    size_t child_index_;         // while parsing: index of the first child in the pool
  };
  uint64_t size_ = 0;  // string length in bytes, or array element count
};

}  // namespace engine
