// A tiny dense model written with GgufWriter, and a plain double-precision forward pass of it
// written from the architecture's definition: the reference the engine's forward is tested
// against. Weights are random floats; the file holds them as F32, F16 or Q8_0.
#pragma once

#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/gguf/gguf_writer.h"
#include "engine/kernels/fp16.h"
#include "engine/kernels/weight_type.h"

namespace engine::testing {

struct TinyShape {
  std::string arch = "qwen3";  // qwen3, qwen2 or llama
  uint32_t n_vocab = 40, n_embd = 32, n_layer = 2, n_head = 4, n_head_kv = 2, head_dim = 8,
           n_ff = 48;
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
      matrix(w, p + "attn_q.weight", s.n_embd, qd);
      matrix(w, p + "attn_k.weight", s.n_embd, kd);
      matrix(w, p + "attn_v.weight", s.n_embd, kd);
      matrix(w, p + "attn_output.weight", qd, s.n_embd);
      if (s.arch == "qwen2") {
        vec(w, p + "attn_q.bias", qd, 0.0f, 0.3f);
        vec(w, p + "attn_k.bias", kd, 0.0f, 0.3f);
        vec(w, p + "attn_v.bias", kd, 0.0f, 0.3f);
      }
      if (s.arch == "qwen3") {
        vec(w, p + "attn_q_norm.weight", s.head_dim);
        vec(w, p + "attn_k_norm.weight", s.head_dim);
      }
      vec(w, p + "ffn_norm.weight", s.n_embd);
      matrix(w, p + "ffn_gate.weight", s.n_embd, s.n_ff);
      matrix(w, p + "ffn_up.weight", s.n_embd, s.n_ff);
      matrix(w, p + "ffn_down.weight", s.n_ff, s.n_embd);
    }
    vec(w, "output_norm.weight", s.n_embd);
    if (!s.tied) matrix(w, "output.weight", s.n_embd, s.n_vocab);
    if (s.rope_freqs) vec(w, "rope_freqs.weight", s.head_dim / 2, 2.0f, 1.0f);
    w.write(path);
  }

  // Logits of every position for `tokens`, by the book, in double; K, V and q rounded to fp16
  // where the engine stores or converts them (its defined precision).
  std::vector<double> forward(const std::vector<int32_t>& tokens) const {
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
          if (s_.arch == "qwen3") qh = norm(qh, at(p + "attn_q_norm.weight"));
          rope(qh, i);
          std::copy(qh.begin(), qh.end(), q.begin() + hd * D);
        }
        for (size_t hd = 0; hd < s_.n_head_kv; ++hd) {
          std::vector<double> kh(k.begin() + hd * D, k.begin() + (hd + 1) * D);
          if (s_.arch == "qwen3") kh = norm(kh, at(p + "attn_k_norm.weight"));
          rope(kh, i);
          keys[i][hd] = fp16(kh);
          values[i][hd] = fp16(std::vector<double>(v.begin() + hd * D, v.begin() + (hd + 1) * D));
        }
        std::vector<double> attn(H * D, 0.0);
        for (size_t hd = 0; hd < H; ++hd) {
          auto qh = fp16(std::vector<double>(q.begin() + hd * D, q.begin() + (hd + 1) * D));
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
        }
        add(x[i], matvec(p + "attn_output.weight", attn));
        h = norm(x[i], at(p + "ffn_norm.weight"));
        auto g = matvec(p + "ffn_gate.weight", h), u = matvec(p + "ffn_up.weight", h);
        for (size_t j = 0; j < g.size(); ++j) g[j] = g[j] / (1.0 + std::exp(-g[j])) * u[j];
        add(x[i], matvec(p + "ffn_down.weight", g));
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
  // The values the file holds, as the engine will read them back.
  void matrix(GgufWriter& w, const std::string& name, size_t n_in, size_t n_out,
              float scale = 1.0f) {
    std::normal_distribution<float> normal(0.0f, scale / std::sqrt(float(n_in)));
    std::vector<float> values(n_in * n_out);
    for (auto& v : values) v = normal(rng_);
    const auto& traits = kernels::weight_type(s_.type);
    const size_t rb = kernels::row_bytes(traits, n_in);
    std::vector<std::byte> bytes(n_out * rb);
    auto& stored = weights_[name];
    stored.resize(values.size());
    for (size_t r = 0; r < n_out; ++r) {
      traits.quantize_row(values.data() + r * n_in, bytes.data() + r * rb, n_in);
      traits.dequantize_row(bytes.data() + r * rb, stored.data() + r * n_in, n_in);
    }
    w.add_tensor(name, s_.type, {n_in, n_out}, std::move(bytes));
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
  std::vector<double> matvec(const std::string& name, const std::vector<double>& x) const {
    const auto& m = at(name);
    std::vector<double> y(m.size() / x.size());
    for (size_t r = 0; r < y.size(); ++r) y[r] = dot(row(m, r, x.size()), x);
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
  void rope(std::vector<double>& x, size_t pos) const {
    const size_t half = x.size() / 2;
    for (size_t i = 0; i < half; ++i) {
      double theta = pos * std::pow(double(s_.rope_base), -2.0 * i / x.size());
      if (s_.rope_freqs) theta /= at("rope_freqs.weight")[i];
      const size_t a = s_.arch == "llama" ? 2 * i : i,
                   b = s_.arch == "llama" ? 2 * i + 1 : i + half;
      const double x0 = x[a], x1 = x[b];
      x[a] = x0 * std::cos(theta) - x1 * std::sin(theta);
      x[b] = x0 * std::sin(theta) + x1 * std::cos(theta);
    }
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
};

}  // namespace engine::testing
