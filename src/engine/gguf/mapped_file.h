// A whole file mapped read-only into memory (POSIX mmap), unmapped when destroyed; or, for tests
// and in-memory files, bytes held on the heap behind the same interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

namespace engine {

class MappedFile {
 public:
  // Maps `path` (a regular file) read-only and private. Throws GgufError "<path>: <reason>" when
  // it cannot be opened or mapped. An empty file maps to data() == nullptr, size() == 0.
  static std::unique_ptr<MappedFile> open(const std::filesystem::path& path);
  // Takes ownership of `bytes` (no copy).
  static std::unique_ptr<MappedFile> from_bytes(std::vector<std::byte> bytes);

  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  const std::byte* data() const { return data_; }
  uint64_t size() const { return size_; }

  // Tells the OS the whole pages inside `bytes` (a range of data()) will not be read soon: a
  // mapped file drops them from memory (they are clean, and come back from the file if read
  // again); heap bytes are left alone. For data copied elsewhere, such as repacked weights.
  void release(std::span<const std::byte> bytes) const;

 private:
  MappedFile(const std::byte* data, uint64_t size) : data_(data), size_(size) {}

  const std::byte* data_;  // owned mapping, or nullptr for an empty file, or bytes_.data()
  uint64_t size_;
  std::vector<std::byte> bytes_;  // the content when not mapped
};

}  // namespace engine
