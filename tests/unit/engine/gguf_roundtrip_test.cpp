// GgufWriter -> GgufFile round trips: every metadata type, nested arrays, long vocabularies, many
// tensors of many types and shapes, and the exact byte layout the GGUF spec asks for.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <random>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "gguf_test_util.h"

namespace engine {
namespace {

using ::testing::HasSubstr;
using testing::read_bytes;
using testing::TempDir;
using testing::write_bytes;

std::vector<std::byte> pattern_bytes(size_t n, uint32_t seed) {
  std::vector<std::byte> out(n);
  std::mt19937 rng(seed);
  for (auto& b : out) b = static_cast<std::byte>(rng());
  return out;
}

TEST(GgufRoundTrip, EveryScalarType) {
  TempDir dir;
  GgufWriter w;
  w.set_string("general.architecture", "qwen3");
  w.set_u8("t.u8", 250);
  w.set_i8("t.i8", -120);
  w.set_u16("t.u16", 65000);
  w.set_i16("t.i16", -32000);
  w.set_u32("t.u32", 4000000000u);
  w.set_i32("t.i32", -2000000000);
  w.set_u64("t.u64", 18000000000000000000ull);
  w.set_i64("t.i64", -9000000000000000000ll);
  w.set_f32("t.f32", 1.5e-3f);
  w.set_f64("t.f64", 2.718281828459045);
  w.set_bool("t.true", true);
  w.set_bool("t.false", false);
  w.set_string("t.empty", "");
  w.set_string("t.utf8", "h\xc3\xa9llo \xe2\x9c\x93");
  w.write(dir / "m.gguf");

  const GgufFile f = GgufFile::open(dir / "m.gguf");
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.alignment(), 32u);
  ASSERT_EQ(f.metadata().size(), 15u);
  EXPECT_EQ(f.metadata()[0].key, "general.architecture");  // file order = order of setting
  EXPECT_EQ(f.metadata()[14].key, "t.utf8");
  EXPECT_EQ(f.get_string("general.architecture"), "qwen3");
  EXPECT_EQ(f.find("t.u8")->type(), GgufValueType::UINT8);
  EXPECT_EQ(f.get_uint("t.u8"), 250u);
  EXPECT_EQ(f.get_int("t.i8"), -120);
  EXPECT_EQ(f.find("t.i8")->type(), GgufValueType::INT8);
  EXPECT_EQ(f.get_uint("t.u16"), 65000u);
  EXPECT_EQ(f.get_int("t.i16"), -32000);
  EXPECT_EQ(f.get_uint("t.u32"), 4000000000u);
  EXPECT_EQ(f.get_int("t.u32"), 4000000000);
  EXPECT_EQ(f.get_int("t.i32"), -2000000000);
  EXPECT_EQ(f.get_uint("t.u64"), 18000000000000000000ull);
  EXPECT_EQ(f.get_int("t.i64"), -9000000000000000000ll);
  EXPECT_EQ(f.get_float("t.f32"), static_cast<double>(1.5e-3f));
  EXPECT_EQ(f.find("t.f32")->type(), GgufValueType::FLOAT32);
  EXPECT_EQ(f.get_float("t.f64"), 2.718281828459045);
  EXPECT_EQ(f.get_bool("t.true"), true);
  EXPECT_EQ(f.get_bool("t.false"), false);
  EXPECT_EQ(f.get_string("t.empty"), "");
  EXPECT_EQ(f.get_string("t.utf8"), "h\xc3\xa9llo \xe2\x9c\x93");
  EXPECT_EQ(f.find("absent"), nullptr);
  EXPECT_EQ(f.get_string("absent"), std::nullopt);
  EXPECT_EQ(f.get_uint("absent"), std::nullopt);
  EXPECT_EQ(f.get_string_array("absent"), std::nullopt);
  EXPECT_TRUE(f.tensors().empty());
}

TEST(GgufRoundTrip, TypedGettersRejectWrongTypesNamingFileAndKey) {
  TempDir dir;
  GgufWriter w;
  w.set_u32("n", 7);
  w.set_i32("neg", -1);
  w.set_u64("huge", std::numeric_limits<uint64_t>::max());
  w.set_f32("x", 1.0f);
  w.set_array("ints", std::vector<int32_t>{1, 2});
  w.write(dir / "m.gguf");
  const GgufFile f = GgufFile::open(dir / "m.gguf");
  auto message = [](auto fn) {
    try {
      fn();
    } catch (const GgufError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message([&] { f.get_string("n"); }),
            (dir / "m.gguf").string() + ": key 'n': value has type u32, expected string");
  EXPECT_THAT(message([&] { f.get_uint("neg"); }),
              HasSubstr("key 'neg': value is -1 (i32), expected an unsigned integer"));
  EXPECT_THAT(message([&] { f.get_int("huge"); }), HasSubstr("does not fit int64"));
  EXPECT_THAT(message([&] { f.get_float("n"); }), HasSubstr("has type u32, expected f32 or f64"));
  EXPECT_THAT(message([&] { f.get_bool("x"); }), HasSubstr("has type f32, expected bool"));
  EXPECT_THAT(message([&] { f.get_uint("x"); }), HasSubstr("expected an unsigned integer"));
  EXPECT_THAT(message([&] { f.get_string_array("ints"); }),
              HasSubstr("key 'ints': value has type array of i32, expected an array of string"));
  EXPECT_THAT(message([&] { f.get_float_array("ints"); }), HasSubstr("array of i32"));
  EXPECT_THAT(message([&] { f.get_int_array("x"); }), HasSubstr("expected an array of integers"));
  EXPECT_THAT(message([&] { f.find("ints")->at(2); }), HasSubstr("index 2 is past the end"));
  EXPECT_THAT(message([&] { f.find("n")->array_size(); }), HasSubstr("expected array"));
}

template <typename T>
void expect_int_array_round_trip(const std::vector<T>& values) {
  TempDir dir;
  GgufWriter w;
  w.set_array("a", values);
  w.write(dir / "m.gguf");
  const GgufFile f = GgufFile::open(dir / "m.gguf");
  const GgufValue* v = f.find("a");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->array_type(), GgufTypeOf<T>::value);
  ASSERT_EQ(v->array_size(), values.size());
  const auto ints = f.get_int_array("a");
  ASSERT_TRUE(ints.has_value());
  ASSERT_EQ(ints->size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ((*ints)[i], static_cast<int64_t>(values[i]));
    EXPECT_EQ(v->at(i).as_int(), static_cast<int64_t>(values[i]));
  }
}

TEST(GgufRoundTrip, IntegerArraysOfEveryWidth) {
  expect_int_array_round_trip<uint8_t>({0, 1, 255});
  expect_int_array_round_trip<int8_t>({-128, 0, 127});
  expect_int_array_round_trip<uint16_t>({0, 65535});
  expect_int_array_round_trip<int16_t>({-32768, 32767});
  expect_int_array_round_trip<uint32_t>({0, 4294967295u});
  expect_int_array_round_trip<int32_t>({-2147483647 - 1, 2147483647});
  expect_int_array_round_trip<uint64_t>({0, 9223372036854775807ull});
  expect_int_array_round_trip<int64_t>({std::numeric_limits<int64_t>::min(), 5});
  expect_int_array_round_trip<int32_t>({});
}

TEST(GgufRoundTrip, FloatBoolAndEmptyArrays) {
  TempDir dir;
  GgufWriter w;
  w.set_array("f32", std::vector<float>{0.5f, -1.25f, 3e38f});
  w.set_array("f64", std::vector<double>{0.1, -2.5});
  w.set_array("bools", std::vector<bool>{true, false, true});
  w.set_array("none", std::vector<std::string>{});
  w.set_array("u64big", std::vector<uint64_t>{std::numeric_limits<uint64_t>::max()});
  w.write(dir / "m.gguf");
  const GgufFile f = GgufFile::open(dir / "m.gguf");
  EXPECT_EQ(f.get_float_array("f32"), (std::vector<float>{0.5f, -1.25f, 3e38f}));
  EXPECT_EQ(f.get_float_array("f64"), (std::vector<float>{0.1f, -2.5f}));
  const GgufValue* bools = f.find("bools");
  ASSERT_EQ(bools->array_size(), 3u);
  EXPECT_EQ(bools->array_type(), GgufValueType::BOOL);
  EXPECT_TRUE(bools->at(0).as_bool());
  EXPECT_FALSE(bools->at(1).as_bool());
  EXPECT_EQ(f.get_string_array("none"), std::vector<std::string_view>{});
  EXPECT_EQ(f.find("f64")->at(0).as_float(), 0.1);
  EXPECT_THROW(f.get_int_array("u64big"), GgufError);  // above int64: refused, not wrapped
}

TEST(GgufRoundTrip, NestedArrays) {
  TempDir dir;
  GgufArray rows(GgufValueType::ARRAY);  // [[1, 2], [], [3]]
  rows.push(GgufArray(GgufValueType::INT32).push(int32_t{1}).push(int32_t{2}));
  rows.push(GgufArray(GgufValueType::INT32));
  rows.push(GgufArray(GgufValueType::INT32).push(int32_t{3}));
  GgufArray deep(GgufValueType::ARRAY);  // [[["a", "b"]], [["c"]]]
  deep.push(
      GgufArray(GgufValueType::ARRAY).push(GgufArray(GgufValueType::STRING).push("a").push("b")));
  deep.push(GgufArray(GgufValueType::ARRAY).push(GgufArray(GgufValueType::STRING).push("c")));
  GgufWriter w;
  w.set_array("rows", rows);
  w.set_array("deep", deep);
  w.set_string("after", "still in sync");
  w.write(dir / "m.gguf");

  const GgufFile f = GgufFile::open(dir / "m.gguf");
  const GgufValue& r = *f.find("rows");
  EXPECT_EQ(r.type_description(), "array of array");
  ASSERT_EQ(r.array_size(), 3u);
  EXPECT_EQ(r.at(0).array_type(), GgufValueType::INT32);
  EXPECT_EQ(r.at(0).array_size(), 2u);
  EXPECT_EQ(r.at(0).at(1).as_int(), 2);
  EXPECT_EQ(r.at(1).array_size(), 0u);
  EXPECT_EQ(r.at(2).at(0).as_int(), 3);
  const GgufValue& d = *f.find("deep");
  EXPECT_EQ(d.at(0).at(0).at(1).as_string(), "b");
  EXPECT_EQ(d.at(1).at(0).at(0).as_string(), "c");
  EXPECT_EQ(d.at(1).at(0).array_size(), 1u);
  EXPECT_EQ(f.get_string("after"), "still in sync");
}

TEST(GgufRoundTrip, VocabularySizedArraysAreFast) {
  constexpr size_t kTokens = 151936;  // Qwen3's vocabulary
  std::vector<std::string> tokens;
  std::vector<int32_t> types;
  std::vector<float> scores;
  for (size_t i = 0; i < kTokens; ++i) {
    tokens.push_back("tok" + std::to_string(i * 7919 % 100003));
    types.push_back(static_cast<int32_t>(i % 5));
    scores.push_back(-static_cast<float>(i));
  }
  TempDir dir;
  GgufWriter w;
  const auto t0 = std::chrono::steady_clock::now();
  w.set_array("tokenizer.ggml.tokens", tokens);
  w.set_array("tokenizer.ggml.token_type", types);
  w.set_array("tokenizer.ggml.scores", scores);
  w.write(dir / "m.gguf");
  const auto t1 = std::chrono::steady_clock::now();
  const GgufFile f = GgufFile::open(dir / "m.gguf");
  const auto got_tokens = f.get_string_array("tokenizer.ggml.tokens");
  const auto got_types = f.get_int_array("tokenizer.ggml.token_type");
  const auto got_scores = f.get_float_array("tokenizer.ggml.scores");
  const auto t2 = std::chrono::steady_clock::now();
  ASSERT_EQ(got_tokens->size(), kTokens);
  for (size_t i = 0; i < kTokens; i += 997) EXPECT_EQ((*got_tokens)[i], tokens[i]);
  EXPECT_EQ(got_tokens->back(), tokens.back());
  EXPECT_EQ(f.find("tokenizer.ggml.tokens")->at(12345).as_string(), tokens[12345]);
  ASSERT_EQ(got_types->size(), kTokens);
  EXPECT_EQ((*got_types)[kTokens - 1], types.back());
  EXPECT_EQ(*got_scores, scores);
  using ms = std::chrono::milliseconds;
  std::printf("write %lld ms, open + read arrays %lld ms (%zu tokens)\n",
              static_cast<long long>(std::chrono::duration_cast<ms>(t1 - t0).count()),
              static_cast<long long>(std::chrono::duration_cast<ms>(t2 - t1).count()), kTokens);
  // Generous even for a sanitized Debug build on a busy 2-core machine; a quadratic or
  // allocation-per-element reader takes far longer.
  EXPECT_LT(std::chrono::duration_cast<ms>(t2 - t1).count(), 2000);
}

struct TensorCase {
  std::string name;
  GgmlType type;
  std::vector<uint64_t> ne;
};

TEST(GgufRoundTrip, ManyTensorsOfManyTypesAndShapes) {
  const std::vector<GgmlType> types = {
      GgmlType::F32,  GgmlType::F16,  GgmlType::BF16,   GgmlType::Q8_0, GgmlType::Q4_0,
      GgmlType::Q4_K, GgmlType::Q6_K, GgmlType::IQ4_NL, GgmlType::I32,  GgmlType::MXFP4};
  std::mt19937 rng(7);
  std::vector<TensorCase> cases;
  for (int i = 0; i < 300; ++i) {
    const GgmlType type = types[i % types.size()];
    const uint32_t block = ggml_type_layout(static_cast<uint32_t>(type))->block_elems;
    std::vector<uint64_t> ne = {block * (1 + rng() % 3)};
    const size_t n_dims = 1 + rng() % 4;
    while (ne.size() < n_dims) ne.push_back(1 + rng() % 3);
    cases.push_back({"blk." + std::to_string(i) + ".weight", type, ne});
  }
  TempDir dir;
  GgufWriter w;
  w.set_string("general.architecture", "test");
  std::vector<std::vector<std::byte>> expected;
  expected.reserve(cases.size());  // callbacks below hold pointers to its elements
  for (size_t i = 0; i < cases.size(); ++i) {
    const TensorCase& c = cases[i];
    const uint64_t n_bytes = GgufWriter::tensor_bytes(c.type, c.ne);
    expected.push_back(pattern_bytes(n_bytes, static_cast<uint32_t>(i)));
    switch (i % 3) {
      case 0:
        w.add_tensor(c.name, c.type, c.ne, expected.back());
        break;  // owned (a copy)
      case 1:
        w.add_tensor_view(c.name, c.type, c.ne, expected.back());
        break;
      default: {
        const std::vector<std::byte>* bytes = &expected.back();
        w.add_tensor(c.name, c.type, c.ne, [bytes](GgufTensorSink& sink) {
          const size_t half = bytes->size() / 2;  // in two writes, to exercise streaming
          sink.write(std::span(*bytes).first(half));
          sink.write(std::span(*bytes).subspan(half));
        });
      }
    }
  }
  ASSERT_EQ(w.n_tensors(), cases.size());
  w.write(dir / "m.gguf");

  const GgufFile f = GgufFile::open(dir / "m.gguf");
  ASSERT_EQ(f.tensors().size(), cases.size());
  uint64_t end = f.data_offset();
  for (size_t i = 0; i < cases.size(); ++i) {
    const GgufTensorInfo& t = f.tensors()[i];
    const TensorCase& c = cases[i];
    SCOPED_TRACE(c.name);
    EXPECT_EQ(t.name, c.name);
    EXPECT_EQ(t.type_id, static_cast<uint32_t>(c.type));
    ASSERT_TRUE(t.layout.has_value());
    EXPECT_EQ(t.layout->type, c.type);
    EXPECT_EQ(t.n_dims, c.ne.size());
    uint64_t n = 1;
    for (size_t d = 0; d < 4; ++d) {
      EXPECT_EQ(t.ne[d], d < c.ne.size() ? c.ne[d] : 1u);
      n *= t.ne[d];
    }
    EXPECT_EQ(t.n_elements, n);
    EXPECT_EQ(t.n_bytes, expected[i].size());
    EXPECT_EQ(t.offset % 32, 0u);
    EXPECT_EQ(t.offset, end);  // packed back to back, each padded to the alignment
    end = t.offset + (t.n_bytes + 31) / 32 * 32;
    const auto data = f.tensor_data(t);
    ASSERT_EQ(data.size(), expected[i].size());
    EXPECT_TRUE(std::equal(data.begin(), data.end(), expected[i].begin()));
    EXPECT_EQ(f.find_tensor(c.name), &t);
  }
  EXPECT_EQ(end, f.file_size());  // the last tensor is padded too, as llama.cpp does
  EXPECT_EQ(f.find_tensor("nope"), nullptr);
  EXPECT_THROW(f.tensor_data("nope"), GgufError);
}

TEST(GgufRoundTrip, ByteLayoutFollowsTheSpec) {
  TempDir dir;
  GgufWriter w;
  w.set_alignment(64);
  w.set_u32("k", 5);
  w.add_tensor("a", GgmlType::F32, {3}, pattern_bytes(12, 1));
  w.add_tensor("b", GgmlType::F16, {2, 2}, pattern_bytes(8, 2));
  w.write(dir / "m.gguf");
  const auto bytes = read_bytes(dir / "m.gguf");
  auto u32_at = [&](size_t o) {
    uint32_t v;
    std::memcpy(&v, &bytes[o], 4);
    return v;
  };
  auto u64_at = [&](size_t o) {
    uint64_t v;
    std::memcpy(&v, &bytes[o], 8);
    return v;
  };
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 4), "GGUF");
  EXPECT_EQ(u32_at(4), 3u);   // version
  EXPECT_EQ(u64_at(8), 2u);   // tensors
  EXPECT_EQ(u64_at(16), 2u);  // metadata
  size_t o = 24;
  EXPECT_EQ(u64_at(o), 17u);  // "general.alignment"
  o += 8 + 17;
  EXPECT_EQ(u32_at(o), static_cast<uint32_t>(GgufValueType::UINT32));
  EXPECT_EQ(u32_at(o + 4), 64u);
  o += 8;
  o += 8 + 1 + 4 + 4;        // "k": u32 5
  EXPECT_EQ(u64_at(o), 1u);  // tensor "a"
  EXPECT_EQ(bytes[o + 8], 'a');
  EXPECT_EQ(u32_at(o + 9), 1u);   // n_dims
  EXPECT_EQ(u64_at(o + 13), 3u);  // ne[0]
  EXPECT_EQ(u32_at(o + 21), 0u);  // f32
  EXPECT_EQ(u64_at(o + 25), 0u);  // offset
  o += 33;
  EXPECT_EQ(u32_at(o + 9), 2u);    // "b": n_dims
  EXPECT_EQ(u32_at(o + 29), 1u);   // f16
  EXPECT_EQ(u64_at(o + 33), 64u);  // 12 bytes padded to 64
  const size_t data_start = (o + 41 + 63) / 64 * 64;
  EXPECT_EQ(bytes.size(), data_start + 128);
  const GgufFile f = GgufFile::open(dir / "m.gguf");
  EXPECT_EQ(f.alignment(), 64u);
  EXPECT_EQ(f.data_offset(), data_start);
  EXPECT_EQ(f.tensors()[1].offset, data_start + 64);
}

