#include "engine/tokenizer/unicode.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <vector>

#include "engine/tokenizer/unicode_data.h"

namespace engine::unicode {
namespace {

constexpr uint32_t kMaxCodepoint = 0x10FFFF;

// class_of as a two-stage table: stage1 maps each block of 256 code points to one of the distinct
// blocks in stage2. Built once from the generated ranges (about 60 KB).
struct ClassTable {
  std::vector<uint16_t> stage1;  // [0x1100] block index
  std::vector<uint8_t> stage2;   // [n_distinct_blocks * 256] class bits
};

ClassTable build_class_table() {
  std::vector<uint8_t> flat(kMaxCodepoint + 1, 0);
  for (size_t i = 0; i < unicode_data::kClassRangeCount; ++i) {
    const auto& r = unicode_data::kClassRanges[i];
    std::fill(flat.begin() + r.first, flat.begin() + r.last + 1, static_cast<uint8_t>(r.value));
  }
  ClassTable table;
  std::map<std::array<uint8_t, 256>, uint16_t> distinct;
  for (uint32_t block = 0; block < (kMaxCodepoint + 1) / 256; ++block) {
    std::array<uint8_t, 256> bits;
    std::memcpy(bits.data(), flat.data() + block * 256, 256);
    auto [it, inserted] = distinct.emplace(bits, static_cast<uint16_t>(distinct.size()));
    if (inserted) table.stage2.insert(table.stage2.end(), bits.begin(), bits.end());
    table.stage1.push_back(it->second);
  }
  return table;
}

const ClassTable& class_table() {
  static const ClassTable table = build_class_table();
  return table;
}

// Hangul syllables compose and decompose algorithmically (Unicode 3.12).
constexpr uint32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr uint32_t kLCount = 19, kVCount = 21, kTCount = 28;
constexpr uint32_t kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

void decompose(uint32_t cp, std::vector<uint32_t>& out) {
  if (cp >= kSBase && cp < kSBase + kSCount) {
    const uint32_t s = cp - kSBase;
    out.push_back(kLBase + s / kNCount);
    out.push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount != 0) out.push_back(kTBase + s % kTCount);
    return;
  }
  const auto* begin = unicode_data::kDecompositions;
  const auto* end = begin + unicode_data::kDecompositionCount;
  const auto* it = std::lower_bound(
      begin, end, cp, [](const unicode_data::Decomposition& d, uint32_t c) { return d.cp < c; });
  if (it == end || it->cp != cp) {
    out.push_back(cp);
    return;
  }
  decompose(it->first, out);
  if (it->second != 0) decompose(it->second, out);
}

// The primary composite of first + second, or 0.
uint32_t compose(uint32_t first, uint32_t second) {
  if (first >= kLBase && first < kLBase + kLCount && second >= kVBase &&
      second < kVBase + kVCount) {
    return kSBase + ((first - kLBase) * kVCount + (second - kVBase)) * kTCount;
  }
  if (first >= kSBase && first < kSBase + kSCount && (first - kSBase) % kTCount == 0 &&
      second > kTBase && second < kTBase + kTCount) {
    return first + (second - kTBase);
  }
  const auto* begin = unicode_data::kCompositions;
  const auto* end = begin + unicode_data::kCompositionCount;
  const auto key = std::make_pair(first, second);
  const auto* it = std::lower_bound(
      begin, end, key,
      [](const unicode_data::Composition& c, const std::pair<uint32_t, uint32_t>& k) {
        return std::make_pair(c.first, c.second) < k;
      });
  return (it != end && it->first == first && it->second == second) ? it->composite : 0;
}

}  // namespace

std::string_view version() {
  return unicode_data::kUnicodeVersion;
}

uint8_t class_of(uint32_t cp) {
  if (cp > kMaxCodepoint) return 0;
  const ClassTable& t = class_table();
  return t.stage2[static_cast<size_t>(t.stage1[cp >> 8]) * 256 + (cp & 0xFF)];
}

