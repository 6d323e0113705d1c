// Hostile and broken GGUF files: each must give a GgufError whose message names the file, what is
// wrong and where; never a crash, an out-of-bounds read or a huge allocation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "gguf_test_util.h"

namespace engine {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;
using testing::RawGguf;
using ::testing::StartsWith;
using testing::TempDir;

constexpr uint32_t kF32 = 0;
constexpr uint32_t kQ8_0 = 8;
constexpr uint32_t kString = 8;
constexpr uint32_t kArray = 9;
constexpr uint32_t kU32 = 4;
constexpr uint64_t k2p63 = uint64_t{1} << 63;
constexpr uint64_t k2p32 = uint64_t{1} << 32;

// Opens `bytes` as a file; returns the error message with the file's path replaced by "F", or
// "loaded" when it opened.
std::string open_error(const std::vector<uint8_t>& bytes) {
  TempDir dir;
  const auto path = dir / "m.gguf";
  testing::write_bytes(path, bytes);
  try {
    GgufFile::open(path);
  } catch (const GgufError& e) {
    std::string message = e.what();
    const std::string prefix = path.string() + ": ";
    EXPECT_THAT(message, StartsWith(prefix));  // every message names the file
    return "F: " + message.substr(std::min(prefix.size(), message.size()));
  }
  return "loaded";
}

std::string open_error(RawGguf& g) {
  return open_error(g.bytes());
}

// A small valid file: 4 metadata entries (a string, the alignment, a string array, a nested array)
// and 2 tensors, with marks at every section boundary.
RawGguf base_file() {
  RawGguf g;
  g.header(2, 4);
  g.mark("kv0").str("general.architecture").u32(kString).str("llama");
  g.mark("kv1").str("general.alignment").u32(kU32).u32(32);
  g.mark("kv2").str("tokens").u32(kArray).u32(kString).mark("kv2.count").u64(3);
  g.str("a").str("bb").str("ccc");
  g.mark("kv3").str("nested").u32(kArray).u32(kArray).u64(1).u32(5).u64(2).i32(7).i32(8);
  g.mark("t0").tensor("w", {32, 2}, kF32, 0);  // 256 bytes
  g.mark("t1").tensor("b", {32}, kQ8_0, 256);  // 34 bytes
  g.mark("infos_end").pad_to(32).mark("data").zeros(256 + 34).mark("data_end").pad_to(32);
  return g;
}

TEST(GgufHostile, BaseFileLoads) {
  RawGguf g = base_file();
  TempDir dir;
  g.save(dir / "m.gguf");
  const GgufFile f = GgufFile::open(dir / "m.gguf");
  EXPECT_EQ(f.get_string_array("tokens"), (std::vector<std::string_view>{"a", "bb", "ccc"}));
  EXPECT_EQ(f.find("nested")->at(0).at(1).as_int(), 8);
  EXPECT_EQ(f.data_offset(), g.at("data"));
  EXPECT_EQ(f.tensors()[1].offset, g.at("data") + 256);
  EXPECT_EQ(f.tensor_data("b").size(), 34u);
}

TEST(GgufHostile, TruncatedAtEveryByte) {
  RawGguf g = base_file();
  const std::vector<uint8_t> whole = g.bytes();
  for (size_t cut = 0; cut < whole.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    const std::string error = open_error(std::vector<uint8_t>(whole.begin(), whole.begin() + cut));
    if (cut >= g.at("data_end")) {  // only the last tensor's padding is missing: still valid
      EXPECT_EQ(error, "loaded");
      continue;
    }
    EXPECT_THAT(error, AnyOf(HasSubstr("too small"), HasSubstr("needs"), HasSubstr("impossible"),
                             HasSubstr("past the end of the file")));
  }
}

TEST(GgufHostile, TruncatedAtSectionBoundaries) {
  RawGguf g = base_file();
  auto cut_at = [&](const std::string& mark) {
    return open_error(std::vector<uint8_t>(g.bytes().begin(), g.bytes().begin() + g.at(mark)));
  };
  EXPECT_EQ(open_error(std::vector<uint8_t>{}),
            "F: the file is 0 bytes long, too small to be a GGUF file");
  EXPECT_EQ(cut_at("version"),
            "F: header: version at offset 4 needs 4 bytes, but only 0 are left (file size 4)");
  EXPECT_EQ(
      cut_at("n_kv"),
      "F: header: metadata count at offset 16 needs 8 bytes, but only 0 are left (file size 16)");
  EXPECT_EQ(
      cut_at("kv0"),
      "F: header: metadata count 4 is impossible: the 0 bytes left hold at most 0 (limit 1048576)");
  EXPECT_THAT(cut_at("kv3"), HasSubstr("metadata entry #3: key length at offset"));
  EXPECT_THAT(cut_at("t0"),
              HasSubstr("tensor count 2 is impossible: the 0 bytes left after the metadata"));
  EXPECT_THAT(cut_at("t1"), HasSubstr("tensor count 2 is impossible"));
  EXPECT_EQ(cut_at("infos_end"), "F: the data section starts at offset " +
                                     std::to_string(g.at("data")) + " (tensor infos end at " +
                                     std::to_string(g.at("infos_end")) +
                                     ", aligned to 32), past the end of the file (size " +
                                     std::to_string(g.at("infos_end")) + ")");
  EXPECT_EQ(cut_at("data"), "F: tensor 'w' data [offset " + std::to_string(g.at("data")) +
                                ", 256 bytes] ends past the end of the file (size " +
                                std::to_string(g.at("data")) + ")");
  // Inside a string array: the element is named.
  const size_t in_tokens = g.at("kv2.count") + 8 + 9 + 10 + 8 + 1;  // inside "ccc"
  EXPECT_EQ(open_error(std::vector<uint8_t>(g.bytes().begin(), g.bytes().begin() + in_tokens)),
            "F: key 'tokens' element 2 of 3: string at offset " + std::to_string(in_tokens - 1) +
                " needs 3 bytes, but only 1 are left (file size " + std::to_string(in_tokens) +
                ")");
}

TEST(GgufHostile, TruncatedAtRandomPointsOfABigFile) {
  TempDir dir;
  GgufWriter w;
  std::vector<std::string> tokens;
  for (int i = 0; i < 20000; ++i) tokens.push_back("t" + std::to_string(i));
  w.set_array("tokenizer.ggml.tokens", tokens);
  w.set_array("tokenizer.ggml.token_type", std::vector<int32_t>(20000, 1));
  for (int i = 0; i < 20; ++i) {
    w.add_tensor("blk." + std::to_string(i), GgmlType::Q8_0, {64, 3}, std::vector<std::byte>(204));
  }
  w.write(dir / "big.gguf");
  const auto whole = testing::read_bytes(dir / "big.gguf");
  const uint64_t last_data_end = GgufFile::open(dir / "big.gguf").tensors().back().offset + 204;
  std::mt19937_64 rng(1234);
  for (int i = 0; i < 150; ++i) {
    const size_t cut = rng() % whole.size();
    SCOPED_TRACE("cut at " + std::to_string(cut));
    const std::string error = open_error(std::vector<uint8_t>(whole.begin(), whole.begin() + cut));
    if (cut >= last_data_end) {
      EXPECT_EQ(error, "loaded");
    } else {
      EXPECT_THAT(error, AnyOf(HasSubstr("needs"), HasSubstr("impossible"),
                               HasSubstr("past the end of the file")));
    }
  }
}

TEST(GgufHostile, HugeCountsAndLengths) {
  for (const uint64_t huge : {k2p63, k2p32, ~uint64_t{0}}) {
    SCOPED_TRACE(huge);
    RawGguf g = base_file();
    g.put_u64(g.at("n_kv"), huge);
    EXPECT_THAT(open_error(g),
                HasSubstr("header: metadata count " + std::to_string(huge) + " is impossible"));
    g = base_file();
    g.put_u64(g.at("n_tensors"), huge);
    EXPECT_THAT(open_error(g),
                HasSubstr("header: tensor count " + std::to_string(huge) + " is impossible"));
    g = base_file();
    g.put_u64(g.at("kv0"), huge);  // key length
    EXPECT_THAT(open_error(g), HasSubstr("metadata entry #0: key at offset 32 needs " +
                                         std::to_string(huge) + " bytes, but only"));
    g = base_file();
    g.put_u64(g.at("kv0") + 8 + 20 + 4, huge);  // the architecture string's length
    EXPECT_THAT(open_error(g), HasSubstr("key 'general.architecture': string at offset"));
    g = base_file();
    g.put_u64(g.at("kv2.count"), huge);  // string array count
    EXPECT_THAT(open_error(g),
                HasSubstr("key 'tokens': array of " + std::to_string(huge) + " string at offset"));
    g = base_file();
    g.put_u64(g.at("kv3") + 8 + 6 + 4 + 4, huge);  // outer count of the nested array
    EXPECT_THAT(open_error(g),
                HasSubstr("key 'nested': array of " + std::to_string(huge) + " array"));
    g = base_file();
    g.put_u64(g.at("kv3") + 8 + 6 + 4 + 4 + 8 + 4, huge);  // inner count
    EXPECT_THAT(open_error(g), HasSubstr("key 'nested' element 0 of 1: array of " +
                                         std::to_string(huge) + " i32"));
    g = base_file();
    g.put_u64(g.at("t0"), huge);  // tensor name length
    EXPECT_THAT(open_error(g), HasSubstr("tensor #0: tensor name at offset"));
  }
  RawGguf g = base_file();
  g.put_u64(g.at("kv2.count"), k2p63);
  EXPECT_THAT(open_error(g), HasSubstr("needs at least 2^63 bytes"));
  // A plausible count that fits the file but not the node limit.
  RawGguf many;
  many.header(0, 1).str("k").u32(kArray).u32(kString).u64((uint64_t{1} << 24) + 1);
  many.zeros(((uint64_t{1} << 24) + 1) * 8);
  EXPECT_THAT(open_error(many),
              HasSubstr("past the limit of 16777216 string and nested-array elements"));
}

TEST(GgufHostile, TensorPlacement) {
  auto two_tensors = [](uint64_t offset_a, uint64_t offset_b, uint32_t type_b = kF32) {
    RawGguf g;
    g.header(2, 0).tensor("a", {16}, kF32, offset_a).tensor("b", {16}, type_b, offset_b);
    g.pad_to(32).zeros(256);
    return g;
  };
  RawGguf g = two_tensors(0, 64);
  EXPECT_EQ(open_error(g), "loaded");
  g = two_tensors(64, 0);  // out of file order is fine
  EXPECT_EQ(open_error(g), "loaded");
  g = two_tensors(0, 32);
  EXPECT_THAT(
      open_error(g),
      HasSubstr("tensors 'a' [offset 96, 64 bytes] and 'b' [offset 128, 64 bytes] overlap"));
  g = two_tensors(32, 32);
  EXPECT_THAT(open_error(g), HasSubstr("overlap"));
  g = two_tensors(0, 256);  // starts at the end of the file
  EXPECT_EQ(open_error(g),
            "F: tensor 'b' data [offset 352, 64 bytes] ends past the end of the file (size 352)");
  g = two_tensors(0, 224);
  EXPECT_THAT(open_error(g), HasSubstr("tensor 'b' data [offset 320, 64 bytes] ends past the end"));
  g = two_tensors(0, 288);
  EXPECT_THAT(
      open_error(g),
      HasSubstr(
          "tensor 'b': data offset 288 (absolute 384) starts past the end of the file (size 352)"));
  g = two_tensors(0, ~uint64_t{31});  // aligned, and would wrap around when added
  EXPECT_THAT(open_error(g), HasSubstr("(absolute beyond 2^63) starts past the end"));
  g = two_tensors(0, 48);
  EXPECT_THAT(open_error(g),
              HasSubstr("tensor 'b': data offset 48 is not a multiple of the alignment 32"));
}

TEST(GgufHostile, UnknownTensorTypesLoadButTheirDataIsRefused) {
  for (const uint32_t type : {31u, 42u, 1000u, 0xFFFFFFFFu}) {
    SCOPED_TRACE(type);
    RawGguf g;
    g.header(2, 0).tensor("a", {16}, kF32, 0).tensor("odd", {7, 3}, type, 64);
    g.pad_to(32).zeros(64);
    TempDir dir;
    g.save(dir / "m.gguf");
    const GgufFile f = GgufFile::open(dir / "m.gguf");
    const GgufTensorInfo& t = *f.find_tensor("odd");
    EXPECT_FALSE(t.layout.has_value());
    EXPECT_EQ(t.type_id, type);
    EXPECT_EQ(t.type_name(), "type " + std::to_string(type) + " (unknown)");
    EXPECT_EQ(t.n_elements, 21u);
    EXPECT_EQ(t.n_bytes, 0u);
    EXPECT_EQ(f.tensor_data("a").size(), 64u);
    try {
      f.tensor_data(t);
      ADD_FAILURE() << "no error";
    } catch (const GgufError& e) {
      EXPECT_THAT(e.what(), HasSubstr("tensor 'odd' has GGML type " + std::to_string(type) +
                                      ", which this build does not know"));
    }
  }
  RawGguf g;  // an unknown type must still start inside the file
  g.header(1, 0).tensor("odd", {7}, 1000, 64).pad_to(32).zeros(32);
  EXPECT_THAT(open_error(g), HasSubstr("tensor 'odd': data offset 64 (absolute"));
}

TEST(GgufHostile, UnknownMetadataValueTypes) {
  RawGguf g;
  g.header(0, 1).str("k").u32(13).u32(0);
  EXPECT_EQ(open_error(g),
            "F: key 'k': unknown value type 13 at offset 33 (the GGUF spec defines 0 to 12)");
  g = RawGguf();
  g.header(0, 1).str("k").u32(0xFFFFFFFF).u32(0);
  EXPECT_THAT(open_error(g), HasSubstr("unknown value type 4294967295"));
  g = RawGguf();
  g.header(0, 1).str("k").u32(kArray).u32(13).u64(0);
  EXPECT_EQ(
      open_error(g),
      "F: key 'k': unknown array element type 13 at offset 37 (the GGUF spec defines 0 to 12)");
}

TEST(GgufHostile, BadAlignment) {
  for (const uint32_t alignment : {0u, 3u, 48u, 0x80000001u}) {
    RawGguf g;
    g.header(0, 1).str("general.alignment").u32(kU32).u32(alignment);
    EXPECT_EQ(open_error(g), "F: key 'general.alignment' is " + std::to_string(alignment) +
                                 ", expected a non-zero power of two");
  }
  RawGguf g;
  g.header(0, 1).str("general.alignment").u32(10).u64(64);  // u64
  EXPECT_EQ(open_error(g), "F: key 'general.alignment': value has type u64, expected u32");
  g = RawGguf();
  g.header(1, 1).str("general.alignment").u32(kU32).u32(64).tensor("a", {8}, kF32, 32);
  g.pad_to(64).zeros(64);
  EXPECT_THAT(open_error(g), HasSubstr("data offset 32 is not a multiple of the alignment 64"));
  g = RawGguf();  // 2^31 is a power of two: the data section starts past the end
  g.header(1, 1).str("general.alignment").u32(kU32).u32(0x80000000u).tensor("a", {8}, kF32, 0);
  g.zeros(64);
  EXPECT_THAT(open_error(g), HasSubstr("the data section starts at offset 2147483648"));
}

TEST(GgufHostile, BadNames) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"\xff", "is not valid UTF-8: '\\xff'"},
      {"a\xc0\xaf", "is not valid UTF-8"},         // overlong '/'
      {"\xed\xa0\x80", "is not valid UTF-8"},      // a UTF-16 surrogate
      {"\xf4\x90\x80\x80", "is not valid UTF-8"},  // above U+10FFFF
      {"ab\xe2\x82", "is not valid UTF-8"},        // truncated sequence
      {"\x80", "is not valid UTF-8"},              // stray continuation byte
      {"", "is empty"},
      {std::string("a\0b", 3), "contains a control character: 'a\\x00b'"},
      {"line\nbreak", "contains a control character"},
  };
  for (const auto& [name, expected] : bad) {
    SCOPED_TRACE(expected);
    RawGguf g;
    g.header(0, 1).str(name).u32(kU32).u32(1);
    EXPECT_THAT(open_error(g), HasSubstr("metadata entry #0: key at offset 24 " + expected));
    g = RawGguf();
    g.header(1, 0).tensor(name, {8}, kF32, 0).pad_to(32).zeros(32);
    EXPECT_THAT(open_error(g), HasSubstr("tensor #0: tensor name at offset 24 " + expected));
  }
  RawGguf g;
  g.header(0, 1).str("\xe2\x9c\x93.ok").u32(kU32).u32(1);  // UTF-8 beyond ASCII is fine
  EXPECT_EQ(open_error(g), "loaded");
  g = RawGguf();
  g.header(1, 0).tensor(std::string(65, 't'), {8}, kF32, 0).pad_to(32).zeros(32);
  EXPECT_THAT(open_error(g), HasSubstr("is 65 bytes long, more than the 64 the GGUF spec allows"));
  g = RawGguf();
  g.header(0, 1).str(std::string(65536, 'k')).u32(kU32).u32(1);
  EXPECT_THAT(open_error(g), HasSubstr("is 65536 bytes long, more than the 65535"));
}

