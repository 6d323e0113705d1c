// Causal grouped-query attention of a chunk of query tokens over a sequence's KV cache (fp16 or
// Q8_0 rows, engine/kv/kv_type.h),
// flash-attention style: keys and values are visited in tiles with an online softmax, so no
// [n_tokens, n_kv] score matrix is ever built, whatever the context length.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/kernels/thread_pool.h"
#include "engine/kv/kv_type.h"

namespace engine::ops {

struct AttentionArgs {
  const float* q = nullptr;  // [n_tokens][n_head][head_dim_k], borrowed
  size_t n_tokens = 0;
  size_t pos0 = 0;  // query token i sits at position pos0 + i and sees positions 0..pos0 + i
  // The key row of kv head h at position t: kv_row_bytes(kv_type, head_dim_k) bytes at
  // k + h * kv_head_stride_k + t * that; likewise v. Positions 0..pos0 + n_tokens - 1 must be
  // filled.
  KvType kv_type = KvType::kF16;
  const uint8_t* k = nullptr;   // borrowed
  const uint8_t* v = nullptr;   // borrowed
  size_t kv_head_stride_k = 0;  // bytes
  size_t kv_head_stride_v = 0;  // bytes
  size_t n_head = 0;
  size_t n_head_kv = 0;  // divides n_head; query head h reads kv head h / (n_head / n_head_kv)
  size_t head_dim_k = 0;
  size_t head_dim_v = 0;
  float scale = 1.0f;    // applied to q.k, usually 1/sqrt(head_dim_k)
  float* out = nullptr;  // [n_tokens][n_head][head_dim_v], borrowed
};

// Queries are rounded as llama.cpp rounds them before their dot products with keys of the cache's
// type, so scores match its own. Q8_0 rows need head dims in multiples of 32 and hold rotated
// keys and values (kv_key_rotation): the query is rotated to meet them and the output rotated
// back (kv_prepare_query, kv_restore_output).
void attention(const AttentionArgs& args, kernels::ThreadPool& pool);

namespace ref {
// Materialises every score and accumulates in double, from rows read back by kv_load_row: the
// reference for the tests.
void attention(const AttentionArgs& args);
}  // namespace ref

}  // namespace engine::ops
