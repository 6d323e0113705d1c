// Internal to api/: the field readers the request parsers are built from. Each check throws
// Invalid with one message in Anthropic's (Pydantic's) wording, prefixed by the dotted path of the
// field, e.g. "messages.0.content.1.tool_use.id: Field required"; the parsers' entry points catch
// it and return it as an invalid_request_error. Values are moved out of the document, which the
// parser owns, so large strings (base64 images) are not copied.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace api::fields {

using Json = nlohmann::ordered_json;

// A dotted field path: "messages.0.content".
class Path {
 public:
  Path() = default;
  Path operator/(std::string_view key) const;
  Path operator/(std::size_t index) const;
  const std::string& str() const { return path_; }

 private:
  std::string path_;
};

// The one exception type of the parsers; never escapes api/.
struct Invalid {
  std::string message;
};

// Throws Invalid{"<path>: <message>"} ("<message>" at the root).
[[noreturn]] void fail(const Path& path, std::string_view message);

// The member `key`, or nullptr when it is absent or null (optional fields accept null).
Json* find(Json& object, std::string_view key);
// The member `key`; absent or null fails with "<path>.<key>: Field required".
Json& require(Json& object, std::string_view key, const Path& path);

// Type checks: each fails with "<path>: Input should be a valid <type>".
Json& as_object(Json& value, const Path& path);
Json& as_array(Json& value, const Path& path);
std::string take_string(Json& value, const Path& path);
bool as_bool(const Json& value, const Path& path);
double as_number(const Json& value, const Path& path);    // integers and floats
int64_t as_integer(const Json& value, const Path& path);  // floats only with no fraction

// The "type" tag of a union member; fails with Pydantic's "Unable to extract tag using
// discriminator 'type'" when it is missing or not a string.
std::string_view tag_of(const Json& object, const Path& path);

// Pydantic's messages for a wrong tag and a wrong literal:
//   "Input tag 'x' found using 'type' does not match any of the expected tags: 'a', 'b'"
//   "Input should be 'a', 'b' or 'c'"
[[noreturn]] void fail_tag(std::string_view tag, std::initializer_list<std::string_view> expected,
                           const Path& path);
[[noreturn]] void fail_literal(std::initializer_list<std::string_view> expected, const Path& path);

}  // namespace api::fields
