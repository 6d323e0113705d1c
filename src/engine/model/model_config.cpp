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
constexpr uint64_t kMaxExperts = 1 << 12;
constexpr uint64_t kMaxConv = 64;
constexpr uint64_t kMaxRecurrentFloats = uint64_t{1} << 30;

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

  std::string key(const char* suffix) const { return arch_ + "." + suffix; }

  [[noreturn]] void fail(const std::string& what) const {
    throw GgufError(file_.path().string() + ": " + what);
  }

 private:
  const GgufFile& file_;
  std::string arch_;
};

Architecture parse_architecture(std::string_view name, const ConfigReader& reader) {
  if (name == "llama") return Architecture::kLlama;
  if (name == "qwen2") return Architecture::kQwen2;
  if (name == "qwen3") return Architecture::kQwen3;
  if (name == "qwen3moe") return Architecture::kQwen3Moe;
  if (name == "qwen35") return Architecture::kQwen35;
  if (name == "qwen35moe") return Architecture::kQwen35Moe;
  reader.fail("architecture '" + std::string(name) +
              "' is not supported; supported are llama, qwen2, qwen3, qwen3moe, qwen35, qwen35moe");
}

bool has_experts(Architecture a) {
  return a == Architecture::kQwen3Moe || a == Architecture::kQwen35Moe;
}
bool is_hybrid(Architecture a) {
  return a == Architecture::kQwen35 || a == Architecture::kQwen35Moe;
}

// The experts of qwen3moe / qwen35moe. llama.cpp builds both with softmax gating and renormalised
// top-k weights (Qwen's norm_topk_prob) whatever the file says, so we do too; only
// expert_weights_scale can change the weights.
MoeConfig read_moe(const ConfigReader& r, const ModelConfig& c) {
  MoeConfig m;
  m.n_expert = r.required("expert_count", 1, kMaxExperts);
  m.n_expert_used = r.required("expert_used_count", 1, m.n_expert);
  auto n_ff_exp = r.optional("expert_feed_forward_length", 1, kMaxFf);
  if (!n_ff_exp && c.n_ff == 0) {
    r.fail(r.key("expert_feed_forward_length") + " and " + r.key("feed_forward_length") +
           " are both missing");
  }
  m.n_ff_exp = n_ff_exp.value_or(c.n_ff / m.n_expert_used);
  if (m.n_ff_exp == 0) r.fail("the expert feed-forward length is 0");
  if (c.arch == Architecture::kQwen35Moe) {
    m.n_ff_shexp = r.optional("expert_shared_feed_forward_length", 1, kMaxFf).value_or(c.n_ff);
    if (m.n_ff_shexp == 0) r.fail(r.key("expert_shared_feed_forward_length") + " is missing");
  }
  m.weights_norm = true;
  const float scale = r.real("expert_weights_scale", 0.0f, 0.0, 1e6);
  m.weights_scale = scale == 0.0f ? 1.0f : scale;  // llama.cpp: 0 means "not set"
  return m;
}

// The Gated DeltaNet sizes and which layers use it: attention.recurrent_layers when the file has
// it, else every layer but each full_attention_interval-th (default 4), as llama.cpp decides.
void read_delta_net(const ConfigReader& r, const GgufFile& file, ModelConfig& c) {
  DeltaNetConfig& d = c.delta_net;
  d.d_conv = r.required("ssm.conv_kernel", 2, kMaxConv);
  d.d_state = r.required("ssm.state_size", 1, kMaxHeadDim);
  d.n_k_heads = r.required("ssm.group_count", 1, kMaxHeads);
  d.n_v_heads = r.required("ssm.time_step_rank", 1, kMaxHeads);
  const uint32_t d_inner = r.required("ssm.inner_size", 1, kMaxFf);
  if (d.n_v_heads % d.n_k_heads != 0) {
    r.fail(r.key("ssm.time_step_rank") + " (" + std::to_string(d.n_v_heads) +
           ") is not a multiple of " + r.key("ssm.group_count") + " (" +
           std::to_string(d.n_k_heads) + ")");
  }
  if (d_inner != d.value_dim()) {
    r.fail(r.key("ssm.inner_size") + " is " + std::to_string(d_inner) + ", expected " +
           r.key("ssm.state_size") + " x " + r.key("ssm.time_step_rank") + " = " +
           std::to_string(d.value_dim()) + " (value heads as wide as key heads)");
  }
  c.recurrent.assign(c.n_layer, false);
  if (const GgufValue* layers = file.find(r.key("attention.recurrent_layers"))) {
    if (!layers->is_array() || layers->array_size() < c.n_layer) {
      r.fail(r.key("attention.recurrent_layers") + " is not an array of at least " +
             std::to_string(c.n_layer) + " flags");
    }
    for (size_t il = 0; il < c.n_layer; ++il) {
      const GgufValue flag = layers->at(il);
      c.recurrent[il] = flag.type() == GgufValueType::BOOL ? flag.as_bool() : flag.as_int() != 0;
    }
  } else {
    const uint32_t interval = r.optional("full_attention_interval", 1, kMaxLayers).value_or(4);
    for (size_t il = 0; il < c.n_layer; ++il) c.recurrent[il] = (il + 1) % interval != 0;
  }
}

