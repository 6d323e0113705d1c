// Random mutations of a valid GGUF file (fixed seed): every mutant must either load or give a
// GgufError; whatever loads must be fully readable within its bytes. The mutants are parsed from
// exactly-sized heap buffers (GgufFile::from_bytes), so under ASan + UBSan a read even one byte
// past the end, or an arithmetic overflow, fails the test; a mapping would hide such a read in
// the slack of its last page.
#include <gtest/gtest.h>

#include <random>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "gguf_test_util.h"

namespace engine {
namespace {

using testing::TempDir;

// Touches every value and every tensor's bytes of a file that loaded; returns a checksum.
uint64_t read_everything(const GgufFile& f) {
  uint64_t sum = 0;
  std::function<void(const GgufValue&)> visit = [&](const GgufValue& v) {
    switch (v.type()) {
      case GgufValueType::STRING:
        for (char c : v.as_string()) sum += static_cast<unsigned char>(c);
        break;
      case GgufValueType::ARRAY:
        for (size_t i = 0; i < v.array_size(); ++i) visit(v.at(i));
        break;
      case GgufValueType::FLOAT32:
      case GgufValueType::FLOAT64:
        sum += v.as_float() > 0;
        break;
      case GgufValueType::BOOL:
        sum += v.as_bool();
        break;
      default:
        sum += static_cast<uint64_t>(v.as_int() != 0 || v.as_uint() != 0);
        break;
    }
  };
  for (const GgufKeyValue& kv : f.metadata()) {
    visit(kv.value);
    // The typed getters either answer or refuse with a GgufError.
    try {
      (void)f.get_string_array(kv.key);
    } catch (const GgufError&) {
    }
    try {
      (void)f.get_int_array(kv.key);
    } catch (const GgufError&) {
    }
    try {
      (void)f.get_float_array(kv.key);
    } catch (const GgufError&) {
    }
    try {
      (void)f.get_uint(kv.key);
    } catch (const GgufError&) {
    }
  }
  for (const GgufTensorInfo& t : f.tensors()) {
    EXPECT_LE(t.offset, f.file_size());
    EXPECT_EQ(t.offset % f.alignment(), 0u);
    if (!t.layout) {
      EXPECT_THROW(f.tensor_data(t), GgufError);
      continue;
    }
    const auto data = f.tensor_data(t);
    EXPECT_LE(t.offset + data.size(), f.file_size());
    if (!data.empty())
      sum += static_cast<uint8_t>(data.front()) + static_cast<uint8_t>(data.back());
  }
  return sum;
}

std::vector<uint8_t> seed_file(const TempDir& dir) {
  GgufWriter w;
  w.set_string("general.architecture", "qwen3");
  w.set_u32("qwen3.block_count", 2);
  w.set_f32("qwen3.rope.freq_base", 1e6f);
  w.set_bool("b", true);
  w.set_i64("i", -3);
  w.set_array("tokenizer.ggml.tokens", std::vector<std::string>{"a", "bc", "", "def", "\xc4\xa0"});
  w.set_array("tokenizer.ggml.token_type", std::vector<int32_t>{1, 2, 3, 1, 1});
  w.set_array("scores", std::vector<float>{0.f, -1.f});
  GgufArray nested(GgufValueType::ARRAY);
  nested.push(GgufArray(GgufValueType::UINT16).push(uint16_t{7}));
  nested.push(GgufArray(GgufValueType::STRING).push("x"));
  w.set_array("nested", nested);
  w.add_tensor("token_embd.weight", GgmlType::F16, {8, 5},
               std::vector<std::byte>(80, std::byte{1}));
  w.add_tensor("blk.0.attn_q.weight", GgmlType::Q8_0, {32, 2}, std::vector<std::byte>(68));
  w.add_tensor("output_norm.weight", GgmlType::F32, {8}, std::vector<std::byte>(32));
  w.write(dir / "seed.gguf");
  return testing::read_bytes(dir / "seed.gguf");
}

TEST(GgufFuzz, RandomMutationsNeverCrash) {
  TempDir dir;
  const std::vector<uint8_t> seed = seed_file(dir);
  const uint64_t interesting[] = {0,
                                  1,
                                  2,
                                  3,
                                  4,
                                  5,
                                  7,
                                  8,
                                  9,
                                  12,
                                  13,
                                  31,
                                  32,
                                  33,
                                  64,
                                  255,
                                  256,
                                  0xFFFF,
                                  0x7FFFFFFF,
                                  0xFFFFFFFF,
                                  uint64_t{1} << 32,
                                  uint64_t{1} << 62,
                                  uint64_t{1} << 63,
                                  ~uint64_t{0},
                                  seed.size(),
                                  seed.size() - 1,
                                  seed.size() + 1};
  std::mt19937_64 rng(20240611);
  int loaded = 0;
  uint64_t checksum = 0;
  constexpr int kMutants = 5000;
  for (int n = 0; n < kMutants; ++n) {
    std::vector<uint8_t> bytes = seed;
    const int n_edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < n_edits; ++e) {
      const size_t pos = rng() % bytes.size();
      switch (rng() % 6) {
        case 0:
          bytes[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));
          break;  // flip a bit
        case 1:
          bytes[pos] = static_cast<uint8_t>(rng());
          break;   // a random byte
        case 2: {  // an interesting u32 or u64 over whatever field is there
          const uint64_t v = interesting[rng() % std::size(interesting)];
          const size_t width = rng() % 2 ? 4 : 8;
          for (size_t i = 0; i < width && pos + i < bytes.size(); ++i)
            bytes[pos + i] = static_cast<uint8_t>(v >> (8 * i));
          break;
        }
        case 3:
          bytes.resize(pos);
          break;  // truncate
        case 4:
          bytes.insert(bytes.begin() + static_cast<ptrdiff_t>(pos), static_cast<uint8_t>(rng()));
          break;
        default:
          bytes.erase(bytes.begin() + static_cast<ptrdiff_t>(pos));
          break;
      }
      if (bytes.empty()) break;
    }
    try {
      const auto* p = reinterpret_cast<const std::byte*>(bytes.data());
      const GgufFile f =
          GgufFile::from_bytes(std::vector<std::byte>(p, p + bytes.size()), "mutant");
      checksum += read_everything(f);
      ++loaded;
    } catch (const GgufError& e) {
      ASSERT_FALSE(std::string(e.what()).empty());
    }
  }
  // Both outcomes must be common, or the mutations are not testing much.
  EXPECT_GT(loaded, kMutants / 20);
  EXPECT_LT(loaded, kMutants - kMutants / 20);
  std::printf("%d of %d mutants loaded (checksum %llu)\n", loaded, kMutants,
              static_cast<unsigned long long>(checksum));
}

}  // namespace
}  // namespace engine
