#include "engine/gguf/gguf_value.h"

#include <array>
#include <cstring>
#include <limits>
#include <string>

#include "engine/gguf/gguf_error.h"

namespace engine {
namespace {

struct ValueTypeInfo {
  std::string_view name;
  size_t size;  // bytes of one value; 0 for variable-size types
};

// Indexed by GgufValueType.
constexpr std::array<ValueTypeInfo, 13> kValueTypes = {{
    {"u8", 1},
    {"i8", 1},
    {"u16", 2},
    {"i16", 2},
    {"u32", 4},
    {"i32", 4},
    {"f32", 4},
    {"bool", 1},
    {"string", 0},
    {"array", 0},
    {"u64", 8},
    {"i64", 8},
    {"f64", 8},
}};

bool is_unsigned(GgufValueType type) {
  return type == GgufValueType::UINT8 || type == GgufValueType::UINT16 ||
         type == GgufValueType::UINT32 || type == GgufValueType::UINT64;
}

bool is_signed(GgufValueType type) {
  return type == GgufValueType::INT8 || type == GgufValueType::INT16 ||
         type == GgufValueType::INT32 || type == GgufValueType::INT64;
}

template <typename T>
T load(const std::byte* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

}  // namespace

std::string_view gguf_value_type_name(GgufValueType type) {
  const auto id = static_cast<uint32_t>(type);
  return id < kValueTypes.size() ? kValueTypes[id].name : "unknown";
}

bool gguf_value_type_is_valid(uint32_t type_id) {
  return type_id < kValueTypes.size();
}

size_t gguf_value_type_size(GgufValueType type) {
  const auto id = static_cast<uint32_t>(type);
  return id < kValueTypes.size() ? kValueTypes[id].size : 0;
}

bool gguf_value_type_is_integer(GgufValueType type) {
  return is_unsigned(type) || is_signed(type);
}

GgufValue GgufValue::scalar_from_bytes(GgufValueType type, const std::byte* p) {
  GgufValue value;
  value.type_ = type;
  switch (type) {
    case GgufValueType::UINT8:
      value.uint_ = load<uint8_t>(p);
      break;
    case GgufValueType::UINT16:
      value.uint_ = load<uint16_t>(p);
      break;
    case GgufValueType::UINT32:
      value.uint_ = load<uint32_t>(p);
      break;
    case GgufValueType::UINT64:
      value.uint_ = load<uint64_t>(p);
      break;
    case GgufValueType::INT8:
      value.int_ = load<int8_t>(p);
      break;
    case GgufValueType::INT16:
      value.int_ = load<int16_t>(p);
      break;
    case GgufValueType::INT32:
      value.int_ = load<int32_t>(p);
      break;
    case GgufValueType::INT64:
      value.int_ = load<int64_t>(p);
      break;
    case GgufValueType::FLOAT32:
      value.float_ = load<float>(p);
      break;
    case GgufValueType::FLOAT64:
      value.float_ = load<double>(p);
      break;
    case GgufValueType::BOOL:
      value.bool_ = load<uint8_t>(p) != 0;
      break;
    case GgufValueType::STRING:
    case GgufValueType::ARRAY:
      throw GgufError("value: a string or array is not a scalar");
  }
  return value;
}

std::string GgufValue::type_description() const {
  if (type_ != GgufValueType::ARRAY) return std::string(gguf_value_type_name(type_));
  return "array of " + std::string(gguf_value_type_name(element_type_));
}

GgufError GgufValue::wrong_type(std::string_view expected) const {
  return GgufError("value has type " + type_description() + ", expected " + std::string(expected));
}

uint64_t GgufValue::as_uint() const {
  if (is_unsigned(type_)) return uint_;
  if (is_signed(type_)) {
    if (int_ >= 0) return static_cast<uint64_t>(int_);
    throw GgufError("value is " + std::to_string(int_) + " (" + type_description() +
                    "), expected an unsigned integer");
  }
  throw wrong_type("an unsigned integer");
}

int64_t GgufValue::as_int() const {
  if (is_signed(type_)) return int_;
  if (is_unsigned(type_)) {
    if (uint_ <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return static_cast<int64_t>(uint_);
    }
    throw GgufError("value is " + std::to_string(uint_) + " (u64), which does not fit int64");
  }
  throw wrong_type("an integer");
}

double GgufValue::as_float() const {
  if (type_ == GgufValueType::FLOAT32 || type_ == GgufValueType::FLOAT64) return float_;
  throw wrong_type("f32 or f64");
}

bool GgufValue::as_bool() const {
  if (type_ == GgufValueType::BOOL) return bool_;
  throw wrong_type("bool");
}

std::string_view GgufValue::as_string() const {
  if (type_ == GgufValueType::STRING) return {string_, static_cast<size_t>(size_)};
  throw wrong_type("string");
}

GgufValueType GgufValue::array_type() const {
  if (type_ == GgufValueType::ARRAY) return element_type_;
  throw wrong_type("array");
}

size_t GgufValue::array_size() const {
  if (type_ == GgufValueType::ARRAY) return static_cast<size_t>(size_);
  throw wrong_type("array");
}

GgufValue GgufValue::at(size_t index) const {
  if (type_ != GgufValueType::ARRAY) throw wrong_type("array");
  if (index >= size_) {
    throw GgufError("index " + std::to_string(index) + " is past the end of an array of " +
                    std::to_string(size_) + " elements");
  }
  if (element_type_ == GgufValueType::STRING || element_type_ == GgufValueType::ARRAY) {
    return children_[index];
  }
  return scalar_from_bytes(element_type_, elements_ + index * gguf_value_type_size(element_type_));
}

}  // namespace engine
