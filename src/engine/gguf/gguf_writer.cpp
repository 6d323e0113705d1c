#include "engine/gguf/gguf_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>

#include "engine/gguf/utf8.h"

namespace engine {
namespace {

constexpr uint32_t kVersion = 3;
constexpr uint64_t kMaxKeyBytes = 65535;
constexpr uint64_t kMaxTensorNameBytes = 63;  // llama.cpp: GGML_MAX_NAME (64) with the NUL
constexpr size_t kMaxDims = 4;
constexpr size_t kWriteBuffer = size_t{1} << 20;

std::string str(uint64_t n) {
  return std::to_string(n);
}

template <typename T>
void append(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

void append_string(std::string& out, std::string_view text) {
  append<uint64_t>(out, text.size());
  out.append(text);
}

void check_name(std::string_view what, std::string_view name, uint64_t max_bytes) {
  const std::string prefix = "GgufWriter: " + std::string(what) + " '" + std::string(name) + "'";
  if (name.empty()) throw GgufError("GgufWriter: " + std::string(what) + " is empty");
  if (name.size() > max_bytes) {
    throw GgufError(prefix + " is " + str(name.size()) + " bytes long, more than " +
                    str(max_bytes));
  }
  if (!is_valid_utf8(name)) throw GgufError(prefix + " is not valid UTF-8");
  const bool has_control = std::any_of(name.begin(), name.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
  });
  if (has_control) throw GgufError(prefix + " contains a control character");
}

uint64_t align_up(uint64_t n, uint64_t alignment) {
  return (n + alignment - 1) / alignment * alignment;
}

// An open output file whose writes are checked; closes (and removes, unless committed) itself.
class OutputFile {
 public:
  explicit OutputFile(std::filesystem::path path) : path_(std::move(path)) {
    file_ = std::fopen(path_.c_str(), "wb");
    if (file_ == nullptr) fail("cannot create the file", errno);
    buffer_ = std::make_unique<char[]>(kWriteBuffer);
    std::setvbuf(file_, buffer_.get(), _IOFBF, kWriteBuffer);
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile() {
    if (file_ != nullptr) {
      std::fclose(file_);
      std::filesystem::remove(path_);
    }
  }

  std::FILE* get() { return file_; }
  uint64_t position() { return static_cast<uint64_t>(std::ftell(file_)); }

  void write(const void* data, size_t n) {
    if (n != 0 && std::fwrite(data, 1, n, file_) != n) fail("write failed", errno);
  }
  void pad_to(uint64_t alignment) {
    static constexpr char kZeros[256] = {};
    uint64_t n = align_up(position(), alignment) - position();
    while (n > 0) {
      const size_t chunk = std::min<uint64_t>(n, sizeof(kZeros));
      write(kZeros, chunk);
      n -= chunk;
    }
  }
  // Flushes and closes; the file stays.
  void commit() {
    std::FILE* file = file_;
    file_ = nullptr;
    if (std::fclose(file) != 0) {
      std::filesystem::remove(path_);
      fail("write failed", errno);
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what, int err) const {
    throw GgufError(path_.string() + ": " + what + ": " + std::strerror(err));
  }

  std::filesystem::path path_;
  std::FILE* file_ = nullptr;  // owned
  std::unique_ptr<char[]> buffer_;
};

}  // namespace

void GgufArray::expect(GgufValueType type) const {
  if (type == element_type_) return;
  throw GgufError("GgufArray: cannot add a " + std::string(gguf_value_type_name(type)) +
                  " to an array of " + std::string(gguf_value_type_name(element_type_)));
}

void GgufArray::append_string(std::string_view text) {
  engine::append_string(bytes_, text);
}

void GgufArray::append_array(const GgufArray& array) {
  append<uint32_t>(bytes_, static_cast<uint32_t>(array.element_type_));
  append<uint64_t>(bytes_, array.size_);
  bytes_.append(array.bytes_);
}

void GgufTensorSink::write(std::span<const std::byte> bytes) {
  write(bytes.data(), bytes.size());
}

void GgufTensorSink::write(const void* data, size_t n_bytes) {
  if (n_bytes > expected_ - written_) {
    throw GgufError("GgufWriter: tensor '" + std::string(tensor_) +
                    "': the callback writes more than its " + str(expected_) + " bytes");
  }
  if (n_bytes != 0 && std::fwrite(data, 1, n_bytes, file_) != n_bytes) {
    throw GgufError("GgufWriter: tensor '" + std::string(tensor_) +
                    "': write failed: " + std::strerror(errno));
  }
  written_ += n_bytes;
}

void GgufWriter::put(std::string_view key, std::string encoded) {
  check_name("key", key, kMaxKeyBytes);
  uint32_t type = 0;
  std::memcpy(&type, encoded.data(), 4);
  if (key == "general.alignment" && type != static_cast<uint32_t>(GgufValueType::UINT32)) {
    throw GgufError("GgufWriter: general.alignment must be a u32 (use set_alignment)");
  }
  const auto [it, inserted] = key_index_.emplace(std::string(key), metadata_.size());
  if (inserted) {
    metadata_.push_back({std::string(key), std::move(encoded)});
  } else {
    metadata_[it->second].value = std::move(encoded);
  }
}

void GgufWriter::set_u32(std::string_view key, uint32_t value) {
  if (key == "general.alignment") {
    if (value == 0 || (value & (value - 1)) != 0) {
      throw GgufError("GgufWriter: alignment " + str(value) + " is not a non-zero power of two");
    }
    alignment_ = value;
  }
  set_scalar(key, value);
}

void GgufWriter::set_alignment(uint32_t alignment) {
  set_u32("general.alignment", alignment);
}

void GgufWriter::set_string(std::string_view key, std::string_view value) {
  std::string encoded;
  encoded.reserve(4 + 8 + value.size());
  append<uint32_t>(encoded, static_cast<uint32_t>(GgufValueType::STRING));
  append_string(encoded, value);
  put(key, std::move(encoded));
}

void GgufWriter::set_array(std::string_view key, GgufArray array) {
  std::string encoded;
  encoded.reserve(16 + array.bytes_.size());
  append<uint32_t>(encoded, static_cast<uint32_t>(GgufValueType::ARRAY));
  append<uint32_t>(encoded, static_cast<uint32_t>(array.element_type_));
  append<uint64_t>(encoded, array.size_);
  encoded.append(array.bytes_);
  put(key, std::move(encoded));
}

uint64_t GgufWriter::tensor_bytes(GgmlType type, const std::vector<uint64_t>& ne) {
  const auto layout = ggml_type_layout(static_cast<uint32_t>(type));
  if (!layout) {
    throw GgufError("GgufWriter: GGML type " + str(static_cast<uint32_t>(type)) + " is unknown");
  }
  if (ne.empty() || ne.size() > kMaxDims) {
    throw GgufError("GgufWriter: a tensor has " + str(ne.size()) + " dims, expected 1 to 4");
  }
  uint64_t n_elements = 1;
  for (const uint64_t n : ne) {
    if (n == 0) throw GgufError("GgufWriter: a tensor dimension is 0");
    if (__builtin_mul_overflow(n_elements, n, &n_elements) ||
        n_elements > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      throw GgufError("GgufWriter: a tensor has more than 2^63-1 elements");
    }
  }
  if (ne[0] % layout->block_elems != 0) {
    throw GgufError("GgufWriter: row length " + str(ne[0]) +
                    " is not a multiple of the block size " + str(layout->block_elems) + " of " +
                    std::string(layout->name));
  }
  uint64_t n_bytes = 0;
  if (__builtin_mul_overflow(n_elements / layout->block_elems, uint64_t{layout->block_bytes},
                             &n_bytes)) {
    throw GgufError("GgufWriter: a tensor's size in bytes overflows 64 bits");
  }
  return n_bytes;
}

uint64_t GgufWriter::checked_tensor_bytes(std::string_view name, GgmlType type,
                                          const std::vector<uint64_t>& ne) const {
  check_name("tensor name", name, kMaxTensorNameBytes);
  if (tensor_index_.contains(std::string(name))) {
    throw GgufError("GgufWriter: duplicate tensor name '" + std::string(name) + "'");
  }
  try {
    return tensor_bytes(type, ne);
  } catch (const GgufError& e) {
    throw GgufError("GgufWriter: tensor '" + std::string(name) +
                    "': " + std::string(e.what()).substr(std::strlen("GgufWriter: ")));
  }
}

GgufWriter::Tensor& GgufWriter::push_tensor(std::string_view name, GgmlType type,
                                            std::vector<uint64_t> ne, uint64_t n_bytes) {
  tensor_index_.emplace(std::string(name), tensors_.size());
  Tensor& tensor = tensors_.emplace_back();
  tensor.name = std::string(name);
  tensor.type = type;
  tensor.ne = std::move(ne);
  tensor.n_bytes = n_bytes;
  return tensor;
}

void GgufWriter::add_tensor(std::string_view name, GgmlType type, std::vector<uint64_t> ne,
                            std::vector<std::byte> data) {
  const uint64_t n_bytes = checked_tensor_bytes(name, type, ne);
  if (data.size() != n_bytes) {
    throw GgufError("GgufWriter: tensor '" + std::string(name) + "' has " + str(data.size()) +
                    " bytes of data, expected " + str(n_bytes));
  }
  push_tensor(name, type, std::move(ne), n_bytes).owned = std::move(data);
}

void GgufWriter::add_tensor_view(std::string_view name, GgmlType type, std::vector<uint64_t> ne,
                                 std::span<const std::byte> data) {
  const uint64_t n_bytes = checked_tensor_bytes(name, type, ne);
  if (data.size() != n_bytes) {
    throw GgufError("GgufWriter: tensor '" + std::string(name) + "' has " + str(data.size()) +
                    " bytes of data, expected " + str(n_bytes));
  }
  push_tensor(name, type, std::move(ne), n_bytes).view = data;
}

void GgufWriter::add_tensor(std::string_view name, GgmlType type, std::vector<uint64_t> ne,
                            TensorCallback callback) {
  const uint64_t n_bytes = checked_tensor_bytes(name, type, ne);
  if (!callback) throw GgufError("GgufWriter: tensor '" + std::string(name) + "' has no callback");
  push_tensor(name, type, std::move(ne), n_bytes).callback = std::move(callback);
}

void GgufWriter::write(const std::filesystem::path& path) const {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  OutputFile out(tmp);
  std::string head;
  head.append("GGUF", 4);
  append<uint32_t>(head, kVersion);
  append<uint64_t>(head, tensors_.size());
  append<uint64_t>(head, metadata_.size());
  out.write(head.data(), head.size());
  for (const Entry& entry : metadata_) {
    head.clear();
    append_string(head, entry.key);
    out.write(head.data(), head.size());
    out.write(entry.value.data(), entry.value.size());
  }
  uint64_t offset = 0;  // relative to the data section
  for (const Tensor& t : tensors_) {
    head.clear();
    append_string(head, t.name);
    append<uint32_t>(head, static_cast<uint32_t>(t.ne.size()));
    for (const uint64_t n : t.ne) append<uint64_t>(head, n);
    append<uint32_t>(head, static_cast<uint32_t>(t.type));
    append<uint64_t>(head, offset);
    out.write(head.data(), head.size());
    offset += align_up(t.n_bytes, alignment_);
  }
  out.pad_to(alignment_);
  for (const Tensor& t : tensors_) {
    if (t.callback) {
      GgufTensorSink sink(out.get(), t.name, t.n_bytes);
      t.callback(sink);
      if (sink.written() != t.n_bytes) {
        throw GgufError(path.string() + ": tensor '" + t.name + "': the callback wrote " +
                        str(sink.written()) + " bytes, expected " + str(t.n_bytes));
      }
    } else {
      const std::span<const std::byte> data = t.owned.empty() ? t.view : std::span(t.owned);
      out.write(data.data(), data.size());
    }
    out.pad_to(alignment_);
  }
  out.commit();
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp);
    throw GgufError(path.string() + ": cannot rename " + tmp.string() + " to it: " + ec.message());
  }
}

}  // namespace engine