TEST(GgufHostile, Duplicates) {
  RawGguf g;
  g.header(0, 3).str("a").u32(kU32).u32(1).str("b").u32(kU32).u32(2).str("a").u32(kString).str("x");
  EXPECT_EQ(open_error(g), "F: key 'a': duplicate key (first seen as entry #0)");
  g = RawGguf();
  g.header(2, 0).tensor("w", {8}, kF32, 0).tensor("w", {8}, kF32, 32).pad_to(32).zeros(64);
  EXPECT_EQ(open_error(g), "F: tensor 'w': duplicate tensor name (tensors #0 and #1)");
}

TEST(GgufHostile, MagicAndVersion) {
  RawGguf g = base_file();
  std::memcpy(g.bytes().data(), "GGML", 4);
  EXPECT_EQ(open_error(g), "F: not a GGUF file: it starts with 'GGML', expected 'GGUF'");
  g = base_file();
  std::memcpy(g.bytes().data(),
              "\x7f"
              "ELF",
              4);
  EXPECT_EQ(open_error(g), "F: not a GGUF file: it starts with '\\x7fELF', expected 'GGUF'");
  g = base_file();
  g.put_u32(g.at("version"), 1);
  EXPECT_THAT(open_error(g), HasSubstr("GGUF version 1 is not supported (expected 2 or 3)"));
  g = base_file();
  g.put_u32(g.at("version"), 4);
  EXPECT_EQ(open_error(g), "F: unsupported GGUF version 4 (expected 2 or 3)");
  g = base_file();
  g.put_u32(g.at("version"), 0x03000000);
  EXPECT_EQ(open_error(g),
            "F: unsupported GGUF version 50331648 (expected 2 or 3); the file looks big-endian, "
            "which is not supported");
  EXPECT_EQ(open_error(std::vector<uint8_t>{'G', 'G'}),
            "F: the file is 2 bytes long, too small to be a GGUF file");
}

