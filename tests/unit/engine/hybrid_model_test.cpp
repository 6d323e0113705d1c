// qwen35 / qwen35moe (Gated DeltaNet + gated attention) against the double-precision forward of
// tiny_model.h, and the recurrent state through chunking, decoding, snapshots and save/load.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/model/model.h"
#include "tiny_model.h"

namespace engine {
namespace {

using testing::TinyModel;
using testing::TinyShape;

struct Loaded {
  std::unique_ptr<TinyModel> reference;
  std::unique_ptr<Model> model;
};

Loaded load(const TinyShape& shape, const std::string& name, ModelOptions options = {}) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("al_hybrid_" + std::to_string(::getpid()) + "_" + name + ".gguf");
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

std::vector<float> all_logits(Model& m, std::span<const int32_t> ids, SequenceState& s) {
  std::vector<float> out(ids.size() * m.config().n_vocab);
  m.forward(ids, s, Logits::kAll, out);
  return out;
}

double max_diff(const std::vector<float>& got, const std::vector<double>& want) {
  EXPECT_EQ(got.size(), want.size());
  double worst = 0.0;
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    worst = std::max(worst, std::abs(got[i] - want[i]));
  }
  return worst;
}

double max_diff(const std::vector<float>& got, const std::vector<float>& want) {
  return max_diff(got, std::vector<double>(want.begin(), want.end()));
}

struct HybridCase {
  const char* name;
  TinyShape shape;
  double tolerance;
};

class HybridModelArch : public ::testing::TestWithParam<HybridCase> {};

TEST_P(HybridModelArch, LogitsMatchTheReferenceForwardPass) {
  const auto& c = GetParam();
  auto [reference, model] = load(c.shape, c.name);
  EXPECT_EQ(model->kv_shape().n_layer, 1u);  // one attention layer in four
  EXPECT_EQ(model->kv_shape().n_recurrent, 3u);
  const auto ids = some_tokens(23, c.shape.n_vocab);
  auto state = model->new_sequence(64);
  EXPECT_LT(max_diff(all_logits(*model, ids, state), reference->forward(ids)), c.tolerance);
}

TEST_P(HybridModelArch, ChunkedPrefillAndDecodeAgreeWithOneShot) {
  const auto& c = GetParam();
  auto [reference, one_shot] = load(c.shape, c.name);
  const auto ids = some_tokens(19, c.shape.n_vocab);
  auto s1 = one_shot->new_sequence(64);
  const auto want = all_logits(*one_shot, ids, s1);

  auto chunked = load(c.shape, c.name, {.prefill_chunk = 5}).model;
  auto s2 = chunked->new_sequence(64);
  EXPECT_LT(max_diff(all_logits(*chunked, ids, s2), want), 1e-4);

  auto s3 = one_shot->new_sequence(64);
  const size_t V = c.shape.n_vocab;
  std::vector<float> last(V);
  for (size_t i = 0; i < ids.size(); ++i) {
    one_shot->forward(std::span(ids).subspan(i, 1), s3, Logits::kLast, last);
    EXPECT_LT(max_diff(last, std::vector<float>(want.begin() + i * V, want.begin() + (i + 1) * V)),
              1e-4)
        << "decode step " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Architectures, HybridModelArch,
    ::testing::Values(
        HybridCase{"qwen35", {.arch = "qwen35", .n_layer = 4}, 2e-4},
        HybridCase{"qwen35_f16", {.arch = "qwen35", .n_layer = 4, .type = GgmlType::F16}, 1e-3},
        HybridCase{"qwen35moe", {.arch = "qwen35moe", .n_layer = 4}, 2e-4},
        HybridCase{"qwen35moe_fused_gate_up",
                   {.arch = "qwen35moe", .n_layer = 4, .fused_gate_up = true},
                   2e-4},
        HybridCase{"qwen35moe_q8_0",
                   {.arch = "qwen35moe",
                    .n_embd = 64,
                    .n_layer = 4,
                    .head_dim = 16,
                    .n_ff = 96,
                    .n_ff_exp = 32,
                    .n_ff_shexp = 32,
                    .ssm_d_state = 16,
                    .n_rot = 8,
                    .type = GgmlType::Q8_0},
                   1e-3}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(HybridModel, AQ8_0CacheMatchesTheReferenceThatStoresQ8_0) {
  const TinyShape shape{.arch = "qwen35", .n_embd = 64, .n_layer = 4, .head_dim = 64};
  auto [reference, model] = load(shape, "q8_cache", {.prefill_chunk = 7, .kv_type = KvType::kQ8_0});
  const auto ids = some_tokens(23, shape.n_vocab);
  auto state = model->new_sequence(64);
  // As in DenseModel's test, an int8 rounding step crossed moves logits by ~1e-3.
  EXPECT_LT(max_diff(all_logits(*model, ids, state), reference->forward(ids, KvType::kQ8_0)), 1e-2);
}

TEST(HybridModel, SnapshotsTruncationCopiesAndSaveLoadKeepTheLogits) {
  const TinyShape shape{.arch = "qwen35", .n_layer = 4};
  auto [reference, model] = load(shape, "state");
  const auto ids = some_tokens(30, shape.n_vocab);
  const std::span all(ids);
  const size_t V = shape.n_vocab;
  auto full = model->new_sequence(64);
  std::vector<float> none;
  model->forward(all.first(20), full, Logits::kNone, none);
  full.keep_snapshot();  // what a prompt cache does at the end of a prompt
  const auto tail = all_logits(*model, all.subspan(20), full);
  const auto want = reference->forward(ids);
  EXPECT_LT(max_diff(tail, std::vector<double>(want.begin() + 20 * V, want.end())), 2e-4);

  // Back to the snapshot by copy and by truncation: the rest runs again to the same logits.
  EXPECT_THROW(full.truncate(15), std::invalid_argument);
  auto copy = full.copy_prefix(20);
  EXPECT_LT(max_diff(all_logits(*model, all.subspan(20), copy), tail), 1e-5);
  full.truncate(20);
  EXPECT_LT(max_diff(all_logits(*model, all.subspan(20), full), tail), 1e-5);
  // Saved and loaded with its snapshot.
  auto loaded = SequenceState::load(full.save(), model->kv_shape(), 64);
  loaded.truncate(20);
  EXPECT_LT(max_diff(all_logits(*model, all.subspan(20), loaded), tail), 1e-5);
  // Truncation to 0 starts over from a zero state.
  full.truncate(0);
  const auto again = all_logits(*model, ids, full);
  EXPECT_LT(max_diff(std::vector<float>(again.begin() + 20 * V, again.end()), tail), 1e-4);
}

// Hyperparameters of a small qwen35 / qwen3moe file; each case below breaks one thing.
void hybrid_keys(GgufWriter& w, const std::string& arch) {
  const std::string a = arch + ".";
  w.set_string("general.architecture", arch);
  w.set_u32(a + "embedding_length", 32);
  w.set_u32(a + "block_count", 4);
  w.set_u32(a + "feed_forward_length", 8);
  w.set_u32(a + "attention.head_count", 4);
  w.set_u32(a + "attention.head_count_kv", 2);
  w.set_u32(a + "attention.key_length", 8);
  w.set_u32(a + "attention.value_length", 8);
  w.set_u32(a + "rope.dimension_count", 4);
  w.set_u32(a + "ssm.conv_kernel", 4);
  w.set_u32(a + "ssm.state_size", 8);
  w.set_u32(a + "ssm.group_count", 2);
  w.set_u32(a + "ssm.time_step_rank", 4);
  w.set_u32(a + "ssm.inner_size", 32);
  w.set_u32(a + "expert_count", 4);
  w.set_u32(a + "expert_used_count", 2);
  w.set_array("tokenizer.ggml.tokens", std::vector<std::string>{"a", "b"});
}

TEST(HybridModel, ALoadErrorNamesTheKeyOrTensorAtFault) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("al_hybrid_bad_" + std::to_string(::getpid()) + ".gguf");
  auto expect_error = [&](GgufWriter& w, const std::string& needle) {
    w.write(path);
    auto file = std::make_shared<const GgufFile>(GgufFile::open(path));
    std::filesystem::remove(path);
    try {
      Model::load(file);
      ADD_FAILURE() << "no error; expected one mentioning " << needle;
    } catch (const GgufError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  {
    GgufWriter w;
    w.set_string("general.architecture", "qwen35");
    w.set_u32("qwen35.embedding_length", 32);
    w.set_u32("qwen35.block_count", 4);
    w.set_u32("qwen35.feed_forward_length", 8);
    w.set_u32("qwen35.attention.head_count", 4);
    w.set_u32("qwen35.ssm.conv_kernel", 4);
    expect_error(w, "qwen35.ssm.state_size is missing");
  }
  {
    GgufWriter w;
    hybrid_keys(w, "qwen35");
    w.set_u32("qwen35.ssm.time_step_rank", 3);
    expect_error(w, "qwen35.ssm.time_step_rank (3) is not a multiple of qwen35.ssm.group_count");
  }
  {
    GgufWriter w;
    hybrid_keys(w, "qwen35");
    w.set_u32("qwen35.ssm.inner_size", 48);
    expect_error(w, "qwen35.ssm.inner_size is 48, expected");
  }
  {
    GgufWriter w;  // pair 1 of the rotation would take the (vision) fourth section's position
    hybrid_keys(w, "qwen35");
    w.set_array("qwen35.rope.dimension_sections", std::vector<int32_t>{1, 0, 0, 1});
    expect_error(w, "falls in the fourth (vision) section");
  }
  {
    GgufWriter w;
    hybrid_keys(w, "qwen35");
    w.set_array("qwen35.attention.recurrent_layers", std::vector<int32_t>{1, 1});
    expect_error(w, "qwen35.attention.recurrent_layers is not an array of at least 4");
  }
  {
    GgufWriter w;
    hybrid_keys(w, "qwen35moe");
    w.set_u32("qwen35moe.expert_used_count", 5);
    expect_error(w, "qwen35moe.expert_used_count is 5, expected 1..4");
  }
  {
    GgufWriter w;  // every key right: the first tensor it looks for is missing
    hybrid_keys(w, "qwen35");
    w.add_tensor("token_embd.weight", GgmlType::F32, {32, 2}, std::vector<std::byte>(32 * 2 * 4));
    expect_error(w, "tensor 'blk.0.attn_norm.weight' is missing");
  }
  {
    GgufWriter w;  // an expert tensor with the wrong number of experts
    hybrid_keys(w, "qwen3moe");
    w.set_u32("qwen3moe.expert_feed_forward_length", 8);
    w.add_tensor("token_embd.weight", GgmlType::F32, {32, 2}, std::vector<std::byte>(32 * 2 * 4));
    for (const char* name : {"attn_norm", "ffn_norm", "attn_q_norm", "attn_k_norm"}) {
      const size_t n = std::string(name).find("_q_") != std::string::npos ||
                               std::string(name).find("_k_") != std::string::npos
                           ? 8
                           : 32;
      w.add_tensor("blk.0." + std::string(name) + ".weight", GgmlType::F32, {n},
                   std::vector<std::byte>(n * 4));
    }
    for (const auto& [name, n_out] : std::vector<std::pair<std::string, size_t>>{
             {"attn_q", 32}, {"attn_k", 16}, {"attn_v", 16}}) {
      w.add_tensor("blk.0." + name + ".weight", GgmlType::F32, {32, n_out},
                   std::vector<std::byte>(32 * n_out * 4));
    }
    w.add_tensor("blk.0.attn_output.weight", GgmlType::F32, {32, 32},
                 std::vector<std::byte>(32 * 32 * 4));
    w.add_tensor("blk.0.ffn_gate_inp.weight", GgmlType::F32, {32, 4},
                 std::vector<std::byte>(32 * 4 * 4));
    w.add_tensor("blk.0.ffn_down_exps.weight", GgmlType::F32, {8, 32, 3},
                 std::vector<std::byte>(8 * 32 * 3 * 4));
    expect_error(w,
                 "tensor 'blk.0.ffn_down_exps.weight' has shape [8, 32, 3], expected [8, 32, 4]");
  }
}

}  // namespace
}  // namespace engine
