// `anthropic-local gguf-info MODEL`: what a GGUF file holds, the way a user wants to see it:
// format, architecture, key hyperparameters, parameter count, quantization mix, all metadata
// (long values summarised) and the tensor table. --json prints the same as one JSON object.
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/utf8.h"
#include "server/cli/commands.h"

namespace server::cli {
namespace {

using engine::GgufFile;
using engine::GgufTensorInfo;
using engine::GgufValue;
using engine::GgufValueType;
using Json = nlohmann::ordered_json;

// The hyperparameters users look for first, under "<architecture>."; the other keys of the
// architecture follow them in file order.
constexpr std::string_view kKeyHyperparameters[] = {
    "context_length",          "embedding_length",    "block_count",    "attention.head_count",
    "attention.head_count_kv", "feed_forward_length", "rope.freq_base", "expert_count",
    "expert_used_count",
};

// llama.cpp's llama_ftype names for general.file_type (llama.h), the "mostly" type of a file.
constexpr std::pair<uint64_t, std::string_view> kFileTypes[] = {
    {0, "F32"},      {1, "F16"},      {2, "Q4_0"},       {3, "Q4_1"},    {7, "Q8_0"},
    {8, "Q5_0"},     {9, "Q5_1"},     {10, "Q2_K"},      {11, "Q3_K_S"}, {12, "Q3_K_M"},
    {13, "Q3_K_L"},  {14, "Q4_K_S"},  {15, "Q4_K_M"},    {16, "Q5_K_S"}, {17, "Q5_K_M"},
    {18, "Q6_K"},    {19, "IQ2_XXS"}, {20, "IQ2_XS"},    {21, "Q2_K_S"}, {22, "IQ3_XS"},
    {23, "IQ3_XXS"}, {24, "IQ1_S"},   {25, "IQ4_NL"},    {26, "IQ3_S"},  {27, "IQ3_M"},
    {28, "IQ2_S"},   {29, "IQ2_M"},   {30, "IQ4_XS"},    {31, "IQ1_M"},  {32, "BF16"},
    {36, "TQ1_0"},   {37, "TQ2_0"},   {38, "MXFP4_MOE"},
};

constexpr size_t kArrayHead = 5;       // array elements shown in text
constexpr size_t kJsonArrayHead = 16;  // array elements given in JSON
constexpr size_t kStringBytesShown = 80;

struct TypeStats {
  std::string type;
  uint64_t n_tensors = 0;
  uint64_t n_params = 0;
  uint64_t n_bytes = 0;
  bool bytes_known = true;
};

struct Summary {
  std::string architecture;
  uint64_t n_params = 0;
  std::vector<TypeStats> types;  // most bytes first
  std::vector<const engine::GgufKeyValue*> hyperparameters;
};

Summary summarize(const GgufFile& file) {
  Summary s;
  try {
    s.architecture = std::string(file.get_string("general.architecture").value_or(""));
  } catch (const engine::GgufError&) {
  }  // not a string: shown as it is in the metadata list, no hyperparameter section
  std::map<std::string, TypeStats> by_type;
  for (const GgufTensorInfo& t : file.tensors()) {
    TypeStats& stats = by_type[t.type_name()];
    stats.type = t.type_name();
    stats.n_tensors += 1;
    stats.n_params += t.n_elements;
    stats.n_bytes += t.n_bytes;
    stats.bytes_known = stats.bytes_known && t.layout.has_value();
    s.n_params += t.n_elements;
  }
  for (auto& [name, stats] : by_type) s.types.push_back(stats);
  std::sort(s.types.begin(), s.types.end(), [](const TypeStats& a, const TypeStats& b) {
    return a.n_bytes != b.n_bytes ? a.n_bytes > b.n_bytes : a.n_params > b.n_params;
  });
  if (s.architecture.empty()) return s;
  const std::string prefix = s.architecture + ".";
  for (std::string_view key : kKeyHyperparameters) {
    for (const auto& kv : file.metadata()) {
      if (kv.key == prefix + std::string(key)) s.hyperparameters.push_back(&kv);
    }
  }
  for (const auto& kv : file.metadata()) {
    if (kv.key.starts_with(prefix) && std::find(s.hyperparameters.begin(), s.hyperparameters.end(),
                                                &kv) == s.hyperparameters.end()) {
      s.hyperparameters.push_back(&kv);
    }
  }
  return s;
}

std::string printf_string(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, value);
  return buf;
}

// "4.68 GiB", "512 B".
std::string human_bytes(uint64_t n) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(n);
  size_t unit = 0;
  while (v >= 1024 && unit + 1 < std::size(kUnits)) v /= 1024, ++unit;
  if (unit == 0) return std::to_string(n) + " B";
  return printf_string("%.2f ", v) + kUnits[unit];
}