TEST(GgufHostile, BadShapes) {
  auto one_tensor = [](std::vector<uint64_t> ne, uint32_t type = kF32) {
    RawGguf g;
    g.header(1, 0).tensor("x", ne, type, 0).pad_to(32).zeros(64);
    return g;
  };
  RawGguf g = one_tensor({});
  EXPECT_EQ(open_error(g), "F: tensor 'x': n_dims is 0, expected 1 to 4");
  g = one_tensor({1, 1, 1, 1, 1});
  EXPECT_EQ(open_error(g), "F: tensor 'x': n_dims is 5, expected 1 to 4");
  g = one_tensor({4, 0});
  EXPECT_EQ(open_error(g), "F: tensor 'x': dimension 1 is 0");
  g = one_tensor({k2p32, k2p32});
  EXPECT_EQ(open_error(g),
            "F: tensor 'x': shape [4294967296, 4294967296] has more than 2^63-1 elements");
  g = one_tensor({k2p63});
  EXPECT_THAT(open_error(g), HasSubstr("has more than 2^63-1 elements"));
  g = one_tensor({uint64_t{1} << 62, 2, 2, 2});
  EXPECT_THAT(open_error(g), HasSubstr("has more than 2^63-1 elements"));
  g = one_tensor({uint64_t{1} << 62}, 28);  // f64: 2^65 bytes
  EXPECT_EQ(open_error(g), "F: tensor 'x': size in bytes overflows 64 bits");
  g = one_tensor({uint64_t{1} << 40});  // fits the arithmetic, not the file
  EXPECT_THAT(open_error(g), HasSubstr("4398046511104 bytes] ends past the end of the file"));
  g = one_tensor({33}, kQ8_0);
  EXPECT_EQ(open_error(g),
            "F: tensor 'x': row length 33 is not a multiple of the block size 32 of type q8_0");
  g = one_tensor({32, 1, 1, 1}, kQ8_0);
  EXPECT_EQ(open_error(g), "loaded");
}

