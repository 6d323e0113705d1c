#include "engine/gguf/gguf_parser.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "engine/gguf/utf8.h"

namespace engine {
namespace {

// Smallest possible encodings, used to bound counts by the bytes left before anything is sized
// by them: a key-value is a key length (8), a 1-byte key, a type (4) and a 1-byte value; a tensor
// info is a name length (8), a 1-byte name, n_dims (4), one dim (8), a type (4) and an offset (8).
constexpr uint64_t kMinKeyValueBytes = 8 + 1 + 4 + 1;
constexpr uint64_t kMinTensorInfoBytes = 8 + 1 + 4 + 8 + 4 + 8;
constexpr uint64_t kMinStringBytes = 8;  // the length prefix of an empty string
constexpr uint64_t kMinArrayBytes = 12;  // element type and count of an empty array
constexpr uint64_t kMaxInt64 = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

std::string str(uint64_t n) {
  return std::to_string(n);
}

// Bytes of `text` as a reader can see them: printable ASCII as is, everything else as \xNN.
std::string escaped(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char ch : text.substr(0, 200)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out += ch;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (text.size() > 200) out += "...";
  return out;
}

bool is_variable_size(GgufValueType type) {
  return type == GgufValueType::STRING || type == GgufValueType::ARRAY;
}

}  // namespace

void GgufParser::fail(const std::string& message) const {
  throw file_.error(message);
}

void GgufParser::need(uint64_t n, std::string_view what, std::string_view context) const {
  const uint64_t left = size_ - pos_;
  if (n <= left) return;
  fail(std::string(context) + ": " + std::string(what) + " at offset " + str(pos_) + " needs " +
       str(n) + " bytes, but only " + str(left) + " are left (file size " + str(size_) + ")");
}

template <typename T>
T GgufParser::read(std::string_view what, std::string_view context) {
  need(sizeof(T), what, context);
  T value;
  std::memcpy(&value, data_ + pos_, sizeof(T));
  pos_ += sizeof(T);
  return value;
}

std::string_view GgufParser::read_string(std::string_view what, std::string_view context) {
  const uint64_t length = read<uint64_t>(std::string(what) + " length", context);
  need(length, what, context);
  std::string_view text(reinterpret_cast<const char*>(data_ + pos_), static_cast<size_t>(length));
  pos_ += length;
  return text;
}

std::string_view GgufParser::read_name(std::string_view what, std::string_view context,
                                       uint64_t max_bytes) {
  const uint64_t start = pos_;
  const std::string_view name = read_string(what, context);
  const std::string where =
      std::string(context) + ": " + std::string(what) + " at offset " + str(start);
  if (name.empty()) fail(where + " is empty");
  if (name.size() > max_bytes) {
    fail(where + " is " + str(name.size()) + " bytes long, more than the " + str(max_bytes) +
         " the GGUF spec allows");
  }
  if (!is_valid_utf8(name)) fail(where + " is not valid UTF-8: '" + escaped(name) + "'");
  const bool has_control = std::any_of(name.begin(), name.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
  });
  if (has_control) fail(where + " contains a control character: '" + escaped(name) + "'");
  return name;
}

void GgufParser::parse() {
  uint64_t n_tensors = 0;
  uint64_t n_kv = 0;
  parse_header(n_tensors, n_kv);
  parse_metadata(n_kv);
  read_alignment();
  parse_tensor_infos(n_tensors);
  place_tensors();
  resolve_children();
}

