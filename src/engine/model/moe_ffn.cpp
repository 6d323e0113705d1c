#include "engine/model/moe_ffn.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "engine/ops/moe_routing.h"
#include "engine/ops/ops.h"

namespace engine {
namespace {

std::string blk(size_t il, const char* name) {
  return "blk." + std::to_string(il) + "." + name + ".weight";
}

}  // namespace

MoeFfn::MoeFfn(WeightBinder& w, size_t il, const ModelConfig& c)
    : config_(c), router_(w.matrix(blk(il, "ffn_gate_inp"), c.n_embd, c.moe.n_expert)) {
  const MoeConfig& m = c.moe;
  auto down = w.expert_matrices(blk(il, "ffn_down_exps"), m.n_ff_exp, c.n_embd, m.n_expert);
  if (w.has(blk(il, "ffn_gate_up_exps"))) {
    auto gate_up =
        w.expert_matrices(blk(il, "ffn_gate_up_exps"), c.n_embd, 2 * m.n_ff_exp, m.n_expert);
    for (size_t e = 0; e < m.n_expert; ++e) {
      experts_.push_back({.gate = std::nullopt,
                          .up = std::nullopt,
                          .gate_up = std::move(gate_up[e]),
                          .down = std::move(down[e])});
    }
  } else {
    auto gate = w.expert_matrices(blk(il, "ffn_gate_exps"), c.n_embd, m.n_ff_exp, m.n_expert);
    auto up = w.expert_matrices(blk(il, "ffn_up_exps"), c.n_embd, m.n_ff_exp, m.n_expert);
    for (size_t e = 0; e < m.n_expert; ++e) {
      experts_.push_back({.gate = std::move(gate[e]),
                          .up = std::move(up[e]),
                          .gate_up = std::nullopt,
                          .down = std::move(down[e])});
    }
  }
  if (m.n_ff_shexp > 0) {
    shared_.emplace(Expert{.gate = w.matrix(blk(il, "ffn_gate_shexp"), c.n_embd, m.n_ff_shexp),
                           .up = w.matrix(blk(il, "ffn_up_shexp"), c.n_embd, m.n_ff_shexp),
                           .gate_up = std::nullopt,
                           .down = w.matrix(blk(il, "ffn_down_shexp"), m.n_ff_shexp, c.n_embd)});
    shared_gate_ = w.vector(blk(il, "ffn_gate_inp_shexp"), c.n_embd);
  }
}

size_t MoeFfn::decode_bytes() const {
  auto bytes = [](const Expert& e) {
    return (e.gate_up ? e.gate_up->weight_bytes() : e.gate->weight_bytes() + e.up->weight_bytes()) +
           e.down.weight_bytes();
  };
  size_t total = router_.weight_bytes() + config_.moe.n_expert_used * bytes(experts_[0]);
  if (shared_) total += bytes(*shared_) + shared_gate_.size() * sizeof(float);
  return total;
}

// y[m, n_embd] = W_down . (silu(W_gate x) * W_up x).
void MoeFfn::run_expert(const Expert& e, const float* x, size_t m, float* y,
                        kernels::ThreadPool& pool) {
  const size_t n_ff = e.down.n_in();
  if (e.gate_up) {
    up_.resize(m * 2 * n_ff);  // [m][gate, up]
    gate_.resize(m * n_ff);
    kernels::matmul(*e.gate_up, x, m, up_.data(), pool);
    for (size_t r = 0; r < m; ++r) {
      ops::swiglu(&up_[r * 2 * n_ff], &up_[r * 2 * n_ff + n_ff], &gate_[r * n_ff], n_ff);
    }
  } else {
    gate_.resize(m * n_ff);
    up_.resize(m * n_ff);
    const kernels::MatmulTarget gate_up[] = {{&*e.gate, gate_.data()}, {&*e.up, up_.data()}};
    kernels::matmul_shared(gate_up, x, m, pool);
    ops::swiglu(gate_.data(), up_.data(), gate_.data(), m * n_ff);
  }
  kernels::matmul(e.down, gate_.data(), m, y, pool);
}

void MoeFfn::forward(const float* h, size_t n, float* out, kernels::ThreadPool& pool) {
  const MoeConfig& m = config_.moe;
  const size_t E = config_.n_embd, k = m.n_expert_used;
  logits_.resize(n * m.n_expert);
  ids_.resize(n * k);
  weights_.resize(n * k);
  kernels::matmul(router_, h, n, logits_.data(), pool);
  const ops::RouteArgs route{
      .n_expert = m.n_expert, .n_used = k, .normalize = m.weights_norm, .scale = m.weights_scale};
  for (size_t i = 0; i < n; ++i) {
    ops::route_experts(logits_.data() + i * m.n_expert, route, ids_.data() + i * k,
                       weights_.data() + i * k);
  }
  std::fill(out, out + n * E, 0.0f);
  // Expert by expert: gather the tokens routed to it, run it once on all of them, and scatter its
  // weighted outputs back.
  for (size_t e = 0; e < m.n_expert; ++e) {
    rows_.clear();
    row_w_.clear();
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < k; ++j) {
        if (ids_[i * k + j] == static_cast<int32_t>(e)) {
          rows_.push_back(static_cast<uint32_t>(i));
          row_w_.push_back(weights_[i * k + j]);
        }
      }
    }
    if (rows_.empty()) continue;
    const size_t rows = rows_.size();
    x_.resize(rows * E);
    y_.resize(rows * E);
    for (size_t r = 0; r < rows; ++r) std::memcpy(&x_[r * E], h + rows_[r] * E, E * sizeof(float));
    run_expert(experts_[e], x_.data(), rows, y_.data(), pool);
    for (size_t r = 0; r < rows; ++r) {
      float* o = out + rows_[r] * E;
      const float* y = &y_[r * E];
      for (size_t d = 0; d < E; ++d) o[d] += row_w_[r] * y[d];
    }
  }
  if (!shared_) return;
  y_.resize(n * E);
  run_expert(*shared_, h, n, y_.data(), pool);
  for (size_t i = 0; i < n; ++i) {
    const float* hi = h + i * E;
    float g = 0.0f;
    for (size_t d = 0; d < E; ++d) g += shared_gate_[d] * hi[d];
    const float s = 1.0f / (1.0f + std::exp(-g));
    for (size_t d = 0; d < E; ++d) out[i * E + d] += s * y_[i * E + d];
  }
}

}  // namespace engine
