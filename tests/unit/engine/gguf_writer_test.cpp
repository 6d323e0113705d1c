// GgufWriter refuses what would make a file that GgufFile or llama.cpp rejects, and a failed
// write leaves nothing behind under the target name.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "gguf_test_util.h"

namespace engine {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const GgufError& e) {
    return e.what();
  }
  return "no error";
}

TEST(GgufWriter, RefusesBadTensors) {
  GgufWriter w;
  w.add_tensor("ok", GgmlType::F32, {2}, std::vector<std::byte>(8));
  EXPECT_EQ(error_of([&] { w.add_tensor("ok", GgmlType::F32, {2}, std::vector<std::byte>(8)); }),
            "GgufWriter: duplicate tensor name 'ok'");
  EXPECT_EQ(error_of([&] { w.add_tensor("a", GgmlType::F32, {2}, std::vector<std::byte>(7)); }),
            "GgufWriter: tensor 'a' has 7 bytes of data, expected 8");
  EXPECT_EQ(error_of([&] { w.add_tensor("a", GgmlType::Q8_0, {33}, std::vector<std::byte>()); }),
            "GgufWriter: tensor 'a': row length 33 is not a multiple of the block size 32 of q8_0");
  EXPECT_THAT(error_of([&] { w.add_tensor("a", GgmlType::F32, {}, std::vector<std::byte>()); }),
              HasSubstr("0 dims, expected 1 to 4"));
  EXPECT_THAT(error_of([&] {
                w.add_tensor("a", GgmlType::F32, {1, 1, 1, 1, 1}, std::vector<std::byte>(4));
              }),
              HasSubstr("5 dims"));
  EXPECT_THAT(error_of([&] {
                w.add_tensor("a", GgmlType::F32, {2, 0}, std::vector<std::byte>());
              }),
              HasSubstr("dimension is 0"));
  EXPECT_THAT(
      error_of([&] {
        w.add_tensor("a", GgmlType::F32, {1ull << 32, 1ull << 32}, std::vector<std::byte>());
      }),
      HasSubstr("more than 2^63-1 elements"));
  EXPECT_THAT(error_of([&] {
                w.add_tensor("a", static_cast<GgmlType>(31), {32}, std::vector<std::byte>());
              }),
              HasSubstr("GGML type 31 is unknown"));
  EXPECT_THAT(error_of([&] {
                w.add_tensor(std::string(64, 'x'), GgmlType::F32, {1}, std::vector<std::byte>(4));
              }),
              HasSubstr("64 bytes long, more than 63"));
  w.add_tensor(std::string(63, 'x'), GgmlType::F32, {1}, std::vector<std::byte>(4));
  EXPECT_THAT(
      error_of([&] { w.add_tensor("\xff", GgmlType::F32, {1}, std::vector<std::byte>(4)); }),
      HasSubstr("not valid UTF-8"));
  EXPECT_THAT(error_of([&] { w.add_tensor("", GgmlType::F32, {1}, std::vector<std::byte>(4)); }),
              HasSubstr("tensor name is empty"));
  EXPECT_THAT(
      error_of([&] { w.add_tensor("a", GgmlType::F32, {1}, GgufWriter::TensorCallback()); }),
      HasSubstr("has no callback"));
  EXPECT_EQ(w.n_tensors(), 2u);  // nothing refused was added
}

TEST(GgufWriter, RefusesBadMetadata) {
  GgufWriter w;
  EXPECT_THAT(error_of([&] { w.set_u32("", 1); }), HasSubstr("key is empty"));
  EXPECT_THAT(error_of([&] { w.set_u32("a\xc0\x80", 1); }), HasSubstr("not valid UTF-8"));
  EXPECT_THAT(error_of([&] { w.set_u32(std::string(65536, 'k'), 1); }),
              HasSubstr("more than 65535"));
  EXPECT_THAT(error_of([&] { w.set_alignment(0); }), HasSubstr("not a non-zero power of two"));
  EXPECT_THAT(error_of([&] { w.set_alignment(48); }), HasSubstr("alignment 48"));
  EXPECT_THAT(error_of([&] { w.set_u64("general.alignment", 64); }), HasSubstr("must be a u32"));
  EXPECT_THAT(error_of([&] { w.set_string("general.alignment", "64"); }),
              HasSubstr("must be a u32"));
  EXPECT_THAT(error_of([&] { w.set_array("general.alignment", std::vector<uint32_t>{64}); }),
              HasSubstr("must be a u32"));
  EXPECT_THAT(error_of([&] { GgufArray(GgufValueType::INT32).push(1.0f); }),
              HasSubstr("cannot add a f32 to an array of i32"));
  EXPECT_THAT(
      error_of([&] { GgufArray(GgufValueType::STRING).push(GgufArray(GgufValueType::INT8)); }),
      HasSubstr("cannot add a array to an array of string"));
  w.set_u32("general.alignment", 64);
  EXPECT_EQ(w.alignment(), 64u);
  EXPECT_EQ(w.n_metadata(), 1u);
}

TEST(GgufWriter, CallbackWritingTheWrongSizeFailsAndLeavesNoFile) {
  TempDir dir;
  GgufWriter few;
  few.add_tensor("t", GgmlType::F32, {4},
                 [](GgufTensorSink& sink) { sink.write(std::vector<std::byte>(12)); });
  EXPECT_THAT(error_of([&] { few.write(dir / "m.gguf"); }),
              HasSubstr("tensor 't': the callback wrote 12 bytes, expected 16"));
  GgufWriter many;
  many.add_tensor("t", GgmlType::F32, {4},
                  [](GgufTensorSink& sink) { sink.write(std::vector<std::byte>(20)); });
  EXPECT_THAT(error_of([&] { many.write(dir / "m.gguf"); }),
              HasSubstr("the callback writes more than its 16 bytes"));
  GgufWriter throws;
  throws.add_tensor("t", GgmlType::F32, {4},
                    [](GgufTensorSink&) { throw std::runtime_error("boom"); });
  EXPECT_THROW(throws.write(dir / "m.gguf"), std::runtime_error);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));  // no m.gguf, no m.gguf.tmp
}

TEST(GgufWriter, UnwritablePathIsAClearError) {
  TempDir dir;
  GgufWriter w;
  EXPECT_THAT(error_of([&] { w.write(dir / "no-such-dir" / "m.gguf"); }),
              HasSubstr("cannot create the file: No such file or directory"));
}

TEST(GgufWriter, OverwritesAnExistingFile) {
  TempDir dir;
  GgufWriter a;
  a.set_string("v", "first");
  a.write(dir / "m.gguf");
  GgufWriter b;
  b.set_string("v", "second");
  b.write(dir / "m.gguf");
  EXPECT_EQ(GgufFile::open(dir / "m.gguf").get_string("v"), "second");
}

}  // namespace
}  // namespace engine
