#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/gguf/gguf_error.h"
#include "engine/model/model.h"
#include "tiny_model.h"

namespace engine {
namespace {

using testing::TinyModel;
using testing::TinyShape;

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("al_dense_" + std::to_string(::getpid()) + "_" + name + ".gguf");
}

struct Loaded {
  std::unique_ptr<TinyModel> reference;
  std::unique_ptr<Model> model;
};

Loaded load(const TinyShape& shape, const std::string& name, ModelOptions options = {}) {
  const auto path = temp_path(name);
  auto reference = std::make_unique<TinyModel>(shape, path);
  auto file = std::make_shared<const GgufFile>(GgufFile::open(path));
  std::filesystem::remove(path);  // the mapping stays valid
  if (options.n_threads == 0) options.n_threads = 2;
  return {std::move(reference), Model::load(file, options)};
}

std::vector<int32_t> some_tokens(size_t n, uint32_t n_vocab) {
  std::vector<int32_t> ids;
  for (size_t i = 0; i < n; ++i) ids.push_back(static_cast<int32_t>((i * 7 + 3) % n_vocab));
  return ids;
}

std::vector<float> all_logits(Model& m, const std::vector<int32_t>& ids, SequenceState& s) {
  std::vector<float> out(ids.size() * m.config().n_vocab);
  m.forward(ids, s, Logits::kAll, out);
  return out;
}

void expect_close(const std::vector<float>& got, const std::vector<double>& want, double tol,
                  const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double worst = 0.0;
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
  EXPECT_LT(worst, tol) << what;
}

void expect_close(const std::vector<float>& got, const std::vector<float>& want, double tol,
                  const std::string& what) {
  expect_close(got, std::vector<double>(want.begin(), want.end()), tol, what);
}

// Tolerances: the reference rounds what the engine rounds (K/V and q to fp16, a matmul's input as
// its F16 / Q8_0 kernel converts it), so quantized files match to ~1e-6 as float ones do; 1e-3
// leaves room for a value that lands on the other side of a rounding step.
struct ArchCase {
  const char* name;
  TinyShape shape;
  double tolerance;
};

class DenseModelArch : public ::testing::TestWithParam<ArchCase> {};

TEST_P(DenseModelArch, LogitsMatchTheReferenceForwardPass) {
  const auto& c = GetParam();
  auto [reference, model] = load(c.shape, c.name);
  const auto ids = some_tokens(23, c.shape.n_vocab);
  auto state = model->new_sequence(64);
  expect_close(all_logits(*model, ids, state), reference->forward(ids), c.tolerance, c.name);
  EXPECT_EQ(state.n_tokens(), ids.size());
}

TEST_P(DenseModelArch, ChunkedPrefillAndDecodeAgreeWithOneShot) {
  const auto& c = GetParam();
  auto [reference, one_shot] = load(c.shape, c.name);
  const auto ids = some_tokens(19, c.shape.n_vocab);
  auto s1 = one_shot->new_sequence(64);
  const auto want = all_logits(*one_shot, ids, s1);

  auto chunked = load(c.shape, c.name, {.prefill_chunk = 5}).model;
  auto s2 = chunked->new_sequence(64);
  expect_close(all_logits(*chunked, ids, s2), want, 1e-4, "chunked");

  // Token by token, as decoding runs, asking for the last logits each time.
  auto s3 = one_shot->new_sequence(64);
  const size_t V = c.shape.n_vocab;
  std::vector<float> last(V);
  for (size_t i = 0; i < ids.size(); ++i) {
    one_shot->forward(std::span(ids).subspan(i, 1), s3, Logits::kLast, last);
    expect_close(last, std::vector<float>(want.begin() + i * V, want.begin() + (i + 1) * V), 1e-4,
                 "decode step " + std::to_string(i));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Architectures, DenseModelArch,
    ::testing::Values(
        ArchCase{"qwen3", {.arch = "qwen3"}, 2e-4},
        ArchCase{"qwen2", {.arch = "qwen2", .tied = true}, 2e-4},
        ArchCase{"llama", {.arch = "llama", .rope_freqs = true}, 2e-4},
        ArchCase{"qwen3_f16", {.arch = "qwen3", .type = GgmlType::F16}, 1e-3},
        ArchCase{
            "qwen3_q8_0",
            {.arch = "qwen3", .n_embd = 64, .head_dim = 16, .n_ff = 96, .type = GgmlType::Q8_0},
            1e-3},
        ArchCase{"qwen3moe", {.arch = "qwen3moe"}, 2e-4},
        ArchCase{"qwen3moe_f16", {.arch = "qwen3moe", .type = GgmlType::F16}, 1e-3},
        ArchCase{"qwen3moe_q8_0",
                 {.arch = "qwen3moe",
                  .n_embd = 64,
                  .head_dim = 16,
                  .n_ff = 96,
                  .n_ff_exp = 32,
                  .type = GgmlType::Q8_0},
                 1e-3}),
    [](const auto& info) { return std::string(info.param.name); });

// Largest and mean |got - want|.
std::pair<double, double> differences(const std::vector<float>& got,
                                      const std::vector<double>& want) {
  EXPECT_EQ(got.size(), want.size());
  double worst = 0.0, sum = 0.0;
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    worst = std::max(worst, std::abs(got[i] - want[i]));
    sum += std::abs(got[i] - want[i]);
  }
  return {worst, sum / static_cast<double>(got.size())};
}

TEST(DenseModel, AQ8_0CacheMatchesTheReferenceThatStoresQ8_0) {
  // Keys rotated in blocks of 128, values in blocks of 64 (kv_type.h).
  const TinyShape shape{.arch = "qwen3", .n_embd = 64, .head_dim = 128};
  auto [reference, model] = load(shape, "q8_cache", {.prefill_chunk = 7, .kv_type = KvType::kQ8_0});
  const auto ids = some_tokens(23, shape.n_vocab);
  auto state = model->new_sequence(64);
  EXPECT_EQ(state.shape().kv_type, KvType::kQ8_0);
  const auto got = all_logits(*model, ids, state);
  // Float and double land a few keys, values or queries on the other side of an int8 rounding
  // step (each moves logits by ~1e-3), so the largest difference is loose and the mean tight;
  // against the fp16 cache's reference the mean is 50 times larger: the test sees the type.
  const auto [worst, mean] = differences(got, reference->forward(ids, KvType::kQ8_0));
  EXPECT_LT(worst, 1e-2);
  EXPECT_LT(mean, 5e-4);
  EXPECT_GT(differences(got, reference->forward(ids, KvType::kF16)).second, 10 * mean);
}

TEST(DenseModel, AQ8_0CacheNeedsHeadsInWholeBlocks) {
  EXPECT_THROW(load({.arch = "qwen3"}, "q8_heads", {.kv_type = KvType::kQ8_0}),
               std::invalid_argument);
}

TEST(DenseModel, SequenceStateOperationsKeepTheLogits) {
  auto [reference, model] = load({}, "state");
  const auto ids = some_tokens(30, 40);
  const std::span all(ids);
  const size_t V = 40;
  auto full = model->new_sequence(64);
  const auto want = all_logits(*model, ids, full);
  const std::vector<float> want_tail(want.begin() + 20 * V, want.end());

  // A copy of the first 20 positions continues like the original.
  auto copy = full.copy_prefix(20);
  expect_close(all_logits(*model, {ids.begin() + 20, ids.end()}, copy), want_tail, 1e-4, "copy");
  // Truncating to 20 and running the rest again gives the same logits.
  full.truncate(20);
  expect_close(all_logits(*model, {ids.begin() + 20, ids.end()}, full), want_tail, 1e-4,
               "truncate");
  // So does a state saved after 20 positions and loaded back.
  auto prefix = model->new_sequence(64);
  std::vector<float> none;
  model->forward(all.first(20), prefix, Logits::kNone, none);
  auto loaded = SequenceState::load(prefix.save(), model->kv_shape(), 64);
  EXPECT_EQ(std::vector<int32_t>(loaded.tokens().begin(), loaded.tokens().end()),
            std::vector<int32_t>(ids.begin(), ids.begin() + 20));
  expect_close(all_logits(*model, {ids.begin() + 20, ids.end()}, loaded), want_tail, 1e-4, "load");
}

TEST(DenseModel, RejectsBadCallsWithoutTouchingTheState) {
  auto [reference, model] = load({}, "errors");
  auto state = model->new_sequence(8);
  std::vector<float> logits(40);
  EXPECT_THROW(model->forward(std::vector<int32_t>{1, 40}, state, Logits::kLast, logits),
               std::invalid_argument);
  EXPECT_THROW(model->forward(std::vector<int32_t>{-1}, state, Logits::kLast, logits),
               std::invalid_argument);
  std::vector<float> small(39);
  EXPECT_THROW(model->forward(std::vector<int32_t>{1}, state, Logits::kLast, small),
               std::invalid_argument);
  EXPECT_THROW(model->forward(some_tokens(9, 40), state, Logits::kLast, logits), ContextFullError);
  EXPECT_EQ(state.n_tokens(), 0u);
  auto other = SequenceState({1, 1, 8, 8}, 8);
  EXPECT_THROW(model->forward(std::vector<int32_t>{1}, other, Logits::kLast, logits),
               std::invalid_argument);
}

TEST(DenseModel, ALoadErrorNamesTheTensorOrKey) {
  const auto path = temp_path("bad");
  auto expect_error = [&](GgufWriter& w, const std::string& needle) {
    w.write(path);
    auto file = std::make_shared<const GgufFile>(GgufFile::open(path));
    try {
      Model::load(file);
      ADD_FAILURE() << "no error; expected one mentioning " << needle;
    } catch (const GgufError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
    std::filesystem::remove(path);
  };
  {
    GgufWriter w;
    w.set_string("general.architecture", "falcon");
    expect_error(w, "architecture 'falcon' is not supported");
  }
  {
    GgufWriter w;
    w.set_string("general.architecture", "qwen3");
    w.set_u32("qwen3.embedding_length", 32);
    expect_error(w, "qwen3.block_count is missing");
  }
  {
    GgufWriter w;
    w.set_string("general.architecture", "qwen3");
    w.set_u32("qwen3.embedding_length", 32);
    w.set_u32("qwen3.block_count", 1);
    w.set_u32("qwen3.feed_forward_length", 8);
    w.set_u32("qwen3.attention.head_count", 3);
    w.set_u32("qwen3.attention.head_count_kv", 2);
    expect_error(w, "not a multiple of attention.head_count_kv");
  }
  {
    GgufWriter w;
    w.set_string("general.architecture", "qwen3");
    w.set_u32("qwen3.embedding_length", 32);
    w.set_u32("qwen3.block_count", 1);
    w.set_u32("qwen3.feed_forward_length", 8);
    w.set_u32("qwen3.attention.head_count", 4);
    w.set_array("tokenizer.ggml.tokens", std::vector<std::string>{"a", "b"});
    w.add_tensor("token_embd.weight", GgmlType::F32, {32, 3}, std::vector<std::byte>(32 * 3 * 4));
    expect_error(w, "tensor 'token_embd.weight' has shape [32, 3], expected [32, 2]");
  }
}

}  // namespace
}  // namespace engine