// "7.62 B", "596.05 M", "12.29 K", "999".
std::string human_count(uint64_t n) {
  const double v = static_cast<double>(n);
  if (n >= 1000000000) return printf_string("%.2f B", v / 1e9);
  if (n >= 1000000) return printf_string("%.2f M", v / 1e6);
  if (n >= 1000) return printf_string("%.2f K", v / 1e3);
  return std::to_string(n);
}

// "5,027,783,488".
std::string grouped(uint64_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

std::string shape_of(const GgufTensorInfo& t) {
  std::string out = "[";
  for (uint32_t d = 0; d < t.n_dims; ++d) out += (d ? ", " : "") + std::to_string(t.ne[d]);
  return out + "]";
}

// A string as a quoted literal: escapes for quotes, backslashes, control characters and (in a
// string that is not UTF-8) every non-ASCII byte; cut after about `max_bytes` with its length.
std::string quoted(std::string_view text, size_t max_bytes) {
  const bool utf8 = engine::is_valid_utf8(text);
  size_t shown = std::min(text.size(), max_bytes);
  if (utf8) {
    while (shown < text.size() && (static_cast<unsigned char>(text[shown]) & 0xC0) == 0x80) {
      --shown;  // do not cut a UTF-8 sequence
    }
  }
  std::string out = "\"";
  for (const char ch : text.substr(0, shown)) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F || (!utf8 && c >= 0x80)) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += '"';
  if (shown < text.size()) out += "... (" + grouped(text.size()) + " bytes)";
  return out;
}

// The shortest decimal that reads back as the same f32 (or f64): 0.1f prints as "0.1".
std::string shortest_float(double value, bool is_f32) {
  char buf[64];
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {  // 500000, not 5e+05
    std::snprintf(buf, sizeof(buf), "%.0f", value);
    return buf;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, value);
    const bool same = is_f32 ? std::strtof(buf, nullptr) == static_cast<float>(value)
                             : std::strtod(buf, nullptr) == value;
    if (same) break;
  }
  return buf;
}

// A name for a header line: as it is when printable, else quoted with escapes.
std::string display(std::string_view text) {
  const bool plain = engine::is_valid_utf8(text) && text.size() <= kStringBytesShown &&
                     std::none_of(text.begin(), text.end(), [](char c) {
                       return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
                     });
  return plain ? std::string(text) : quoted(text, kStringBytesShown);
}

std::string scalar_text(const GgufValue& v) {
  switch (v.type()) {
    case GgufValueType::INT8:
    case GgufValueType::INT16:
    case GgufValueType::INT32:
    case GgufValueType::INT64:
      return std::to_string(v.as_int());
    case GgufValueType::FLOAT32:
      return shortest_float(v.as_float(), true);
    case GgufValueType::FLOAT64:
      return shortest_float(v.as_float(), false);
    case GgufValueType::BOOL:
      return v.as_bool() ? "true" : "false";
    case GgufValueType::STRING:
      return quoted(v.as_string(), kStringBytesShown);
    default:
      return std::to_string(v.as_uint());
  }
}

// Scalars as they are; arrays as "[i32 × 151936] 0, 1, 2, 3, 4, ..." (nested arrays in brackets).
std::string value_text(const GgufValue& v, bool nested = false) {
  if (!v.is_array()) return scalar_text(v);
  std::string out = nested ? "["
                           : "[" + std::string(engine::gguf_value_type_name(v.array_type())) +
                                 " \xc3\x97 " + grouped(v.array_size()) + "] ";
  const size_t shown = std::min(v.array_size(), nested ? size_t{3} : kArrayHead);
  for (size_t i = 0; i < shown; ++i) out += (i ? ", " : "") + value_text(v.at(i), true);
  if (shown < v.array_size()) out += ", ...";
  return nested ? out + "]" : out;
}

