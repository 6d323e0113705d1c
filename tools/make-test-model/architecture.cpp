#include "architecture.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace make_test_model {
namespace {

// Scales of the random weights (docs/TEST_MODELS.md). Each projection from n_in inputs is
// N(0, 1/n_in), so a unit-RMS input (what RMS norm makes) gives unit-variance outputs: attention
// scores and SwiGLU inputs of order 1, as in a trained model. The projections back into the
// residual stream (attn_output, ffn_down) are further divided by sqrt(2 n_layer), GPT-2's
// residual scaling, so the stream stays of order 1 however deep the model. Embeddings are
// N(0, 4/n_embd); an untied output projection N(0, 16/n_embd), which makes the logits of a
// unit-RMS final state N(0, 16): top tokens of probability 0.1 to 0.5, as a trained model's, with
// gaps that different kernels cannot reorder. Norm weights are near 1, biases small.
constexpr float kEmbdGain = 2.0f;
constexpr float kOutputGain = 4.0f;
constexpr float kNormStddev = 0.1f;
constexpr float kBiasStddev = 0.1f;

TensorInit projection(uint64_t n_in) {
  return TensorInit::normal(0.0f, 1.0f / std::sqrt(static_cast<float>(n_in)));
}
TensorInit residual_projection(uint64_t n_in, uint32_t n_layer) {
  const float n = static_cast<float>(n_in) * 2.0f * static_cast<float>(n_layer);
  return TensorInit::normal(0.0f, 1.0f / std::sqrt(n));
}
TensorInit norm_weight() {
  return TensorInit::normal(1.0f, kNormStddev);
}
TensorInit output_projection(uint32_t n_embd) {
  return TensorInit::normal(0.0f, kOutputGain / std::sqrt(static_cast<float>(n_embd)));
}
TensorInit embedding(uint32_t n_embd) {
  return TensorInit::normal(0.0f, kEmbdGain / std::sqrt(static_cast<float>(n_embd)));
}

std::string block_name(int layer, const char* name) {
  return "blk." + std::to_string(layer) + "." + name;
}

// Llama 3's rope frequency factors (rope_freqs.weight, [head_dim / 2]) as convert_hf_to_gguf.py's
// LlamaModel.generate_extra_tensors computes them from rope_scaling (factor, low_freq_factor 1,
// high_freq_factor 4, original_max_position_embeddings 8192), in float32 like its torch code.
std::vector<float> llama3_rope_factors(const Shape& shape, float freq_base) {
  constexpr float kLowFreqFactor = 1.0f;
  constexpr float kHighFreqFactor = 4.0f;
  constexpr float kOldContextLen = 8192.0f;
  constexpr float kTwoPi = 6.283185307179586f;
  const float factor = shape.rope_scaling_factor;
  const float low_freq_wavelen = kOldContextLen / kLowFreqFactor;
  const float high_freq_wavelen = kOldContextLen / kHighFreqFactor;
  const auto dim = static_cast<float>(shape.head_dim);
  std::vector<float> factors;
  for (uint32_t i = 0; i < shape.head_dim; i += 2) {
    const float freq = 1.0f / std::pow(freq_base, static_cast<float>(i) / dim);
    const float wavelen = kTwoPi / freq;
    if (wavelen < high_freq_wavelen) {
      factors.push_back(1.0f);
    } else if (wavelen > low_freq_wavelen) {
      factors.push_back(factor);
    } else {
      const float smooth =
          (kOldContextLen / wavelen - kLowFreqFactor) / (kHighFreqFactor - kLowFreqFactor);
      factors.push_back(1.0f / ((1.0f - smooth) / factor + smooth));
    }
  }
  return factors;
}

// What distinguishes the dense architectures built on Llama's block.
struct DenseOptions {
  bool qk_norm = false;   // qwen3: RMS norm of each head's q and k (attn_q_norm, attn_k_norm)
  bool qkv_bias = false;  // qwen2: biases on q, k and v
  float rope_freqs_base = 0.0f;  // llama: > 0 adds rope_freqs.weight computed with this base
};

// Sorts as llama_model_loader's weight_name_comparer: by block (-1 outside), then by name.
void sort_like_llama_cpp(std::vector<TensorSpec>& tensors) {
  std::stable_sort(tensors.begin(), tensors.end(), [](const TensorSpec& a, const TensorSpec& b) {
    if (a.layer != b.layer) return a.layer < b.layer;
    return a.name < b.name;
  });
}

std::vector<TensorSpec> dense_tensors(const Shape& s, const DenseOptions& opt) {
  const uint64_t n_q = uint64_t{s.n_head} * s.head_dim;
  const uint64_t n_kv = uint64_t{s.n_head_kv} * s.head_dim;
  std::vector<TensorSpec> t;
  t.push_back({"token_embd.weight",
               {s.n_embd, s.n_vocab},
               TensorRole::kTokenEmbd,
               -1,
               embedding(s.n_embd)});
  t.push_back({"output_norm.weight", {s.n_embd}, TensorRole::kOutputNorm, -1, norm_weight()});
  if (!s.tied) {
    t.push_back({"output.weight",
                 {s.n_embd, s.n_vocab},
                 TensorRole::kOutput,
                 -1,
                 output_projection(s.n_embd)});
  }
  if (opt.rope_freqs_base > 0.0f) {
    t.push_back({"rope_freqs.weight",
                 {s.head_dim / 2},
                 TensorRole::kRopeFreqs,
                 -1,
                 TensorInit::fixed(llama3_rope_factors(s, opt.rope_freqs_base))});
  }
  for (int il = 0; il < static_cast<int>(s.n_layer); ++il) {
    const auto add = [&](const char* name, std::vector<uint64_t> ne, TensorRole role,
                         TensorInit init) {
      t.push_back({block_name(il, name), std::move(ne), role, il, std::move(init)});
    };
    add("attn_norm.weight", {s.n_embd}, TensorRole::kAttnNorm, norm_weight());
    add("attn_q.weight", {s.n_embd, n_q}, TensorRole::kAttnQ, projection(s.n_embd));
    add("attn_k.weight", {s.n_embd, n_kv}, TensorRole::kAttnK, projection(s.n_embd));
    add("attn_v.weight", {s.n_embd, n_kv}, TensorRole::kAttnV, projection(s.n_embd));
    if (opt.qkv_bias) {
      add("attn_q.bias", {n_q}, TensorRole::kAttnBias, TensorInit::normal(0.0f, kBiasStddev));
      add("attn_k.bias", {n_kv}, TensorRole::kAttnBias, TensorInit::normal(0.0f, kBiasStddev));
      add("attn_v.bias", {n_kv}, TensorRole::kAttnBias, TensorInit::normal(0.0f, kBiasStddev));
    }
    if (opt.qk_norm) {
      add("attn_q_norm.weight", {s.head_dim}, TensorRole::kAttnQNorm, norm_weight());
      add("attn_k_norm.weight", {s.head_dim}, TensorRole::kAttnKNorm, norm_weight());
    }
    add("attn_output.weight", {n_q, s.n_embd}, TensorRole::kAttnOutput,
        residual_projection(n_q, s.n_layer));
    add("ffn_norm.weight", {s.n_embd}, TensorRole::kFfnNorm, norm_weight());
    add("ffn_gate.weight", {s.n_embd, s.n_ff}, TensorRole::kFfnGate, projection(s.n_embd));
    add("ffn_up.weight", {s.n_embd, s.n_ff}, TensorRole::kFfnUp, projection(s.n_embd));
    add("ffn_down.weight", {s.n_ff, s.n_embd}, TensorRole::kFfnDown,
        residual_projection(s.n_ff, s.n_layer));
  }
  sort_like_llama_cpp(t);
  return t;
}

// TextModel.set_gguf_parameters of convert_hf_to_gguf.py, for a config.json with these fields.
// key_length / value_length are written only when config.json has head_dim (Qwen3 and Llama 3.2
// have it, Qwen2.5 does not); a head_dim other than n_embd / n_head needs them.
void dense_hparams(engine::GgufWriter& w, std::string_view arch, const Shape& s,
                   uint32_t default_n_ctx, float rope_freq_base, float rms_eps,
                   bool config_has_head_dim, uint32_t file_type) {
  const std::string a(arch);
  w.set_u32(a + ".block_count", s.n_layer);
  w.set_u32(a + ".context_length", s.n_ctx != 0 ? s.n_ctx : default_n_ctx);
  w.set_u32(a + ".embedding_length", s.n_embd);
  w.set_u32(a + ".feed_forward_length", s.n_ff);
  w.set_u32(a + ".attention.head_count", s.n_head);
  w.set_u32(a + ".attention.head_count_kv", s.n_head_kv);
  w.set_f32(a + ".rope.freq_base", rope_freq_base);
  w.set_f32(a + ".attention.layer_norm_rms_epsilon", rms_eps);
  if (config_has_head_dim || s.head_dim * s.n_head != s.n_embd) {
    w.set_u32(a + ".attention.key_length", s.head_dim);
    w.set_u32(a + ".attention.value_length", s.head_dim);
  }
  w.set_u32("general.file_type", file_type);
}

// Qwen3 (Qwen3ForCausalLM): rope_theta 1e6, rms_norm_eps 1e-6, head_dim in config.json.
constexpr uint32_t kQwen3Ctx = 40960;
constexpr float kQwenRopeBase = 1000000.0f;
constexpr float kQwenRmsEps = 1e-6f;

std::vector<TensorSpec> qwen3_tensors(const Shape& s) {
  return dense_tensors(s, {.qk_norm = true});
}
void qwen3_hparams(const Shape& s, uint32_t file_type, engine::GgufWriter& w) {
  dense_hparams(w, "qwen3", s, kQwen3Ctx, kQwenRopeBase, kQwenRmsEps, true, file_type);
}

// Qwen2 / Qwen2.5 (Qwen2ForCausalLM): biases on q, k, v; no head_dim in config.json.
constexpr uint32_t kQwen2Ctx = 32768;

std::vector<TensorSpec> qwen2_tensors(const Shape& s) {
  return dense_tensors(s, {.qkv_bias = true});
}
void qwen2_hparams(const Shape& s, uint32_t file_type, engine::GgufWriter& w) {
  dense_hparams(w, "qwen2", s, kQwen2Ctx, kQwenRopeBase, kQwenRmsEps, false, file_type);
}

// Llama 3 (LlamaForCausalLM): rope_theta 500000, rms_norm_eps 1e-5, llama3 rope scaling stored
// as rope_freqs.weight; LlamaModel adds vocab_size and rope.dimension_count after the base keys.
constexpr uint32_t kLlama3Ctx = 131072;
constexpr float kLlama3RopeBase = 500000.0f;
constexpr float kLlama3RmsEps = 1e-5f;

std::vector<TensorSpec> llama_tensors(const Shape& s) {
  return dense_tensors(s, {.rope_freqs_base = kLlama3RopeBase});
}
void llama_hparams(const Shape& s, uint32_t file_type, engine::GgufWriter& w) {
  dense_hparams(w, "llama", s, kLlama3Ctx, kLlama3RopeBase, kLlama3RmsEps, true, file_type);
  w.set_u32("llama.vocab_size", s.n_vocab);
  w.set_u32("llama.rope.dimension_count", s.head_dim);
}

const std::array kArchs = {
    ArchSpec{"qwen3", kQwen3Ctx, qwen3_tensors, qwen3_hparams, false},
    ArchSpec{"qwen2", kQwen2Ctx, qwen2_tensors, qwen2_hparams, false},
    ArchSpec{"llama", kLlama3Ctx, llama_tensors, llama_hparams, true},
};

}  // namespace

std::string arch_names() {
  std::string names;
  for (const ArchSpec& a : kArchs) names += (names.empty() ? "" : ", ") + std::string(a.name);
  return names;
}

const ArchSpec& find_arch(std::string_view name) {
  for (const ArchSpec& a : kArchs) {
    if (a.name == name) return a;
  }
  throw std::invalid_argument("unknown architecture '" + std::string(name) + "'; supported are " +
                              arch_names());
}

}  // namespace make_test_model