void GgufParser::parse_header(uint64_t& n_tensors, uint64_t& n_kv) {
  if (size_ < 4) fail("the file is " + str(size_) + " bytes long, too small to be a GGUF file");
  if (std::memcmp(data_, "GGUF", 4) != 0) {
    fail("not a GGUF file: it starts with '" + escaped({reinterpret_cast<const char*>(data_), 4}) +
         "', expected 'GGUF'");
  }
  pos_ = 4;
  const uint32_t version = read<uint32_t>("version", "header");
  if (version == 1) {
    fail(
        "GGUF version 1 is not supported (expected 2 or 3); convert the model again with a "
        "current llama.cpp");
  }
  if (version != 2 && version != 3) {
    const bool big_endian = (version & 0xFFFF) == 0 && (version >> 16) != 0;
    fail("unsupported GGUF version " + str(version) + " (expected 2 or 3)" +
         (big_endian ? "; the file looks big-endian, which is not supported" : ""));
  }
  file_.version_ = version;
  n_tensors = read<uint64_t>("tensor count", "header");
  n_kv = read<uint64_t>("metadata count", "header");
  const uint64_t left = size_ - pos_;
  if (n_kv > kGgufMaxKeyValues || n_kv > left / kMinKeyValueBytes) {
    fail("header: metadata count " + str(n_kv) + " is impossible: the " + str(left) +
         " bytes left hold at most " + str(left / kMinKeyValueBytes) + " (limit " +
         str(kGgufMaxKeyValues) + ")");
  }
  if (n_tensors > kGgufMaxTensors || n_tensors > left / kMinTensorInfoBytes) {
    fail("header: tensor count " + str(n_tensors) + " is impossible: the " + str(left) +
         " bytes left hold at most " + str(left / kMinTensorInfoBytes) + " (limit " +
         str(kGgufMaxTensors) + ")");
  }
}

void GgufParser::parse_metadata(uint64_t n_kv) {
  file_.metadata_.reserve(n_kv);  // bounded by the bytes left (parse_header)
  for (uint64_t i = 0; i < n_kv; ++i) {
    const std::string entry = "metadata entry #" + str(i);
    const std::string_view key = read_name("key", entry, kGgufMaxKeyBytes);
    const std::string context = "key '" + std::string(key) + "'";
    const auto [it, inserted] = file_.key_index_.emplace(key, file_.metadata_.size());
    if (!inserted) fail(context + ": duplicate key (first seen as entry #" + str(it->second) + ")");
    const auto type_id = read<uint32_t>("value type", context);
    GgufKeyValue kv{key, GgufValue{}};
    parse_value(kv.value, type_id, context, 0);
    file_.metadata_.push_back(kv);
  }
}

void GgufParser::parse_value(GgufValue& out, uint32_t type_id, const std::string& context,
                             int depth) {
  if (!gguf_value_type_is_valid(type_id)) {
    fail(context + ": unknown value type " + str(type_id) + " at offset " + str(pos_ - 4) +
         " (the GGUF spec defines 0 to 12)");
  }
  const auto type = static_cast<GgufValueType>(type_id);
  if (type == GgufValueType::ARRAY) {
    parse_array(out, context, depth + 1);
  } else if (type == GgufValueType::STRING) {
    const std::string_view text = read_string("string", context);
    out.type_ = GgufValueType::STRING;
    out.string_ = text.data();
    out.size_ = text.size();
  } else {
    const size_t n = gguf_value_type_size(type);
    need(n, gguf_value_type_name(type), context);
    out = GgufValue::scalar_from_bytes(type, data_ + pos_);
    pos_ += n;
  }
}

