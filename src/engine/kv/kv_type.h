// How the KV cache stores a key or value row: fp16 (the default, as llama.cpp's), or Q8_0 blocks
// (one fp16 scale per 32 int8s: 34 bytes per 32 values instead of 64, so a long context takes
// 47% less memory and decode reads that much less per token, for a small loss of precision).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace engine {

enum class KvType : uint32_t { kF16 = 0, kQ8_0 = 1 };

// "f16" or "q8_0", the names of llama.cpp's --cache-type-k.
std::string_view kv_type_name(KvType type);
std::optional<KvType> kv_type_from_name(std::string_view name);
// kv_type_from_name, or std::invalid_argument naming the types there are.
KvType kv_type_named(std::string_view name);

// Whether rows of n values can be stored as `type` (Q8_0 needs whole blocks of 32).
bool kv_type_fits(KvType type, size_t n);
// Throws std::invalid_argument, naming the sizes, unless heads of these sizes fit `type`.
void require_kv_type_fits(KvType type, size_t head_dim_k, size_t head_dim_v);
// Bytes of one row of n values (kv_type_fits(type, n) must hold).
size_t kv_row_bytes(KvType type, size_t n);

// Writes a row of n values as llama.cpp's CPU backend writes its cache: fp16 rounded to nearest
// even, or Q8_0 as ggml-cpu quantizes on x86 (kernels::quantize_row_q8_0_act).
void kv_store_row(KvType type, const float* src, uint8_t* dst, size_t n);
// Reads a row back to floats: the reference for the attention kernels and the tests.
void kv_load_row(KvType type, const uint8_t* src, float* dst, size_t n);

// Rounds a query row to the precision llama.cpp gives it before its dot products with keys of
// this type: fp16, or a round trip through Q8_0 (its dot product with Q8_0 keys is integer).
void kv_round_query(KvType type, float* q, size_t n);

// A quantized cache holds rotated rows, as llama.cpp's does (its "attention rotation"): each
// block of `block` values x becomes H x, H the orthonormal Walsh-Hadamard matrix, which spreads
// an outlier over the block so it costs the quantization less. H is its own inverse and keeps dot
// products, so attention rotates the query by the keys' H and its output by the values' H, and
// the result is the same. The blocks, as llama.cpp picks them: keys the largest power of two
// (from 64) that divides the head, values 64; 0 (no rotation) for an fp16 cache or a head size
// that is not a multiple of 64.
size_t kv_key_rotation(KvType type, size_t head_dim_k);
size_t kv_value_rotation(KvType type, size_t head_dim_v);
// x[0..n) = H x per block of `block` values (a power of two dividing n); nothing for block 0.
void hadamard_rotate(float* x, size_t n, size_t block);

// What attention does around the rows of a cache of `type`: a query row of n values is rotated
// by the keys' H and rounded (kv_round_query) before its dot products with the keys; an output
// row of n values, summed from the values as stored, is rotated back by the values' H.
void kv_prepare_query(KvType type, float* q, size_t n);
void kv_restore_output(KvType type, float* out, size_t n);

}  // namespace engine