TEST(GgufRoundTrip, AlignmentOneAndVersionTwo) {
  TempDir dir;
  GgufWriter w;
  w.set_alignment(1);
  w.add_tensor("a", GgmlType::I8, {3}, pattern_bytes(3, 1));
  w.add_tensor("b", GgmlType::I8, {5}, pattern_bytes(5, 2));
  w.write(dir / "m.gguf");
  auto bytes = read_bytes(dir / "m.gguf");
  bytes[4] = 2;  // v2 has the same little-endian layout as v3
  write_bytes(dir / "v2.gguf", bytes);
  const GgufFile f = GgufFile::open(dir / "v2.gguf");
  EXPECT_EQ(f.version(), 2u);
  EXPECT_EQ(f.alignment(), 1u);
  EXPECT_EQ(f.tensors()[1].offset, f.tensors()[0].offset + 3);
  EXPECT_EQ(f.file_size(), f.tensors()[1].offset + 5);
}

TEST(GgufRoundTrip, SettingAKeyAgainReplacesItInPlace) {
  TempDir dir;
  GgufWriter w;
  w.set_string("a", "first");
  w.set_u32("b", 1);
  w.set_i64("a", -5);
  w.write(dir / "m.gguf");
  const GgufFile f = GgufFile::open(dir / "m.gguf");
  ASSERT_EQ(f.metadata().size(), 2u);
  EXPECT_EQ(f.metadata()[0].key, "a");
  EXPECT_EQ(f.get_int("a"), -5);
}

TEST(GgufRoundTrip, MovedFileKeepsItsViews) {
  TempDir dir;
  GgufWriter w;
  w.set_array("s", std::vector<std::string>{"x", "yz"});
  w.add_tensor("t", GgmlType::F32, {1}, pattern_bytes(4, 3));
  w.write(dir / "m.gguf");
  GgufFile a = GgufFile::open(dir / "m.gguf");
  const std::string_view name = a.tensors()[0].name;
  GgufFile b = std::move(a);
  EXPECT_EQ(b.find("s")->at(1).as_string(), "yz");
  EXPECT_EQ(b.find_tensor(name)->name, "t");
  EXPECT_EQ(b.tensor_data("t").size(), 4u);
}

}  // namespace
}  // namespace engine
