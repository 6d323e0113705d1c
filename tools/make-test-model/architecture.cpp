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

// Qwen3-MoE (Qwen3MoeForCausalLM, Qwen3-Coder-30B-A3B): qwen3's attention, and in every block a
// router (ffn_gate_inp) over n_expert SwiGLU experts stored as 3-D tensors [n_in, n_out,
// n_expert]. The converter adds expert_count, expert_used_count and expert_feed_forward_length.
constexpr uint32_t kQwen3MoeCtx = 262144;
constexpr float kQwen3CoderRopeBase = 10000000.0f;

// The router's logits are drawn wider than a projection's (N(0, 16) for a unit-RMS input) so
// that the experts a token picks are not decided by rounding: a trained router is as decisive.
constexpr float kRouterGain = 4.0f;

TensorInit router(uint32_t n_embd) {
  return TensorInit::normal(0.0f, kRouterGain / std::sqrt(static_cast<float>(n_embd)));
}

void add_block(std::vector<TensorSpec>& t, int il, const char* name, std::vector<uint64_t> ne,
               TensorRole role, TensorInit init) {
  t.push_back({block_name(il, name), std::move(ne), role, il, std::move(init)});
}

// The routed experts (and qwen35moe's shared one) of block il.
void add_experts(std::vector<TensorSpec>& t, const Shape& s, int il, bool shared) {
  const uint64_t E = s.n_embd, F = s.n_ff_exp, X = s.n_expert;
  add_block(t, il, "ffn_gate_inp.weight", {E, X}, TensorRole::kFfnGateInp, router(s.n_embd));
  add_block(t, il, "ffn_gate_exps.weight", {E, F, X}, TensorRole::kFfnGateExps, projection(E));
  add_block(t, il, "ffn_up_exps.weight", {E, F, X}, TensorRole::kFfnUpExps, projection(E));
  add_block(t, il, "ffn_down_exps.weight", {F, E, X}, TensorRole::kFfnDownExps,
            residual_projection(F, s.n_layer));
  if (!shared) return;
  const uint64_t S = s.n_ff_shexp;
  add_block(t, il, "ffn_gate_inp_shexp.weight", {E}, TensorRole::kFfnGateInpShexp, projection(E));
  add_block(t, il, "ffn_gate_shexp.weight", {E, S}, TensorRole::kFfnGateShexp, projection(E));
  add_block(t, il, "ffn_up_shexp.weight", {E, S}, TensorRole::kFfnUpShexp, projection(E));
  add_block(t, il, "ffn_down_shexp.weight", {S, E}, TensorRole::kFfnDownShexp,
            residual_projection(S, s.n_layer));
}

void require_experts(const Shape& s, std::string_view arch) {
  if (s.n_expert == 0 || s.n_expert_used == 0 || s.n_ff_exp == 0 || s.n_expert_used > s.n_expert) {
    throw std::invalid_argument(std::string(arch) +
                                " needs a shape with experts (e.g. tiny-moe), "
                                "not '" +
                                s.name + "'");
  }
}

std::vector<TensorSpec> qwen3moe_tensors(const Shape& s) {
  require_experts(s, "qwen3moe");
  std::vector<TensorSpec> t;
  for (TensorSpec& spec : dense_tensors(s, {.qk_norm = true})) {
    const bool dense_ffn = spec.role == TensorRole::kFfnGate || spec.role == TensorRole::kFfnUp ||
                           spec.role == TensorRole::kFfnDown;
    if (!dense_ffn) t.push_back(std::move(spec));
  }
  for (int il = 0; il < static_cast<int>(s.n_layer); ++il) add_experts(t, s, il, false);
  sort_like_llama_cpp(t);
  return t;
}
void qwen3moe_hparams(const Shape& s, uint32_t file_type, engine::GgufWriter& w) {
  dense_hparams(w, "qwen3moe", s, kQwen3MoeCtx, kQwen3CoderRopeBase, kQwenRmsEps, true, file_type);
  w.set_u32("qwen3moe.expert_used_count", s.n_expert_used);
  w.set_u32("qwen3moe.expert_count", s.n_expert);
  w.set_u32("qwen3moe.expert_feed_forward_length", s.n_ff_exp);
}

