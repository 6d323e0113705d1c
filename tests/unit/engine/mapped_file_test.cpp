// MappedFile::release drops pages of a mapping without changing what reading it returns.
#include "engine/gguf/mapped_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace engine {
namespace {

std::vector<std::byte> pattern(size_t n) {
  std::vector<std::byte> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<std::byte>((i * 131 + 7) % 251);
  return v;
}

TEST(MappedFile, ReleasedPagesReadTheSameAgain) {
  const std::string path = ::testing::TempDir() + "mapped_file_release.bin";
  const auto want = pattern(5 * 4096 + 123);
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(want.data()),
              static_cast<std::streamsize>(want.size()));
  }
  const auto file = MappedFile::open(path);
  ASSERT_EQ(file->size(), want.size());
  std::span<const std::byte> all(file->data(), file->size());
  EXPECT_TRUE(std::equal(all.begin(), all.end(), want.begin()));
  file->release(all.subspan(1000, 3 * 4096));  // unaligned: only the whole pages inside go
  file->release(all);
  file->release(all.subspan(0, 0));
  EXPECT_TRUE(std::equal(all.begin(), all.end(), want.begin()));
  std::remove(path.c_str());
}

TEST(MappedFile, ReleaseLeavesHeapBytesAndForeignRangesAlone) {
  const auto want = pattern(3 * 4096);
  const auto file = MappedFile::from_bytes(want);
  std::span<const std::byte> all(file->data(), file->size());
  file->release(all);
  EXPECT_TRUE(std::equal(all.begin(), all.end(), want.begin()));
  const auto other = pattern(4 * 4096);
  file->release(other);  // not a range of this file: ignored
  EXPECT_EQ(other, pattern(4 * 4096));
}

}  // namespace
}  // namespace engine
