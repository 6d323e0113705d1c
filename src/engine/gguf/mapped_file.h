// A whole file mapped read-only into memory (POSIX mmap), unmapped when destroyed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

namespace engine {

class MappedFile {
 public:
  // Maps `path` (a regular file) read-only and private. Throws GgufError "<path>: <reason>" when
  // it cannot be opened or mapped. An empty file maps to data() == nullptr, size() == 0.
  static std::unique_ptr<MappedFile> open(const std::filesystem::path& path);

  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  const std::byte* data() const { return data_; }
  uint64_t size() const { return size_; }

 private:
  MappedFile(const std::byte* data, uint64_t size) : data_(data), size_(size) {}

  const std::byte* data_;  // owned mapping, or nullptr for an empty file
  uint64_t size_;
};

}  // namespace engine