TEST(GgufHostile, ArrayNestingDepthIsLimited) {
  auto nested = [](int depth) {
    RawGguf g;
    g.header(0, 1).str("deep").u32(kArray);
    for (int i = 1; i < depth; ++i) g.u32(kArray).u64(1);
    g.u32(kU32).u64(1).u32(42);
    return g;
  };
  RawGguf g = nested(8);
  EXPECT_EQ(open_error(g), "loaded");
  g = nested(9);
  EXPECT_THAT(open_error(g), HasSubstr("arrays nested more than 8 levels deep"));
  g = nested(100000);  // deep enough to overflow the stack of a reader that does not count
  EXPECT_THAT(open_error(g), HasSubstr("arrays nested more than 8 levels deep"));
}

TEST(GgufHostile, NotAFile) {
  TempDir dir;
  try {
    GgufFile::open(dir / "absent.gguf");
    ADD_FAILURE() << "no error";
  } catch (const GgufError& e) {
    EXPECT_EQ(std::string(e.what()),
              (dir / "absent.gguf").string() + ": cannot open the file: No such file or directory");
  }
  try {
    GgufFile::open(dir.path());
    ADD_FAILURE() << "no error";
  } catch (const GgufError& e) {
    EXPECT_THAT(e.what(), HasSubstr("not a regular file"));
  }
}

}  // namespace
}  // namespace engine
