// The Unicode tables of the tokenizer, generated into unicode_data.cpp by
// tests/tokenizer/gen_unicode_data.py. Read them through unicode.h, not directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace engine::unicode_data {

// Code points first..last (inclusive) share `value`. Sorted, disjoint; code points not covered
// have value 0.
struct CodepointRange {
  uint32_t first;
  uint32_t last;
  uint32_t value;
};

// One level of a canonical decomposition: cp -> first (+ second, or 0 for a singleton).
struct Decomposition {
  uint32_t cp;
  uint32_t first;
  uint32_t second;
};

// A primary composite: first + second -> composite.
struct Composition {
  uint32_t first;
  uint32_t second;
  uint32_t composite;
};

extern const std::string_view kUnicodeVersion;

// Values are unicode::Class bits (unicode.h).
extern const CodepointRange kClassRanges[];
extern const size_t kClassRangeCount;

extern const CodepointRange kCombiningClassRanges[];
extern const size_t kCombiningClassRangeCount;

extern const Decomposition kDecompositions[];  // sorted by cp
extern const size_t kDecompositionCount;

extern const Composition kCompositions[];  // sorted by (first, second)
extern const size_t kCompositionCount;

}  // namespace engine::unicode_data
