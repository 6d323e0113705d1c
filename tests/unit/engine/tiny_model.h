// A tiny dense model written with GgufWriter, and a plain double-precision forward pass of it
// written from the architecture's definition: the reference the engine's forward is tested
// against. Weights are random floats; the file holds them as F32, F16 or Q8_0.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "engine/gguf/gguf_writer.h"
#include "engine/kernels/fp16.h"
#include "engine/kernels/weight_type.h"
#include "engine/kv/kv_type.h"

namespace engine::testing {

struct TinyShape {
  std::string arch = "qwen3";  // qwen3, qwen2, llama, qwen3moe, qwen35 or qwen35moe
  uint32_t n_vocab = 40, n_embd = 32, n_layer = 2, n_head = 4, n_head_kv = 2, head_dim = 8,
           n_ff = 48;
  uint32_t n_expert = 6, n_expert_used = 2, n_ff_exp = 16;  // qwen3moe, qwen35moe
  uint32_t n_ff_shexp = 24;                                 // qwen35moe
  bool fused_gate_up = false;  // experts' gate and up in one ffn_gate_up_exps tensor
  // qwen35, qwen35moe: Gated DeltaNet heads, and every `interval`-th layer full attention with
  // n_rot of head_dim rotated.
  uint32_t ssm_d_state = 8, ssm_n_k_heads = 2, ssm_n_v_heads = 4, ssm_d_conv = 4, interval = 4,
           n_rot = 4;
  float rope_base = 10000.0f, eps = 1e-6f;
  bool tied = false;
  bool rope_freqs = false;  // llama 3's frequency factors
  GgmlType type = GgmlType::F32;
};

class TinyModel {
 public:
  TinyModel(const TinyShape& s, const std::filesystem::path& path, uint32_t seed = 1)
      : s_(s), rng_(seed) {
    GgufWriter w;
    w.set_string("general.architecture", s.arch);
    const std::string a = s.arch + ".";
    w.set_u32(a + "context_length", 4096);
    w.set_u32(a + "embedding_length", s.n_embd);
    w.set_u32(a + "block_count", s.n_layer);
    w.set_u32(a + "feed_forward_length", s.n_ff);
    if (moe()) {
      w.set_u32(a + "expert_count", s.n_expert);
      w.set_u32(a + "expert_used_count", s.n_expert_used);
      w.set_u32(a + "expert_feed_forward_length", s.n_ff_exp);
    }
    if (shared_expert()) w.set_u32(a + "expert_shared_feed_forward_length", s.n_ff_shexp);
    if (hybrid()) {
      w.set_u32(a + "ssm.conv_kernel", s.ssm_d_conv);
      w.set_u32(a + "ssm.state_size", s.ssm_d_state);
      w.set_u32(a + "ssm.group_count", s.ssm_n_k_heads);
      w.set_u32(a + "ssm.time_step_rank", s.ssm_n_v_heads);
      w.set_u32(a + "ssm.inner_size", s.ssm_d_state * s.ssm_n_v_heads);
      w.set_u32(a + "full_attention_interval", s.interval);
      w.set_u32(a + "rope.dimension_count", s.n_rot);
      const int32_t pairs = static_cast<int32_t>(s.n_rot / 2);
      w.set_array(a + "rope.dimension_sections",
                  std::vector<int32_t>{(pairs + 2) / 3, (pairs + 1) / 3, pairs / 3, 0});
    }
    w.set_u32(a + "attention.head_count", s.n_head);
    w.set_u32(a + "attention.head_count_kv", s.n_head_kv);
    w.set_u32(a + "attention.key_length", s.head_dim);
    w.set_u32(a + "attention.value_length", s.head_dim);
    w.set_f32(a + "attention.layer_norm_rms_epsilon", s.eps);
    w.set_f32(a + "rope.freq_base", s.rope_base);
    std::vector<std::string> tokens;
    for (uint32_t i = 0; i < s.n_vocab; ++i) tokens.push_back("t" + std::to_string(i));
    w.set_array("tokenizer.ggml.tokens", tokens);

    const size_t qd = s.n_head * s.head_dim, kd = s.n_head_kv * s.head_dim;
    matrix(w, "token_embd.weight", s.n_embd, s.n_vocab, 0.5f);
    for (uint32_t il = 0; il < s.n_layer; ++il) {
      const std::string p = "blk." + std::to_string(il) + ".";
      vec(w, p + "attn_norm.weight", s.n_embd);
      if (hybrid()) {
        write_hybrid_layer(w, p, il);
        continue;
      }
      matrix(w, p + "attn_q.weight", s.n_embd, qd);
      matrix(w, p + "attn_k.weight", s.n_embd, kd);
      matrix(w, p + "attn_v.weight", s.n_embd, kd);
      matrix(w, p + "attn_output.weight", qd, s.n_embd);
      if (s.arch == "qwen2") {
        vec(w, p + "attn_q.bias", qd, 0.0f, 0.3f);
        vec(w, p + "attn_k.bias", kd, 0.0f, 0.3f);
        vec(w, p + "attn_v.bias", kd, 0.0f, 0.3f);
      }
      if (qk_norm()) {
        vec(w, p + "attn_q_norm.weight", s.head_dim);
        vec(w, p + "attn_k_norm.weight", s.head_dim);
      }
      vec(w, p + "ffn_norm.weight", s.n_embd);
      if (moe()) {
        write_experts(w, p);
      } else {
        matrix(w, p + "ffn_gate.weight", s.n_embd, s.n_ff);
        matrix(w, p + "ffn_up.weight", s.n_embd, s.n_ff);
        matrix(w, p + "ffn_down.weight", s.n_ff, s.n_embd);
      }
    }
    vec(w, "output_norm.weight", s.n_embd);
    if (!s.tied) matrix(w, "output.weight", s.n_embd, s.n_vocab);
    if (s.rope_freqs) vec(w, "rope_freqs.weight", s.head_dim / 2, 2.0f, 1.0f);
    w.write(path);
  }

