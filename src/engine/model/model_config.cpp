#include "engine/model/model_config.h"

#include <string>

#include "engine/gguf/gguf_error.h"

namespace engine {
namespace {

// Bounds that no real model comes near; they keep sizes computed from a hostile file sane.
constexpr uint64_t kMaxEmbd = 1 << 16;
constexpr uint64_t kMaxLayers = 1024;
constexpr uint64_t kMaxHeads = 1024;
constexpr uint64_t kMaxHeadDim = 1024;
constexpr uint64_t kMaxFf = 1 << 20;
constexpr uint64_t kMaxVocab = 1 << 22;
constexpr uint64_t kMaxCtx = 1 << 24;

class ConfigReader {
 public:
  ConfigReader(const GgufFile& file, std::string arch) : file_(file), arch_(std::move(arch)) {}

  uint32_t required(const char* suffix, uint64_t min, uint64_t max) const {
    auto value = optional(suffix, min, max);
    if (!value) fail(key(suffix) + " is missing");
    return *value;
  }

  std::optional<uint32_t> optional(const char* suffix, uint64_t min, uint64_t max) const {
    auto value = file_.get_uint(key(suffix));
    if (!value) return std::nullopt;
    if (*value < min || *value > max) {
      fail(key(suffix) + " is " + std::to_string(*value) + ", expected " + std::to_string(min) +
           ".." + std::to_string(max));
    }
    return static_cast<uint32_t>(*value);
  }

  float real(const char* suffix, float fallback, double min, double max) const {
    auto value = file_.get_float(key(suffix));
    if (!value) return fallback;
    if (!(*value >= min && *value <= max)) {
      fail(key(suffix) + " is " + std::to_string(*value) + ", expected " + std::to_string(min) +
           ".." + std::to_string(max));
    }
    return static_cast<float>(*value);
  }

  std::optional<std::string_view> text(const char* suffix) const {
    return file_.get_string(key(suffix));
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw GgufError(file_.path().string() + ": " + what);
  }

 private:
  std::string key(const char* suffix) const { return arch_ + "." + suffix; }

  const GgufFile& file_;
  std::string arch_;
};

Architecture parse_architecture(std::string_view name, const ConfigReader& reader) {
  if (name == "llama") return Architecture::kLlama;
  if (name == "qwen2") return Architecture::kQwen2;
  if (name == "qwen3") return Architecture::kQwen3;
  reader.fail("architecture '" + std::string(name) +
              "' is not supported; supported are llama, qwen2, qwen3");
}

}  // namespace

ModelConfig read_model_config(const GgufFile& file) {
  auto arch_name = file.get_string("general.architecture");
  if (!arch_name) throw GgufError(file.path().string() + ": general.architecture is missing");
  ModelConfig c;
  c.arch_name = std::string(*arch_name);
  ConfigReader r(file, c.arch_name);
  c.arch = parse_architecture(c.arch_name, r);
  c.name = std::string(file.get_string("general.name").value_or(""));

  c.n_embd = r.required("embedding_length", 1, kMaxEmbd);
  c.n_layer = r.required("block_count", 1, kMaxLayers);
  c.n_ff = r.required("feed_forward_length", 1, kMaxFf);
  c.n_head = r.required("attention.head_count", 1, kMaxHeads);
  c.n_head_kv = r.optional("attention.head_count_kv", 1, kMaxHeads).value_or(c.n_head);
  if (c.n_head % c.n_head_kv != 0) {
    r.fail("attention.head_count (" + std::to_string(c.n_head) +
           ") is not a multiple of attention.head_count_kv (" + std::to_string(c.n_head_kv) + ")");
  }
  c.n_ctx_train = r.optional("context_length", 1, kMaxCtx).value_or(4096);
  c.head_dim_k = r.optional("attention.key_length", 1, kMaxHeadDim).value_or(c.n_embd / c.n_head);
  c.head_dim_v = r.optional("attention.value_length", 1, kMaxHeadDim).value_or(c.head_dim_k);
  if (c.head_dim_k == 0 || c.head_dim_k % 2 != 0) {
    r.fail("attention head size " + std::to_string(c.head_dim_k) +
           " is not a positive even number");
  }
  c.rms_eps = r.real("attention.layer_norm_rms_epsilon", 1e-6f, 0.0, 1.0);

  c.rope_mode = c.arch == Architecture::kLlama ? ops::RopeMode::kNorm : ops::RopeMode::kNeox;
  c.n_rot = r.optional("rope.dimension_count", 2, c.head_dim_k).value_or(c.head_dim_k);
  if (c.n_rot % 2 != 0) r.fail("rope.dimension_count " + std::to_string(c.n_rot) + " is odd");
  c.rope_freq_base = r.real("rope.freq_base", 10000.0f, 1.0, 1e12);
  auto scaling = r.text("rope.scaling.type").value_or("none");
  if (scaling == "linear") {
    c.rope_freq_scale = 1.0f / r.real("rope.scaling.factor", 1.0f, 1e-3, 1e3);
  } else if (scaling != "none") {
    r.fail("rope.scaling.type '" + std::string(scaling) +
           "' is not supported; supported are none and linear");
  }

  // The vocabulary size comes from the tokenizer; the embedding table must agree (checked when
  // the weights are bound).
  auto tokens = file.find("tokenizer.ggml.tokens");
  if (!tokens || tokens->type() != GgufValueType::ARRAY) {
    throw GgufError(file.path().string() + ": tokenizer.ggml.tokens is missing");
  }
  const uint64_t n_vocab = tokens->array_size();
  if (n_vocab == 0 || n_vocab > kMaxVocab) {
    r.fail("tokenizer.ggml.tokens holds " + std::to_string(n_vocab) + " tokens, expected 1.." +
           std::to_string(kMaxVocab));
  }
  c.n_vocab = static_cast<uint32_t>(n_vocab);
  return c;
}

}  // namespace engine
