// Reads a request body into JSON, with the limits an untrusted body needs: nesting depth is capped
// (everything after parsing may recurse), objects keep their key order (tool schemas must reach the
// chat template as the client wrote them) and duplicate keys cost O(n log n), not O(n^2).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "api/error.h"

namespace api {

// Arrays and objects nested deeper than this are refused.
inline constexpr int kMaxJsonDepth = 128;

// The parsed body, or an invalid_request_error in the wording Anthropic uses for bad JSON:
//   "The request body is not valid JSON: <reason>: line L column C (char N)".
// A duplicate key keeps its first position and its last value, as Python's json does.
Result<nlohmann::ordered_json> parse_json_body(std::string_view body);

}  // namespace api