  // Logits of every position for `tokens`, by the book, in double; K and V rounded as a cache of
  // `kv` stores them and q as attention rounds it for that cache (the engine's defined precision).
  std::vector<double> forward(const std::vector<int32_t>& tokens, KvType kv = KvType::kF16) const {
    if (hybrid()) return forward_hybrid(tokens, kv);
    const size_t n = tokens.size(), E = s_.n_embd, D = s_.head_dim, H = s_.n_head,
                 G = s_.n_head / s_.n_head_kv;
    std::vector<std::vector<double>> x(n);
    for (size_t i = 0; i < n; ++i) x[i] = row(at("token_embd.weight"), tokens[i], E);
    std::vector<std::vector<std::vector<double>>> keys(n), values(n);  // [pos][kv head][D]
    for (uint32_t il = 0; il < s_.n_layer; ++il) {
      const std::string p = "blk." + std::to_string(il) + ".";
      for (size_t i = 0; i < n; ++i) {
        auto h = norm(x[i], at(p + "attn_norm.weight"));
        auto q = matvec(p + "attn_q.weight", h), k = matvec(p + "attn_k.weight", h),
             v = matvec(p + "attn_v.weight", h);
        if (s_.arch == "qwen2") {
          add(q, at(p + "attn_q.bias"));
          add(k, at(p + "attn_k.bias"));
          add(v, at(p + "attn_v.bias"));
        }
        keys[i].assign(s_.n_head_kv, {});
        values[i].assign(s_.n_head_kv, {});
        for (size_t hd = 0; hd < H; ++hd) {
          std::vector<double> qh(q.begin() + hd * D, q.begin() + (hd + 1) * D);
          if (qk_norm()) qh = norm(qh, at(p + "attn_q_norm.weight"));
          rope(qh, i);
          std::copy(qh.begin(), qh.end(), q.begin() + hd * D);
        }
        for (size_t hd = 0; hd < s_.n_head_kv; ++hd) {
          std::vector<double> kh(k.begin() + hd * D, k.begin() + (hd + 1) * D);
          if (qk_norm()) kh = norm(kh, at(p + "attn_k_norm.weight"));
          rope(kh, i);
          keys[i][hd] = stored(kv, rotate(kh, kv_key_rotation(kv, D)));
          values[i][hd] =
              stored(kv, rotate(std::vector<double>(v.begin() + hd * D, v.begin() + (hd + 1) * D),
                                kv_value_rotation(kv, D)));
        }
        std::vector<double> attn(H * D, 0.0);
        for (size_t hd = 0; hd < H; ++hd) {
          auto qh = query(kv, std::vector<double>(q.begin() + hd * D, q.begin() + (hd + 1) * D));
          std::vector<double> w(i + 1);
          double mx = -INFINITY, sum = 0.0;
          for (size_t t = 0; t <= i; ++t) {
            w[t] = dot(qh, keys[t][hd / G]) / std::sqrt(double(D));
            mx = std::max(mx, w[t]);
          }
          for (auto& e : w) sum += (e = std::exp(e - mx));
          for (size_t t = 0; t <= i; ++t) {
            for (size_t d = 0; d < D; ++d) attn[hd * D + d] += w[t] / sum * values[t][hd / G][d];
          }
          rotate_back(kv, attn, hd * D, D);
        }
        add(x[i], matvec(p + "attn_output.weight", attn));
        h = norm(x[i], at(p + "ffn_norm.weight"));
        add(x[i], moe() ? experts(p, h) : swiglu_ffn(p + "ffn_", "", h));
      }
    }
    std::vector<double> logits;
    const std::string out = s_.tied ? "token_embd.weight" : "output.weight";
    for (size_t i = 0; i < n; ++i) {
      auto y = matvec(out, norm(x[i], at("output_norm.weight")));
      logits.insert(logits.end(), y.begin(), y.end());
    }
    return logits;
  }