Json scalar_json(const GgufValue& v) {
  switch (v.type()) {
    case GgufValueType::INT8:
    case GgufValueType::INT16:
    case GgufValueType::INT32:
    case GgufValueType::INT64:
      return v.as_int();
    case GgufValueType::FLOAT32:
    case GgufValueType::FLOAT64:
      return v.as_float();
    case GgufValueType::BOOL:
      return v.as_bool();
    case GgufValueType::STRING:
      return std::string(v.as_string());
    case GgufValueType::ARRAY: {
      Json out = Json::array();
      for (size_t i = 0; i < std::min(v.array_size(), kJsonArrayHead); ++i) {
        out.push_back(scalar_json(v.at(i)));
      }
      return out;
    }
    default:
      return v.as_uint();
  }
}

void print_text(const GgufFile& file, const Summary& s) {
  std::printf("%s\n", file.path().c_str());
  std::printf("  GGUF v%u, %s (%s bytes), alignment %u, data at offset %s\n", file.version(),
              human_bytes(file.file_size()).c_str(), grouped(file.file_size()).c_str(),
              file.alignment(), grouped(file.data_offset()).c_str());
  const GgufValue* name = file.find("general.name");
  std::printf("  architecture  %s\n",
              s.architecture.empty() ? "(none)" : display(s.architecture).c_str());
  if (name != nullptr) {
    const bool is_string = name->type() == GgufValueType::STRING;
    std::printf("  name          %s\n",
                (is_string ? display(name->as_string()) : value_text(*name)).c_str());
  }
  std::printf("  parameters    %s in %zu tensors\n", human_count(s.n_params).c_str(),
              file.tensors().size());
  const GgufValue* file_type = file.find("general.file_type");
  if (file_type != nullptr && file_type->type() == GgufValueType::UINT32) {
    const uint64_t id = file_type->as_uint();
    const auto* it = std::find_if(std::begin(kFileTypes), std::end(kFileTypes),
                                  [id](const auto& t) { return t.first == id; });
    std::printf("  file type     %s (general.file_type %" PRIu64 ")\n",
                it != std::end(kFileTypes) ? std::string(it->second).c_str() : "unknown", id);
  }

  if (!s.hyperparameters.empty()) {
    std::printf("\nhyperparameters (%s.*)\n", s.architecture.c_str());
    size_t width = 0;
    for (const auto* kv : s.hyperparameters) width = std::max(width, kv->key.size());
    for (const auto* kv : s.hyperparameters) {
      const std::string key(kv->key.substr(s.architecture.size() + 1));
      std::printf("  %-*s  %s\n", static_cast<int>(width - s.architecture.size() - 1), key.c_str(),
                  value_text(kv->value).c_str());
    }
  }

  if (!s.types.empty()) {
    std::printf("\nquantization\n");
    std::printf("  %-18s %8s %12s %12s %9s %8s\n", "type", "tensors", "parameters", "bytes",
                "params %", "bytes %");
    uint64_t total_bytes = 0;
    for (const TypeStats& t : s.types) total_bytes += t.n_bytes;
    for (const TypeStats& t : s.types) {
      const double params_pct = s.n_params ? 100.0 * t.n_params / s.n_params : 0;
      const double bytes_pct = total_bytes ? 100.0 * t.n_bytes / total_bytes : 0;
      std::printf("  %-18s %8" PRIu64 " %12s %12s %8.1f%% %7s\n", t.type.c_str(), t.n_tensors,
                  human_count(t.n_params).c_str(),
                  t.bytes_known ? human_bytes(t.n_bytes).c_str() : "?", params_pct,
                  t.bytes_known ? printf_string("%.1f%%", bytes_pct).c_str() : "?");
    }
    std::printf("  %-18s %8zu %12s %12s\n", "total", file.tensors().size(),
                human_count(s.n_params).c_str(), human_bytes(total_bytes).c_str());
  }

  std::printf("\nmetadata (%zu keys)\n", file.metadata().size());
  size_t key_width = 0;
  for (const auto& kv : file.metadata()) key_width = std::max(key_width, kv.key.size());
  for (const auto& kv : file.metadata()) {
    const std::string key(kv.key);
    const std::string type = kv.value.is_array() ? "array" : kv.value.type_description();
    std::printf("  %-*s  %-6s  %s\n", static_cast<int>(key_width), key.c_str(), type.c_str(),
                value_text(kv.value).c_str());
  }

  std::printf("\ntensors (%zu)\n", file.tensors().size());
  size_t name_width = 4;
  size_t type_width = 4;
  size_t shape_width = 5;
  size_t offset_width = 6;
  for (const GgufTensorInfo& t : file.tensors()) {
    name_width = std::max(name_width, t.name.size());
    type_width = std::max(type_width, t.type_name().size());
    shape_width = std::max(shape_width, shape_of(t).size());
    offset_width = std::max(offset_width, grouped(t.offset).size());
  }
  std::printf("  %-*s  %-*s  %-*s  %12s  %*s\n", static_cast<int>(name_width), "name",
              static_cast<int>(type_width), "type", static_cast<int>(shape_width), "shape", "size",
              static_cast<int>(offset_width), "offset");
  for (const GgufTensorInfo& t : file.tensors()) {
    const std::string name(t.name);
    std::printf("  %-*s  %-*s  %-*s  %12s  %*s\n", static_cast<int>(name_width), name.c_str(),
                static_cast<int>(type_width), t.type_name().c_str(), static_cast<int>(shape_width),
                shape_of(t).c_str(), t.layout ? human_bytes(t.n_bytes).c_str() : "?",
                static_cast<int>(offset_width), grouped(t.offset).c_str());
  }
}