uint8_t combining_class(uint32_t cp) {
  const auto* begin = unicode_data::kCombiningClassRanges;
  const auto* end = begin + unicode_data::kCombiningClassRangeCount;
  const auto* it = std::upper_bound(
      begin, end, cp,
      [](uint32_t c, const unicode_data::CodepointRange& r) { return c < r.first; });
  if (it == begin) return 0;
  --it;
  return cp <= it->last ? static_cast<uint8_t>(it->value) : 0;
}

Utf8Prefix read_utf8(std::string_view bytes) {
  const auto b0 = static_cast<uint8_t>(bytes[0]);
  if (b0 < 0x80) return {Utf8Prefix::kComplete, 1, b0};
  uint8_t need;                  // continuation bytes after b0
  uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the first continuation byte (Table 3-7)
  uint32_t cp;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
    cp = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    cp = b0 & 0x0Fu;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    cp = b0 & 0x07u;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return {Utf8Prefix::kInvalid, 1, 0};
  }
  for (uint8_t i = 1; i <= need; ++i) {
    if (i >= bytes.size()) return {Utf8Prefix::kIncomplete, i, 0};
    const auto b = static_cast<uint8_t>(bytes[i]);
    const bool ok = (i == 1) ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
    if (!ok) return {Utf8Prefix::kInvalid, i, 0};
    cp = (cp << 6) | (b & 0x3Fu);
  }
  return {Utf8Prefix::kComplete, static_cast<uint8_t>(need + 1), cp};
}

size_t find_invalid_utf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    if (static_cast<uint8_t>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    const Utf8Prefix p = read_utf8(text.substr(pos));
    if (p.kind != Utf8Prefix::kComplete) return pos;
    pos += p.length;
  }
  return std::string_view::npos;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool is_nfc_quick(std::string_view text) {
  uint8_t last_ccc = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    if (static_cast<uint8_t>(text[pos]) < 0x80) {  // ASCII: starters, always NFC
      ++pos;
      last_ccc = 0;
      continue;
    }
    const uint32_t cp = next_codepoint(text, pos);
    const uint8_t cls = class_of(cp);
    if (cls & (kNfcNo | kNfcMaybe)) return false;
    const uint8_t ccc = (cls & kNonStarter) ? combining_class(cp) : 0;
    if (ccc != 0 && last_ccc > ccc) return false;
    last_ccc = ccc;
  }
  return true;
}

std::string to_nfc(std::string_view text) {
  std::vector<uint32_t> cps;
  cps.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) decompose(next_codepoint(text, pos), cps);

  // Canonical ordering: each run of non-starters sorted (stably) by combining class.
  std::vector<uint8_t> ccc(cps.size());
  for (size_t i = 0; i < cps.size(); ++i) ccc[i] = combining_class(cps[i]);
  for (size_t i = 0; i < cps.size();) {
    if (ccc[i] == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < cps.size() && ccc[j] != 0) ++j;
    if (j - i > 1) {
      std::vector<std::pair<uint8_t, uint32_t>> run;
      for (size_t k = i; k < j; ++k) run.emplace_back(ccc[k], cps[k]);
      std::stable_sort(run.begin(), run.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      for (size_t k = i; k < j; ++k) std::tie(ccc[k], cps[k]) = run[k - i];
    }
    i = j;
  }

  // Canonical composition: a character joins the last starter unless blocked by a character
  // between them of equal or higher class (or by any character, when it is a starter itself).
  std::vector<uint32_t> out;
  out.reserve(cps.size());
  size_t starter = SIZE_MAX;  // index in `out` of the last starter
  uint8_t last_ccc = 0;       // class of the last character in `out` after the starter
  for (size_t i = 0; i < cps.size(); ++i) {
    const uint32_t cp = cps[i];
    const uint8_t c = ccc[i];
    if (starter != SIZE_MAX) {
      const bool adjacent = out.size() - 1 == starter;
      const bool blocked = !adjacent && (last_ccc == 0 || last_ccc >= c);
      if (!blocked) {
        if (const uint32_t composite = compose(out[starter], cp); composite != 0) {
          out[starter] = composite;
          continue;
        }
      }
    }
    if (c == 0) starter = out.size();
    last_ccc = c;
    out.push_back(cp);
  }

  std::string result;
  result.reserve(text.size());
  for (uint32_t cp : out) append_utf8(result, cp);
  return result;
}

}  // namespace engine::unicode