 private:
  bool moe() const { return s_.arch == "qwen3moe" || s_.arch == "qwen35moe"; }
  bool shared_expert() const { return s_.arch == "qwen35moe"; }
  bool hybrid() const { return s_.arch == "qwen35" || s_.arch == "qwen35moe"; }
  bool recurrent(uint32_t il) const { return (il + 1) % s_.interval != 0; }
  size_t key_dim() const { return size_t{s_.ssm_d_state} * s_.ssm_n_k_heads; }
  size_t value_dim() const { return size_t{s_.ssm_d_state} * s_.ssm_n_v_heads; }

  // The tensors of one qwen35 / qwen35moe block after attn_norm, named as llama.cpp's.
  void write_hybrid_layer(GgufWriter& w, const std::string& p, uint32_t il) {
    const auto& s = s_;
    const size_t E = s.n_embd, D = s.head_dim, conv_dim = 2 * key_dim() + value_dim();
    vec(w, p + "post_attention_norm.weight", E);
    if (recurrent(il)) {
      matrix(w, p + "attn_qkv.weight", E, conv_dim);
      matrix(w, p + "attn_gate.weight", E, value_dim());
      matrix(w, p + "ssm_conv1d.weight", s.ssm_d_conv, conv_dim, 1.0f, GgmlType::F32);
      vec(w, p + "ssm_dt.bias", s.ssm_n_v_heads, 0.0f, 0.5f);
      vec(w, p + "ssm_a", s.ssm_n_v_heads, -1.0f, 0.3f);
      matrix(w, p + "ssm_alpha.weight", E, s.ssm_n_v_heads);
      matrix(w, p + "ssm_beta.weight", E, s.ssm_n_v_heads);
      vec(w, p + "ssm_norm.weight", s.ssm_d_state);
      matrix(w, p + "ssm_out.weight", value_dim(), E);
    } else {
      matrix(w, p + "attn_q.weight", E, 2 * s.n_head * D);
      matrix(w, p + "attn_k.weight", E, s.n_head_kv * D);
      matrix(w, p + "attn_v.weight", E, s.n_head_kv * D);
      matrix(w, p + "attn_output.weight", s.n_head * D, E);
      vec(w, p + "attn_q_norm.weight", D);
      vec(w, p + "attn_k_norm.weight", D);
    }
    if (moe()) {
      write_experts(w, p);
      vec(w, p + "ffn_gate_inp_shexp.weight", E, 0.0f, 1.0f / std::sqrt(float(E)));
      matrix(w, p + "ffn_gate_shexp.weight", E, s.n_ff_shexp);
      matrix(w, p + "ffn_up_shexp.weight", E, s.n_ff_shexp);
      matrix(w, p + "ffn_down_shexp.weight", s.n_ff_shexp, E);
    } else {
      matrix(w, p + "ffn_gate.weight", E, s.n_ff);
      matrix(w, p + "ffn_up.weight", E, s.n_ff);
      matrix(w, p + "ffn_down.weight", s.n_ff, E);
    }
  }