// Qwen3.5 / Qwen3.6 (Qwen3_5ForConditionalGeneration's text model; qwen35moe for the MoE ones):
// blocks of Gated DeltaNet linear attention with every full_attention_interval-th block a gated
// full-attention one (attn_q yields a query and a sigmoid gate per head), a post-attention norm
// before the feed-forward, partial interleaved M-RoPE. Tensors and keys as convert_hf_to_gguf.py's
// Qwen3NextModel / Qwen3_5 writes them: the converter already stores ssm_a as -exp(A_log).
constexpr uint32_t kQwen35Ctx = 262144;

bool is_recurrent_layer(const Shape& s, int il) {
  return (il + 1) % static_cast<int>(s.full_attention_interval) != 0;
}

std::vector<TensorSpec> qwen35_tensors_impl(const Shape& s, bool moe) {
  if (s.ssm_n_v_heads == 0 || s.ssm_n_k_heads == 0 || s.ssm_d_state == 0 ||
      s.ssm_n_v_heads % s.ssm_n_k_heads != 0 || s.full_attention_interval == 0) {
    throw std::invalid_argument(std::string(moe ? "qwen35moe" : "qwen35") +
                                " needs a shape with Gated DeltaNet heads (e.g. tiny-hybrid), "
                                "not '" +
                                s.name + "'");
  }
  if (moe) require_experts(s, "qwen35moe");
  const uint64_t E = s.n_embd, D = s.head_dim;
  const uint64_t key_dim = uint64_t{s.ssm_d_state} * s.ssm_n_k_heads;
  const uint64_t value_dim = uint64_t{s.ssm_d_state} * s.ssm_n_v_heads;
  const uint64_t conv_dim = 2 * key_dim + value_dim;
  std::vector<TensorSpec> t;
  t.push_back(
      {"token_embd.weight", {E, s.n_vocab}, TensorRole::kTokenEmbd, -1, embedding(s.n_embd)});
  t.push_back({"output_norm.weight", {E}, TensorRole::kOutputNorm, -1, norm_weight()});
  if (!s.tied) {
    t.push_back(
        {"output.weight", {E, s.n_vocab}, TensorRole::kOutput, -1, output_projection(s.n_embd)});
  }
  // -exp(A_log) per value head: decays between exp(-0.5 softplus) and exp(-2 softplus) per token.
  std::vector<float> ssm_a;
  for (uint32_t h = 0; h < s.ssm_n_v_heads; ++h) {
    ssm_a.push_back(-0.5f - 1.5f * static_cast<float>(h) / static_cast<float>(s.ssm_n_v_heads));
  }
  for (int il = 0; il < static_cast<int>(s.n_layer); ++il) {
    const auto add = [&](const char* name, std::vector<uint64_t> ne, TensorRole role,
                         TensorInit init) { add_block(t, il, name, std::move(ne), role, init); };
    add("attn_norm.weight", {E}, TensorRole::kAttnNorm, norm_weight());
    add("post_attention_norm.weight", {E}, TensorRole::kAttnPostNorm, norm_weight());
    if (is_recurrent_layer(s, il)) {
      add("attn_qkv.weight", {E, conv_dim}, TensorRole::kSsmQkv, projection(E));
      add("attn_gate.weight", {E, value_dim}, TensorRole::kSsmGate, projection(E));
      add("ssm_conv1d.weight", {s.ssm_d_conv, conv_dim}, TensorRole::kSsmConv1d,
          projection(s.ssm_d_conv));
      add("ssm_dt.bias", {s.ssm_n_v_heads}, TensorRole::kSsmDt, TensorInit::normal(0.0f, 0.5f));
      add("ssm_a", {s.ssm_n_v_heads}, TensorRole::kSsmA, TensorInit::fixed(ssm_a));
      add("ssm_alpha.weight", {E, s.ssm_n_v_heads}, TensorRole::kSsmAlpha, projection(E));
      add("ssm_beta.weight", {E, s.ssm_n_v_heads}, TensorRole::kSsmBeta, projection(E));
      add("ssm_norm.weight", {s.ssm_d_state}, TensorRole::kSsmNorm, norm_weight());
      add("ssm_out.weight", {value_dim, E}, TensorRole::kSsmOut,
          residual_projection(value_dim, s.n_layer));
    } else {
      const uint64_t n_q = uint64_t{s.n_head} * D, n_kv = uint64_t{s.n_head_kv} * D;
      add("attn_q.weight", {E, 2 * n_q}, TensorRole::kAttnQ, projection(E));
      add("attn_k.weight", {E, n_kv}, TensorRole::kAttnK, projection(E));
      add("attn_v.weight", {E, n_kv}, TensorRole::kAttnV, projection(E));
      add("attn_q_norm.weight", {D}, TensorRole::kAttnQNorm, norm_weight());
      add("attn_k_norm.weight", {D}, TensorRole::kAttnKNorm, norm_weight());
      add("attn_output.weight", {n_q, E}, TensorRole::kAttnOutput,
          residual_projection(n_q, s.n_layer));
    }
    if (moe) {
      add_experts(t, s, il, true);
    } else {
      add("ffn_gate.weight", {E, s.n_ff}, TensorRole::kFfnGate, projection(E));
      add("ffn_up.weight", {E, s.n_ff}, TensorRole::kFfnUp, projection(E));
      add("ffn_down.weight", {s.n_ff, E}, TensorRole::kFfnDown,
          residual_projection(s.n_ff, s.n_layer));
    }
  }
  sort_like_llama_cpp(t);
  return t;
}

