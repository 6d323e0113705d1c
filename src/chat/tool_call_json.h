// Reading the JSON that models write for tool calls: finding where an object ends while it is
// still streaming, and parsing it with the repairs real outputs need.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace chat {

// Finds the end of the first JSON object or array in a text fed piece by piece. Strings in double
// or single quotes (models write Python dicts too) are skipped, with their escapes.
class JsonEndScanner {
 public:
  // Scans `text` (everything seen so far; each call passes the same text, grown) from where the
  // previous call stopped. Returns the offset just past the closing bracket once it has been seen.
  std::optional<size_t> scan(std::string_view text);
  // The offset of the opening bracket, once seen.
  std::optional<size_t> start() const { return start_; }
  // True if a byte other than whitespace came before the opening bracket.
  bool junk_before_start() const { return junk_; }
  int max_depth() const { return max_depth_; }

 private:
  size_t pos_ = 0;
  std::optional<size_t> start_;
  std::optional<size_t> end_;
  int depth_ = 0;
  int max_depth_ = 0;
  char quote_ = 0;  // the open string's quote, or 0
  bool escape_ = false;
  bool junk_ = false;
};

// Parses `text` as one JSON value. When strict JSON fails, retries after repairing what models
// get wrong: a code fence around it, single-quoted strings, trailing commas, Python's
// True/False/None. Numbers with more digits than a double holds are rounded; integers beyond 64
// bits become doubles. Nesting deeper than api's body limit (kMaxJsonDepth) fails.
std::optional<nlohmann::ordered_json> parse_lenient_json(std::string_view text);

// The repairs of parse_lenient_json, as text (exposed for tests).
std::string repair_json_text(std::string_view text);

// Strips a Markdown code fence (```json ... ```) around `text`, if any.
std::string_view strip_code_fence(std::string_view text);

// `{"name": "NAME"` (or single quotes) at the start of `object_text` (which starts at the brace):
// the name as soon as its closing quote has been seen. Names with escapes are not recognised.
std::optional<std::string> leading_name(std::string_view object_text);

}  // namespace chat