  void write_experts(GgufWriter& w, const std::string& p) {
    const auto& s = s_;
    // The router stays f32 in every llama.cpp file (the quantizer skips it).
    matrix(w, p + "ffn_gate_inp.weight", s.n_embd, s.n_expert, 3.0f, GgmlType::F32);
    if (s.fused_gate_up) {
      write_fused_gate_up(w, p);
    } else {
      matrix(w, p + "ffn_gate_exps.weight", s.n_embd, s.n_ff_exp * s.n_expert, 1.0f, s.type,
             s.n_expert);
      matrix(w, p + "ffn_up_exps.weight", s.n_embd, s.n_ff_exp * s.n_expert, 1.0f, s.type,
             s.n_expert);
    }
    matrix(w, p + "ffn_down_exps.weight", s.n_ff_exp, s.n_embd * s.n_expert, 1.0f, s.type,
           s.n_expert);
  }

  // ffn_gate_up_exps [n_embd, 2 n_ff_exp, n_expert]: each expert's gate rows, then its up rows.
  // The reference keeps reading them as ffn_gate_exps / ffn_up_exps.
  void write_fused_gate_up(GgufWriter& w, const std::string& p) {
    const size_t E = s_.n_embd, F = s_.n_ff_exp, X = s_.n_expert;
    const auto& traits = kernels::weight_type(s_.type);
    const size_t rb = kernels::row_bytes(traits, E);
    std::normal_distribution<float> normal(0.0f, 1.0f / std::sqrt(float(E)));
    std::vector<std::byte> bytes(2 * F * X * rb);
    auto& gate = weights_[p + "ffn_gate_exps.weight"];
    auto& up = weights_[p + "ffn_up_exps.weight"];
    gate.resize(F * X * E);
    up.resize(F * X * E);
    types_[p + "ffn_gate_exps.weight"] = types_[p + "ffn_up_exps.weight"] = s_.type;
    std::vector<float> row(E);
    for (size_t x = 0; x < X; ++x) {
      for (size_t half = 0; half < 2; ++half) {
        for (size_t r = 0; r < F; ++r) {
          for (auto& v : row) v = normal(rng_);
          std::byte* dst = bytes.data() + ((x * 2 + half) * F + r) * rb;
          traits.quantize_row(row.data(), dst, E);
          traits.dequantize_row(dst, (half == 0 ? gate : up).data() + (x * F + r) * E, E);
        }
      }
    }
    w.add_tensor(p + "ffn_gate_up_exps.weight", s_.type, {E, 2 * F, X}, std::move(bytes));
  }

  static double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
  static double silu(double x) { return x * sigmoid(x); }
  static std::vector<double> l2norm(std::vector<double> x, double eps) {
    double ss = 0.0;
    for (double v : x) ss += v * v;
    for (auto& v : x) v /= std::max(std::sqrt(ss), eps);
    return x;
  }
  static std::vector<double> slice(const std::vector<double>& x, size_t at, size_t n) {
    return std::vector<double>(x.begin() + at, x.begin() + at + n);
  }

