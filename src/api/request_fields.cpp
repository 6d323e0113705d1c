#include "api/request_fields.h"

#include <cmath>
#include <limits>

namespace api::fields {
namespace {

// Client strings quoted in messages are cut to this many bytes.
constexpr std::size_t kMaxQuotedBytes = 64;

std::string quoted(std::string_view text) {
  std::string out = "'";
  out += text.substr(0, kMaxQuotedBytes);
  if (text.size() > kMaxQuotedBytes) out += "...";
  out += "'";
  return out;
}

}  // namespace

Path Path::operator/(std::string_view key) const {
  Path child = *this;
  if (!child.path_.empty()) child.path_ += '.';
  child.path_ += key;
  return child;
}

Path Path::operator/(std::size_t index) const {
  return *this / std::to_string(index);
}

void fail(const Path& path, std::string_view message) {
  if (path.str().empty()) throw Invalid{std::string(message)};
  throw Invalid{path.str() + ": " + std::string(message)};
}

Json* find(Json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

Json& require(Json& object, std::string_view key, const Path& path) {
  Json* value = find(object, key);
  if (value == nullptr) fail(path / key, "Field required");
  return *value;
}

Json& as_object(Json& value, const Path& path) {
  if (!value.is_object()) fail(path, "Input should be a valid dictionary");
  return value;
}

Json& as_array(Json& value, const Path& path) {
  if (!value.is_array()) fail(path, "Input should be a valid list");
  return value;
}

std::string take_string(Json& value, const Path& path) {
  if (!value.is_string()) fail(path, "Input should be a valid string");
  return std::move(*value.get_ptr<Json::string_t*>());
}

bool as_bool(const Json& value, const Path& path) {
  if (!value.is_boolean()) fail(path, "Input should be a valid boolean");
  return value.get<bool>();
}

double as_number(const Json& value, const Path& path) {
  if (!value.is_number()) fail(path, "Input should be a valid number");
  return value.get<double>();
}

int64_t as_integer(const Json& value, const Path& path) {
  if (value.is_number_integer() && !value.is_number_unsigned()) return value.get<int64_t>();
  if (value.is_number_unsigned()) {
    uint64_t u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      fail(path, "Input should be less than or equal to 9223372036854775807");
    }
    return static_cast<int64_t>(u);
  }
  if (value.is_number_float()) {
    double d = value.get<double>();
    if (d != std::floor(d))
      fail(path, "Input should be a valid integer, got a number with a fractional part");
    // 2^63 is the first double past int64's range.
    if (std::fabs(d) >= 9223372036854775808.0) fail(path, "Input should be a valid integer");
    return static_cast<int64_t>(d);
  }
  fail(path, "Input should be a valid integer");
}

std::string_view tag_of(const Json& object, const Path& path) {
  auto it = object.find("type");
  if (it == object.end() || !it->is_string()) {
    fail(path, "Unable to extract tag using discriminator 'type'");
  }
  return *it->get_ptr<const Json::string_t*>();
}

void fail_tag(std::string_view tag, std::initializer_list<std::string_view> expected,
              const Path& path) {
  std::string message =
      "Input tag " + quoted(tag) + " found using 'type' does not match any of the expected tags: ";
  bool first = true;
  for (std::string_view name : expected) {
    if (!first) message += ", ";
    message += quoted(name);
    first = false;
  }
  fail(path, message);
}

void fail_literal(std::initializer_list<std::string_view> expected, const Path& path) {
  std::string message = "Input should be ";
  std::size_t i = 0;
  for (std::string_view name : expected) {
    if (i > 0) message += (i + 1 == expected.size()) ? " or " : ", ";
    message += quoted(name);
    ++i;
  }
  fail(path, message);
}

}  // namespace api::fields