void GgufParser::parse_array(GgufValue& out, const std::string& context, int depth) {
  const uint64_t start = pos_;
  if (depth > kGgufMaxArrayDepth) {
    fail(context + ": arrays nested more than " + str(kGgufMaxArrayDepth) +
         " levels deep at offset " + str(start));
  }
  const auto element_id = read<uint32_t>("array element type", context);
  if (!gguf_value_type_is_valid(element_id)) {
    fail(context + ": unknown array element type " + str(element_id) + " at offset " + str(start) +
         " (the GGUF spec defines 0 to 12)");
  }
  const auto element_type = static_cast<GgufValueType>(element_id);
  const uint64_t count = read<uint64_t>("array length", context);
  const uint64_t left = size_ - pos_;
  const uint64_t element_bytes = element_type == GgufValueType::STRING ? kMinStringBytes
                                 : element_type == GgufValueType::ARRAY
                                     ? kMinArrayBytes
                                     : gguf_value_type_size(element_type);
  if (count > left / element_bytes) {
    fail(context + ": array of " + str(count) + " " +
         std::string(gguf_value_type_name(element_type)) + " at offset " + str(start) +
         " needs at least " +
         (count > kMaxInt64 / element_bytes ? "2^63" : str(count * element_bytes)) +
         " bytes, but only " + str(left) + " are left (file size " + str(size_) + ")");
  }
  out.type_ = GgufValueType::ARRAY;
  out.element_type_ = element_type;
  out.size_ = count;
  if (!is_variable_size(element_type)) {
    out.elements_ = data_ + pos_;
    pos_ += count * element_bytes;
    return;
  }
  std::vector<GgufValue>& nodes = file_.nodes_;
  if (count > kGgufMaxArrayNodes - nodes.size()) {
    fail(context + ": array of " + str(count) + " elements at offset " + str(start) +
         " takes the file past the limit of " + str(kGgufMaxArrayNodes) +
         " string and nested-array elements");
  }
  const size_t first = nodes.size();
  nodes.resize(first + count);
  out.child_index_ = first;
  if (element_type == GgufValueType::STRING) {
    // The hot loop of a vocabulary (~150k strings): plain checks, messages only on failure.
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t length = 0;
      if (size_ - pos_ >= 8) std::memcpy(&length, data_ + pos_, 8);
      if (size_ - pos_ < 8 || length > size_ - pos_ - 8) {
        need(8, "string length", context + " element " + str(i) + " of " + str(count));
        pos_ += 8;
        need(length, "string", context + " element " + str(i) + " of " + str(count));
      }
      GgufValue& element = nodes[first + i];
      element.type_ = GgufValueType::STRING;
      element.string_ = reinterpret_cast<const char*>(data_ + pos_ + 8);
      element.size_ = length;
      pos_ += 8 + length;
    }
    return;
  }
  for (uint64_t i = 0; i < count; ++i) {
    GgufValue element;  // parsed aside: the recursion may grow (move) the node pool
    parse_array(element, context + " element " + str(i) + " of " + str(count), depth + 1);
    nodes[first + i] = element;
  }
}

void GgufParser::read_alignment() {
  const GgufValue* value = file_.find("general.alignment");
  if (value == nullptr) return;
  if (value->type() != GgufValueType::UINT32) {
    fail("key 'general.alignment': value has type " + value->type_description() + ", expected u32");
  }
  const uint64_t alignment = value->as_uint();
  if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
    fail("key 'general.alignment' is " + str(alignment) + ", expected a non-zero power of two");
  }
  file_.alignment_ = static_cast<uint32_t>(alignment);
}

void GgufParser::parse_tensor_infos(uint64_t n_tensors) {
  const uint64_t left = size_ - pos_;
  if (n_tensors > left / kMinTensorInfoBytes) {
    fail("header: tensor count " + str(n_tensors) + " is impossible: the " + str(left) +
         " bytes left after the metadata (offset " + str(pos_) + ") hold at most " +
         str(left / kMinTensorInfoBytes));
  }
  file_.tensors_.reserve(n_tensors);
  for (uint64_t i = 0; i < n_tensors; ++i) parse_tensor_info(i);
}