  // qwen35 / qwen35moe by the book: Gated DeltaNet layers run token by token from a zero state;
  // attention layers as in forward() with the sigmoid output gate and partial rope.
  std::vector<double> forward_hybrid(const std::vector<int32_t>& tokens, KvType kv) const {
    const size_t n = tokens.size(), E = s_.n_embd, D = s_.head_dim, H = s_.n_head,
                 G = s_.n_head / s_.n_head_kv, Dk = s_.ssm_d_state, Hv = s_.ssm_n_v_heads,
                 Hk = s_.ssm_n_k_heads, K = s_.ssm_d_conv, kd = key_dim();
    std::vector<std::vector<double>> x(n);
    for (size_t i = 0; i < n; ++i) x[i] = row(at("token_embd.weight"), tokens[i], E);
    for (uint32_t il = 0; il < s_.n_layer; ++il) {
      const std::string p = "blk." + std::to_string(il) + ".";
      std::vector<std::vector<double>> inputs;  // conv inputs so far
      std::vector<std::vector<double>> S(Hv, std::vector<double>(Dk * Dk, 0.0));  // [v][k]
      std::vector<std::vector<std::vector<double>>> keys(n), values(n);
      for (size_t i = 0; i < n; ++i) {
        auto h = norm(x[i], at(p + "attn_norm.weight"));
        std::vector<double> out;
        if (recurrent(il)) {
          inputs.push_back(matvec(p + "attn_qkv.weight", h));
          const auto z = matvec(p + "attn_gate.weight", h);
          const auto alpha = matvec(p + "ssm_alpha.weight", h);
          const auto beta = matvec(p + "ssm_beta.weight", h);
          const auto& w = at(p + "ssm_conv1d.weight");
          std::vector<double> conv(inputs.back().size(), 0.0);
          for (size_t c = 0; c < conv.size(); ++c) {
            for (size_t j = 0; j < K; ++j) {
              const long t = long(i) - long(K - 1) + long(j);  // zero before the first token
              if (t >= 0) conv[c] += w[c * K + j] * inputs[t][c];
            }
            conv[c] = silu(conv[c]);
          }
          std::vector<double> o(value_dim());
          for (size_t hv = 0; hv < Hv; ++hv) {
            const size_t hk = hv % Hk;
            const auto q = l2norm(slice(conv, hk * Dk, Dk), s_.eps);
            const auto k = l2norm(slice(conv, kd + hk * Dk, Dk), s_.eps);
            const auto v = slice(conv, 2 * kd + hv * Dk, Dk);
            const double a = alpha[hv] + at(p + "ssm_dt.bias")[hv];
            const double g = std::log1p(std::exp(a)) * at(p + "ssm_a")[hv];
            const double b = sigmoid(beta[hv]);
            auto& St = S[hv];
            for (auto& e : St) e *= std::exp(g);
            for (size_t j = 0; j < Dk; ++j) {
              double sk = 0.0;
              for (size_t c = 0; c < Dk; ++c) sk += St[j * Dk + c] * k[c];
              for (size_t c = 0; c < Dk; ++c) St[j * Dk + c] += k[c] * (v[j] - sk) * b;
            }
            std::vector<double> oh(Dk, 0.0);
            for (size_t j = 0; j < Dk; ++j) {
              for (size_t c = 0; c < Dk; ++c)
                oh[j] += St[j * Dk + c] * q[c] / std::sqrt(double(Dk));
            }
            oh = norm(oh, at(p + "ssm_norm.weight"));
            for (size_t j = 0; j < Dk; ++j) o[hv * Dk + j] = oh[j] * silu(z[hv * Dk + j]);
          }
          out = matvec(p + "ssm_out.weight", o);
        } else {
          const auto qg = matvec(p + "attn_q.weight", h);
          const auto k = matvec(p + "attn_k.weight", h), v = matvec(p + "attn_v.weight", h);
          keys[i].assign(s_.n_head_kv, {});
          values[i].assign(s_.n_head_kv, {});
          for (size_t hd = 0; hd < s_.n_head_kv; ++hd) {
            auto kh = norm(slice(k, hd * D, D), at(p + "attn_k_norm.weight"));
            rope(kh, i);
            keys[i][hd] = stored(kv, rotate(kh, kv_key_rotation(kv, D)));
            values[i][hd] = stored(kv, rotate(slice(v, hd * D, D), kv_value_rotation(kv, D)));
          }
          std::vector<double> attn(H * D, 0.0);
          for (size_t hd = 0; hd < H; ++hd) {
            auto qh = norm(slice(qg, hd * 2 * D, D), at(p + "attn_q_norm.weight"));
            rope(qh, i);
            qh = query(kv, qh);
            std::vector<double> w(i + 1);
            double mx = -INFINITY, sum = 0.0;
            for (size_t t = 0; t <= i; ++t) {
              w[t] = dot(qh, keys[t][hd / G]) / std::sqrt(double(D));
              mx = std::max(mx, w[t]);
            }
            for (auto& e : w) sum += (e = std::exp(e - mx));
            for (size_t t = 0; t <= i; ++t) {
              for (size_t d = 0; d < D; ++d) attn[hd * D + d] += w[t] / sum * values[t][hd / G][d];
            }
            rotate_back(kv, attn, hd * D, D);
            for (size_t d = 0; d < D; ++d) attn[hd * D + d] *= sigmoid(qg[hd * 2 * D + D + d]);
          }
          out = matvec(p + "attn_output.weight", attn);
        }
        add(x[i], out);
      }
      for (size_t i = 0; i < n; ++i) {
        const auto h = norm(x[i], at(p + "post_attention_norm.weight"));
        if (!moe()) {
          add(x[i], swiglu_ffn(p + "ffn_", "", h));
          continue;
        }
        add(x[i], experts(p, h));
        const auto y = swiglu_ffn(p + "ffn_", "_shexp", h);
        std::vector<double> gw(at(p + "ffn_gate_inp_shexp.weight").begin(),
                               at(p + "ffn_gate_inp_shexp.weight").end());
        const double gate = sigmoid(dot(gw, h));
        for (size_t d = 0; d < E; ++d) x[i][d] += gate * y[d];
      }
    }
    std::vector<double> logits;
    const std::string out = s_.tied ? "token_embd.weight" : "output.weight";
    for (size_t i = 0; i < n; ++i) {
      auto y = matvec(out, norm(x[i], at("output_norm.weight")));
      logits.insert(logits.end(), y.begin(), y.end());
    }
    return logits;
  }
  bool qk_norm() const { return s_.arch == "qwen3" || s_.arch == "qwen3moe"; }

