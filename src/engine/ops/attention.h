// Causal grouped-query attention of a chunk of query tokens over a sequence's F16 KV cache,
// flash-attention style: keys and values are visited in tiles with an online softmax, so no
// [n_tokens, n_kv] score matrix is ever built, whatever the context length.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/kernels/thread_pool.h"

namespace engine::ops {

struct AttentionArgs {
  const float* q = nullptr;  // [n_tokens][n_head][head_dim_k], borrowed
  size_t n_tokens = 0;
  size_t pos0 = 0;  // query token i sits at position pos0 + i and sees positions 0..pos0 + i
  // Keys and values of kv head h at position t: k[h * kv_head_stride_k + t * head_dim_k] (fp16
  // bits), likewise v; positions 0..pos0 + n_tokens - 1 must be filled.
  const uint16_t* k = nullptr;  // borrowed
  const uint16_t* v = nullptr;  // borrowed
  size_t kv_head_stride_k = 0;  // elements
  size_t kv_head_stride_v = 0;  // elements
  size_t n_head = 0;
  size_t n_head_kv = 0;  // divides n_head; query head h reads kv head h / (n_head / n_head_kv)
  size_t head_dim_k = 0;
  size_t head_dim_v = 0;
  float scale = 1.0f;    // applied to q.k, usually 1/sqrt(head_dim_k)
  float* out = nullptr;  // [n_tokens][n_head][head_dim_v], borrowed
};

// Queries are rounded to fp16 before their dot products with the keys, as llama.cpp does, so
// scores match its own.
void attention(const AttentionArgs& args, kernels::ThreadPool& pool);

namespace ref {
// Materialises every score and accumulates in double: the reference for the tests.
void attention(const AttentionArgs& args);
}  // namespace ref

}  // namespace engine::ops