void qwen35_hparams_impl(const Shape& s, uint32_t file_type, engine::GgufWriter& w,
                         std::string_view arch) {
  const std::string a(arch);
  dense_hparams(w, arch, s, kQwen35Ctx, kQwen3CoderRopeBase, kQwenRmsEps, true, file_type);
  if (s.n_expert > 0) {
    w.set_u32(a + ".expert_count", s.n_expert);
    w.set_u32(a + ".expert_used_count", s.n_expert_used);
    w.set_u32(a + ".expert_feed_forward_length", s.n_ff_exp);
    w.set_u32(a + ".expert_shared_feed_forward_length", s.n_ff_shexp);
  }
  w.set_u32(a + ".ssm.conv_kernel", s.ssm_d_conv);
  w.set_u32(a + ".ssm.state_size", s.ssm_d_state);
  w.set_u32(a + ".ssm.group_count", s.ssm_n_k_heads);
  w.set_u32(a + ".ssm.time_step_rank", s.ssm_n_v_heads);
  w.set_u32(a + ".ssm.inner_size", s.ssm_d_state * s.ssm_n_v_heads);
  w.set_u32(a + ".full_attention_interval", s.full_attention_interval);
  const uint32_t n_rot = s.n_rot != 0 ? s.n_rot : s.head_dim;
  w.set_u32(a + ".rope.dimension_count", n_rot);
  // Interleaved M-RoPE sections: pair p of the rotated dims takes section p % 3 (time, height,
  // width), which for text all hold the token's position. Section k gets ceil((pairs - k) / 3)
  // pairs, so that every pair is in one of the three: Qwen's [11, 11, 10] for 32 pairs.
  const auto pairs = static_cast<int32_t>(n_rot / 2);
  std::vector<int32_t> sections;
  for (int32_t k = 0; k < 3; ++k) sections.push_back(std::max(0, (pairs - k + 2) / 3));
  sections.push_back(0);
  w.set_array(a + ".rope.dimension_sections", sections);
}

std::vector<TensorSpec> qwen35_tensors(const Shape& s) {
  return qwen35_tensors_impl(s, false);
}
void qwen35_hparams(const Shape& s, uint32_t file_type, engine::GgufWriter& w) {
  qwen35_hparams_impl(s, file_type, w, "qwen35");
}
std::vector<TensorSpec> qwen35moe_tensors(const Shape& s) {
  return qwen35_tensors_impl(s, true);
}
void qwen35moe_hparams(const Shape& s, uint32_t file_type, engine::GgufWriter& w) {
  qwen35_hparams_impl(s, file_type, w, "qwen35moe");
}

const std::array kArchs = {
    ArchSpec{"qwen3", kQwen3Ctx, qwen3_tensors, qwen3_hparams, false},
    ArchSpec{"qwen2", kQwen2Ctx, qwen2_tensors, qwen2_hparams, false},
    ArchSpec{"llama", kLlama3Ctx, llama_tensors, llama_hparams, true},
    ArchSpec{"qwen3moe", kQwen3MoeCtx, qwen3moe_tensors, qwen3moe_hparams, false},
    ArchSpec{"qwen35", kQwen35Ctx, qwen35_tensors, qwen35_hparams, false},
    ArchSpec{"qwen35moe", kQwen35Ctx, qwen35moe_tensors, qwen35moe_hparams, false},
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