  // W_down . (silu(W_gate h) * W_up h) with the tensors <prefix>{gate,up,down}<suffix>.weight.
  std::vector<double> swiglu_ffn(const std::string& prefix, const std::string& suffix,
                                 const std::vector<double>& h, size_t expert = 0) const {
    auto g = matvec(prefix + "gate" + suffix + ".weight", h, expert),
         u = matvec(prefix + "up" + suffix + ".weight", h, expert);
    for (size_t j = 0; j < g.size(); ++j) g[j] = g[j] / (1.0 + std::exp(-g[j])) * u[j];
    return matvec(prefix + "down" + suffix + ".weight", g, expert);
  }

  // Mixture of experts, by its definition: softmax over the router's logits, the n_expert_used
  // most probable experts, their probabilities renormalised to sum to 1.
  std::vector<double> experts(const std::string& p, const std::vector<double>& h) const {
    auto logits = matvec(p + "ffn_gate_inp.weight", h);
    const double mx = *std::max_element(logits.begin(), logits.end());
    std::vector<double> probs;
    for (double l : logits) probs.push_back(std::exp(l - mx));
    std::vector<size_t> order(probs.size());
    for (size_t e = 0; e < order.size(); ++e) order[e] = e;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return probs[a] > probs[b]; });
    double chosen = 0.0;
    for (size_t j = 0; j < s_.n_expert_used; ++j) chosen += probs[order[j]];
    std::vector<double> out(h.size(), 0.0);
    for (size_t j = 0; j < s_.n_expert_used; ++j) {
      const auto y = swiglu_ffn(p + "ffn_", "_exps", h, order[j]);
      for (size_t d = 0; d < out.size(); ++d) out[d] += probs[order[j]] / chosen * y[d];
    }
    return out;
  }

  // The values the file holds, as the engine will read them back. n_out counts the rows of all
  // n_slice slices of a 3-D tensor ([n_in, n_out / n_slice, n_slice]).
  void matrix(GgufWriter& w, const std::string& name, size_t n_in, size_t n_out, float scale = 1.0f,
              std::optional<GgmlType> as = std::nullopt, size_t n_slice = 1) {
    const GgmlType type = as.value_or(s_.type);
    std::normal_distribution<float> normal(0.0f, scale / std::sqrt(float(n_in)));
    std::vector<float> values(n_in * n_out);
    for (auto& v : values) v = normal(rng_);
    const auto& traits = kernels::weight_type(type);
    const size_t rb = kernels::row_bytes(traits, n_in);
    std::vector<std::byte> bytes(n_out * rb);
    auto& stored = weights_[name];
    stored.resize(values.size());
    for (size_t r = 0; r < n_out; ++r) {
      traits.quantize_row(values.data() + r * n_in, bytes.data() + r * rb, n_in);
      traits.dequantize_row(bytes.data() + r * rb, stored.data() + r * n_in, n_in);
    }
    types_[name] = type;
    if (n_slice == 1) {
      w.add_tensor(name, type, {n_in, n_out}, std::move(bytes));
    } else {
      w.add_tensor(name, type, {n_in, n_out / n_slice, n_slice}, std::move(bytes));
    }
  }
  void vec(GgufWriter& w, const std::string& name, size_t n, float mean = 1.0f, float sd = 0.2f) {
    std::normal_distribution<float> normal(mean, sd);
    auto& stored = weights_[name];
    stored.resize(n);
    for (auto& v : stored) v = normal(rng_);
    std::vector<std::byte> bytes(n * 4);
    std::memcpy(bytes.data(), stored.data(), n * 4);
    w.add_tensor(name, GgmlType::F32, {n}, std::move(bytes));
  }
  const std::vector<float>& at(const std::string& name) const { return weights_.at(name); }
  static std::vector<double> row(const std::vector<float>& m, size_t r, size_t n) {
    return std::vector<double>(m.begin() + r * n, m.begin() + (r + 1) * n);
  }
  // W x for a 2-D tensor, or for slice `slice` of a 3-D one of n_slice slices.
  std::vector<double> matvec(const std::string& name, const std::vector<double>& x_in,
                             size_t slice = 0) const {
    const auto& m = at(name);
    const std::vector<double> x = as_activation(name, x_in);
    const size_t n_slice = moe() && name.find("_exps") != std::string::npos ? s_.n_expert : 1;
    const size_t rows = m.size() / x.size() / n_slice;
    std::vector<double> y(rows);
    for (size_t r = 0; r < rows; ++r) y[r] = dot(row(m, slice * rows + r, x.size()), x);
    return y;
  }
  std::vector<double> norm(const std::vector<double>& x, const std::vector<float>& w) const {
    double ss = 0.0;
    for (double v : x) ss += v * v;
    const double scale = 1.0 / std::sqrt(ss / x.size() + s_.eps);
    std::vector<double> y(x.size());
    for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * scale * w[i];
    return y;
  }
  // NeoX (or llama's adjacent-pair) rotation of the first n_rot dims (all for the dense archs).
  void rope(std::vector<double>& x, size_t pos) const {
    const size_t n_rot = hybrid() ? s_.n_rot : x.size(), half = n_rot / 2;
    for (size_t i = 0; i < half; ++i) {
      double theta = pos * std::pow(double(s_.rope_base), -2.0 * i / n_rot);
      if (s_.rope_freqs) theta /= at("rope_freqs.weight")[i];
      const size_t a = s_.arch == "llama" ? 2 * i : i,
                   b = s_.arch == "llama" ? 2 * i + 1 : i + half;
      const double x0 = x[a], x1 = x[b];
      x[a] = x0 * std::cos(theta) - x1 * std::sin(theta);
      x[b] = x0 * std::sin(theta) + x1 * std::cos(theta);
    }
  }
  // x as the matmul of an F16 or Q8_0 weight sees it: rounded to fp16, or quantized to Q8_0
  // blocks (the activation types of kernels/weight_type.h, as in ggml). Exact for F32 weights.
  std::vector<double> as_activation(const std::string& name, std::vector<double> x) const {
    const auto type = types_.find(name);
    if (type == types_.end() || type->second == GgmlType::F32) return x;
    if (type->second == GgmlType::F16) return fp16(std::move(x));
    if (type->second != GgmlType::Q8_0) return x;
    const auto& traits = kernels::weight_type(GgmlType::Q8_0);
    std::vector<float> in(x.begin(), x.end()), back(x.size());
    std::vector<std::byte> q(kernels::row_bytes(traits, x.size()));
    traits.quantize_row(in.data(), q.data(), x.size());
    traits.dequantize_row(q.data(), back.data(), x.size());
    return std::vector<double>(back.begin(), back.end());
  }
  // x times the orthonormal Walsh-Hadamard matrix of `block`, H[i][j] = (-1)^popcount(i & j) /
  // sqrt(block), per block: how a quantized cache holds keys and values (kv_type.h).
  static std::vector<double> rotate(const std::vector<double>& x, size_t block) {
    if (block == 0) return x;
    std::vector<double> y(x.size(), 0.0);
    for (size_t b = 0; b < x.size(); b += block) {
      for (size_t i = 0; i < block; ++i) {
        for (size_t j = 0; j < block; ++j) {
          const double sign = (std::popcount(i & j) & 1) ? -1.0 : 1.0;
          y[b + i] += sign * x[b + j] / std::sqrt(static_cast<double>(block));
        }
      }
    }
    return y;
  }
  // One head's attention output, from rotated values, rotated back (H is its own inverse).
  static void rotate_back(KvType type, std::vector<double>& attn, size_t at, size_t n) {
    const auto back = rotate(slice(attn, at, n), kv_value_rotation(type, n));
    std::copy(back.begin(), back.end(), attn.begin() + at);
  }
  // A key or value row as a cache of `type` gives it back.
  static std::vector<double> stored(KvType type, const std::vector<double>& x) {
    std::vector<float> in(x.begin(), x.end()), back(x.size());
    std::vector<uint8_t> bytes(kv_row_bytes(type, x.size()));
    kv_store_row(type, in.data(), bytes.data(), x.size());
    kv_load_row(type, bytes.data(), back.data(), x.size());
    return std::vector<double>(back.begin(), back.end());
  }
  // A query as attention rotates and rounds it for keys of `type`.
  static std::vector<double> query(KvType type, const std::vector<double>& x) {
    const auto rotated = rotate(x, kv_key_rotation(type, x.size()));
    std::vector<float> q(rotated.begin(), rotated.end());
    kv_round_query(type, q.data(), q.size());
    return std::vector<double>(q.begin(), q.end());
  }
  static std::vector<double> fp16(std::vector<double> x) {
    for (auto& v : x) v = kernels::fp16_to_fp32(kernels::fp32_to_fp16(static_cast<float>(v)));
    return x;
  }
  static double dot(const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0.0;
    for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
  }
  static void add(std::vector<double>& y, const std::vector<double>& x) {
    for (size_t i = 0; i < y.size(); ++i) y[i] += x[i];
  }
  static void add(std::vector<double>& y, const std::vector<float>& x) {
    for (size_t i = 0; i < y.size(); ++i) y[i] += x[i];
  }

  TinyShape s_;
  std::mt19937 rng_;
  std::map<std::string, std::vector<float>> weights_;
  std::map<std::string, GgmlType> types_;  // of the matrices
};

}  // namespace engine::testing