void print_json(const GgufFile& file, const Summary& s) {
  Json out;
  out["path"] = file.path().string();
  out["version"] = file.version();
  out["file_size"] = file.file_size();
  out["alignment"] = file.alignment();
  out["data_offset"] = file.data_offset();
  out["architecture"] = s.architecture;
  const GgufValue* name = file.find("general.name");
  out["name"] = name != nullptr && name->type() == GgufValueType::STRING
                    ? Json(std::string(name->as_string()))
                    : Json(nullptr);
  out["parameters"] = s.n_params;
  out["hyperparameters"] = Json::object();
  for (const auto* kv : s.hyperparameters) {
    out["hyperparameters"][std::string(kv->key.substr(s.architecture.size() + 1))] =
        scalar_json(kv->value);
  }
  out["quantization"] = Json::array();
  for (const TypeStats& t : s.types) {
    out["quantization"].push_back({{"type", t.type},
                                   {"tensors", t.n_tensors},
                                   {"parameters", t.n_params},
                                   {"bytes", t.bytes_known ? Json(t.n_bytes) : Json(nullptr)}});
  }
  out["metadata"] = Json::array();
  for (const auto& kv : file.metadata()) {
    Json entry = {{"key", std::string(kv.key)}, {"type", kv.value.type_description()}};
    if (kv.value.is_array()) {
      entry["count"] = kv.value.array_size();
      entry["truncated"] = kv.value.array_size() > kJsonArrayHead;
    }
    entry["value"] = scalar_json(kv.value);
    out["metadata"].push_back(std::move(entry));
  }
  out["tensors"] = Json::array();
  for (const GgufTensorInfo& t : file.tensors()) {
    out["tensors"].push_back(
        {{"name", std::string(t.name)},
         {"type", t.type_name()},
         {"type_id", t.type_id},
         {"shape", std::vector<uint64_t>(t.ne.begin(), t.ne.begin() + t.n_dims)},
         {"parameters", t.n_elements},
         {"bytes", t.layout ? Json(t.n_bytes) : Json(nullptr)},
         {"offset", t.offset}});
  }
  // Metadata strings need not be UTF-8: replace what is not, rather than fail.
  std::printf("%s\n", out.dump(2, ' ', false, Json::error_handler_t::replace).c_str());
}

}  // namespace

int run_gguf_info(const GgufInfoOptions& o) {
  try {
    const GgufFile file = GgufFile::open(o.model);
    const Summary summary = summarize(file);
    if (o.json) {
      print_json(file, summary);
    } else {
      print_text(file, summary);
    }
    return 0;
  } catch (const engine::GgufError& e) {
    std::fprintf(stderr, "anthropic-local: %s\n", e.what());
    return 1;
  }
}

}  // namespace server::cli