void GgufParser::parse_tensor_info(size_t index) {
  GgufTensorInfo info;
  info.name = read_name("tensor name", "tensor #" + str(index), kGgufMaxTensorNameBytes);
  const std::string context = "tensor '" + std::string(info.name) + "'";
  const auto [it, inserted] = file_.tensor_index_.emplace(info.name, index);
  if (!inserted) {
    fail(context + ": duplicate tensor name (tensors #" + str(it->second) + " and #" + str(index) +
         ")");
  }
  info.n_dims = read<uint32_t>("n_dims", context);
  if (info.n_dims == 0 || info.n_dims > kGgufMaxDims) {
    fail(context + ": n_dims is " + str(info.n_dims) + ", expected 1 to " + str(kGgufMaxDims));
  }
  uint64_t n_elements = 1;
  bool overflow = false;
  for (uint32_t d = 0; d < info.n_dims; ++d) {
    info.ne[d] = read<uint64_t>("dimension", context);
    if (info.ne[d] == 0) fail(context + ": dimension " + str(d) + " is 0");
    overflow = overflow || __builtin_mul_overflow(n_elements, info.ne[d], &n_elements);
  }
  if (overflow || n_elements > kMaxInt64) {
    std::string shape;
    for (uint32_t d = 0; d < info.n_dims; ++d) shape += (d ? ", " : "") + str(info.ne[d]);
    fail(context + ": shape [" + shape + "] has more than 2^63-1 elements");
  }
  info.n_elements = n_elements;
  info.type_id = read<uint32_t>("type", context);
  info.layout = ggml_type_layout(info.type_id);
  if (info.layout) {
    const GgmlTypeLayout& layout = *info.layout;
    if (info.ne[0] % layout.block_elems != 0) {
      fail(context + ": row length " + str(info.ne[0]) + " is not a multiple of the block size " +
           str(layout.block_elems) + " of type " + std::string(layout.name));
    }
    if (__builtin_mul_overflow(n_elements / layout.block_elems, uint64_t{layout.block_bytes},
                               &info.n_bytes)) {
      fail(context + ": size in bytes overflows 64 bits");
    }
  }
  info.offset = read<uint64_t>("data offset", context);
  if (info.offset % file_.alignment_ != 0) {
    fail(context + ": data offset " + str(info.offset) + " is not a multiple of the alignment " +
         str(file_.alignment_));
  }
  file_.tensors_.push_back(info);
}

void GgufParser::place_tensors() {
  const uint64_t alignment = file_.alignment_;
  const uint64_t data_offset = (pos_ + alignment - 1) / alignment * alignment;
  std::vector<GgufTensorInfo>& tensors = file_.tensors_;
  if (tensors.empty()) {
    file_.data_offset_ = std::min(data_offset, size_);
    return;
  }
  if (data_offset > size_) {
    fail("the data section starts at offset " + str(data_offset) + " (tensor infos end at " +
         str(pos_) + ", aligned to " + str(alignment) + "), past the end of the file (size " +
         str(size_) + ")");
  }
  file_.data_offset_ = data_offset;
  for (GgufTensorInfo& t : tensors) {
    const std::string context = "tensor '" + std::string(t.name) + "'";
    if (t.offset > size_ - data_offset) {
      fail(context + ": data offset " + str(t.offset) + " (absolute " +
           (t.offset > kMaxInt64 ? "beyond 2^63" : str(data_offset + t.offset)) +
           ") starts past the end of the file (size " + str(size_) + ")");
    }
    t.offset += data_offset;
    if (t.n_bytes > size_ - t.offset) {
      fail(context + " data [offset " + str(t.offset) + ", " + str(t.n_bytes) +
           " bytes] ends past the end of the file (size " + str(size_) + ")");
    }
  }
  // Overlaps: sorted by start, each tensor must end before the next begins. Tensors of unknown
  // type have no known size and take no part.
  std::vector<const GgufTensorInfo*> order;
  order.reserve(tensors.size());
  for (const GgufTensorInfo& t : tensors) {
    if (t.layout) order.push_back(&t);
  }
  std::sort(order.begin(), order.end(),
            [](const GgufTensorInfo* a, const GgufTensorInfo* b) { return a->offset < b->offset; });
  for (size_t i = 1; i < order.size(); ++i) {
    const GgufTensorInfo& a = *order[i - 1];
    const GgufTensorInfo& b = *order[i];
    if (a.offset + a.n_bytes > b.offset) {
      fail("tensors '" + std::string(a.name) + "' [offset " + str(a.offset) + ", " +
           str(a.n_bytes) + " bytes] and '" + std::string(b.name) + "' [offset " + str(b.offset) +
           ", " + str(b.n_bytes) + " bytes] overlap");
    }
  }
}

void GgufParser::resolve_children() {
  const GgufValue* pool = file_.nodes_.data();
  auto resolve = [pool](GgufValue& value) {
    if (value.type_ == GgufValueType::ARRAY && is_variable_size(value.element_type_)) {
      value.children_ = pool + value.child_index_;
    }
  };
  for (GgufKeyValue& kv : file_.metadata_) resolve(kv.value);
  for (GgufValue& node : file_.nodes_) resolve(node);
}

}  // namespace engine