// Qwen3.5 rotates its partial rope in interleaved M-RoPE sections (time, height, width, extra).
// For text, llama.cpp gives the first three the token's position and the fourth position 0, so
// the rotation equals plain NeoX RoPE as long as no rotated pair falls in the fourth section;
// a file where one does is refused rather than run differently.
void check_rope_sections(const ConfigReader& r, const GgufFile& file, const ModelConfig& c) {
  const auto sections = file.get_int_array(r.key("rope.dimension_sections"));
  if (!sections) return;
  if (sections->size() < 4) r.fail(r.key("rope.dimension_sections") + " has fewer than 4 entries");
  std::array<int64_t, 4> s{};
  int64_t total = 0;
  for (size_t i = 0; i < 4; ++i) {
    s[i] = (*sections)[i];
    if (s[i] < 0 || s[i] > static_cast<int64_t>(kMaxHeadDim)) {
      r.fail(r.key("rope.dimension_sections") + " is out of range");
    }
    total += s[i];
  }
  if (total == 0 || total > c.head_dim_k) {
    r.fail(r.key("rope.dimension_sections") + " add up to " + std::to_string(total) +
           ", expected 1.." + std::to_string(c.head_dim_k));
  }
  for (int64_t pair = 0; pair < c.n_rot / 2; ++pair) {
    const int64_t sector = pair % total;
    const bool text_position = (sector % 3 == 0 && sector < 3 * s[0]) ||
                               (sector % 3 == 1 && sector < 3 * s[1]) ||
                               (sector % 3 == 2 && sector < 3 * s[2]);
    if (!text_position) {
      r.fail(r.key("rope.dimension_sections") + ": rotated pair " + std::to_string(pair) +
             " falls in the fourth (vision) section, which this engine does not run");
    }
  }
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
  const uint32_t n_block = r.required("block_count", 1, kMaxLayers);
  // Multi-token-prediction blocks (nextn) follow the model's own; the forward pass skips them.
  const uint32_t n_nextn = r.optional("nextn_predict_layers", 0, n_block - 1).value_or(0);
  c.n_layer = n_block - n_nextn;
  // Dense feed-forward length: the experts of MoE models have their own.
  const auto n_ff = r.optional("feed_forward_length", 1, kMaxFf);
  if (!n_ff && !has_experts(c.arch)) r.fail(r.key("feed_forward_length") + " is missing");
  c.n_ff = n_ff.value_or(0);
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

  if (has_experts(c.arch)) c.moe = read_moe(r, c);
  c.recurrent.assign(c.n_layer, false);
  if (is_hybrid(c.arch)) {
    if (c.head_dim_k != c.head_dim_v) {
      r.fail("attention.key_length (" + std::to_string(c.head_dim_k) +
             ") differs from attention.value_length (" + std::to_string(c.head_dim_v) + ")");
    }
    read_delta_net(r, file, c);
    check_rope_sections(r, file, c);
    // Every sequence holds this much; a hostile file must not size it past reason (Qwen3.6-35B
    // needs 16M floats).
    const uint64_t floats =
        uint64_t{c.n_layer_recurrent()} * (c.delta_net.conv_floats() + c.delta_net.ssm_floats());
    if (floats > kMaxRecurrentFloats) {
      r.fail("the recurrent state would hold " + std::to_string(floats) +
             " floats per sequence, more than " + std::to_string(kMaxRecurrentFloats));
    }
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

uint32_t ModelConfig::n_layer_recurrent() const {
  uint32_t n = 0;
  for (bool r : recurrent) n += r ? 1 : 0;
  return n;
}

}  // namespace engine
