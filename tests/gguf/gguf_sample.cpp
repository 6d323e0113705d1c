// Writes a GGUF file with engine::GgufWriter that exercises every metadata type, nested arrays,
// a non-default alignment and tensors of many types and shapes; then reads it back with
// engine::GgufFile and prints what our reader sees as JSON, for check_node_reader.mjs to compare
// with node-llama-cpp's reader.
//   gguf_sample OUT.gguf > ours.json
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"

namespace {

using engine::GgmlType;
using engine::GgufArray;
using engine::GgufValue;
using engine::GgufValueType;
using nlohmann::json;

void write_sample(const std::string& path) {
  engine::GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_string("general.name", "gguf sample \xe2\x9c\x93 \xe4\xb8\xad\xe6\x96\x87");
  w.set_alignment(64);
  w.set_u32("llama.context_length", 4096);
  w.set_u32("llama.embedding_length", 64);
  w.set_u32("llama.block_count", 1);
  w.set_u32("llama.feed_forward_length", 32);
  w.set_u32("llama.attention.head_count", 4);
  w.set_u32("llama.attention.head_count_kv", 2);
  w.set_f32("llama.rope.freq_base", 500000.0f);
  w.set_u32("llama.expert_count", 4);
  w.set_u32("llama.expert_used_count", 2);
  w.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.set_u8("sample.u8", 255);
  w.set_i8("sample.i8", -128);
  w.set_u16("sample.u16", 65535);
  w.set_i16("sample.i16", -32768);
  w.set_u32("sample.u32", 4294967295u);
  w.set_i32("sample.i32", -2147483647 - 1);
  w.set_u64("sample.u64", 18446744073709551615ull);  // above 2^53: a BigInt in JavaScript
  w.set_i64("sample.i64", -9223372036854775807ll - 1);
  w.set_u64("sample.u64_small", 12345);
  w.set_f32("sample.f32", 0.1f);
  w.set_f64("sample.f64", -1.0 / 3.0);
  w.set_bool("sample.bool_true", true);
  w.set_bool("sample.bool_false", false);
  w.set_string("sample.empty", "");
  std::vector<std::string> tokens;
  for (int i = 0; i < 1000; ++i) tokens.push_back("\xc4\xa0tok" + std::to_string(i));
  w.set_array("tokenizer.ggml.tokens", tokens);
  std::vector<int32_t> types(1000);
  for (int i = 0; i < 1000; ++i) types[i] = i % 6;
  w.set_array("tokenizer.ggml.token_type", types);
  w.set_array("sample.f32s", std::vector<float>{1.5f, -0.0f, 3.4e38f, 1e-45f});
  w.set_array("sample.u64s", std::vector<uint64_t>{0, 9007199254740993ull});
  w.set_array("sample.bools", std::vector<bool>{true, false, true});
  w.set_array("sample.i8s", std::vector<int8_t>{-1, 2});
  GgufArray nested(GgufValueType::ARRAY);
  nested.push(GgufArray(GgufValueType::INT32).push(int32_t{1}).push(int32_t{-2}));
  nested.push(GgufArray(GgufValueType::STRING).push("x").push("yz"));
  nested.push(GgufArray(GgufValueType::ARRAY).push(GgufArray(GgufValueType::FLOAT64).push(0.25)));
  w.set_array("sample.nested", nested);

  struct T {
    const char* name;
    GgmlType type;
    std::vector<uint64_t> ne;
  };
  const std::vector<T> tensors = {
      {"token_embd.weight", GgmlType::Q8_0, {64, 1000}},
      {"blk.0.attn_norm.weight", GgmlType::F32, {64}},
      {"blk.0.attn_q.weight", GgmlType::Q4_K, {256, 64}},
      {"blk.0.attn_k.weight", GgmlType::Q6_K, {256, 16}},
      {"blk.0.ffn_gate_exps.weight", GgmlType::Q4_0, {64, 32, 4}},
      {"blk.0.ffn_down_exps.weight", GgmlType::BF16, {32, 64, 4}},
      {"blk.0.odd.weight", GgmlType::F16, {3, 5, 7, 2}},
      {"blk.0.i8", GgmlType::I8, {17}},
      {"output.weight", GgmlType::IQ4_XS, {256, 8}},
      {"blk.0.mx.weight", GgmlType::MXFP4, {32, 3}},
  };
  for (const T& t : tensors) {
    const uint64_t n = engine::GgufWriter::tensor_bytes(t.type, t.ne);
    w.add_tensor(t.name, t.type, t.ne, [n](engine::GgufTensorSink& sink) {
      std::vector<std::byte> bytes(n);
      for (uint64_t i = 0; i < n; ++i) bytes[i] = static_cast<std::byte>(i * 31 + 7);
      sink.write(bytes);
    });
  }
  w.write(path);
}

// 64-bit integers as decimal strings: JSON numbers lose precision above 2^53.
json to_json(const GgufValue& v) {
  switch (v.type()) {
    case GgufValueType::UINT8:
    case GgufValueType::UINT16:
    case GgufValueType::UINT32:
      return v.as_uint();
    case GgufValueType::INT8:
    case GgufValueType::INT16:
    case GgufValueType::INT32:
      return v.as_int();
    case GgufValueType::UINT64:
      return std::to_string(v.as_uint());
    case GgufValueType::INT64:
      return std::to_string(v.as_int());
    case GgufValueType::FLOAT32:
    case GgufValueType::FLOAT64:
      return v.as_float();
    case GgufValueType::BOOL:
      return v.as_bool();
    case GgufValueType::STRING:
      return std::string(v.as_string());
    case GgufValueType::ARRAY: {
      json out = json::array();
      for (size_t i = 0; i < v.array_size(); ++i) out.push_back(to_json(v.at(i)));
      return out;
    }
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: gguf_sample OUT.gguf\n");
    return 2;
  }
  try {
    write_sample(argv[1]);
    const engine::GgufFile f = engine::GgufFile::open(argv[1]);
    json out;
    out["version"] = f.version();
    out["alignment"] = f.alignment();
    out["data_offset"] = f.data_offset();
    out["metadata"] = json::array();
    for (const auto& kv : f.metadata()) {
      out["metadata"].push_back({{"key", std::string(kv.key)}, {"value", to_json(kv.value)}});
    }
    out["tensors"] = json::array();
    for (const auto& t : f.tensors()) {
      out["tensors"].push_back(
          {{"name", std::string(t.name)},
           {"type", t.type_id},
           {"ne", std::vector<uint64_t>(t.ne.begin(), t.ne.begin() + t.n_dims)},
           {"offset", t.offset}});
    }
    std::printf("%s\n", out.dump(1).c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gguf_sample: %s\n", e.what());
    return 1;
  }
  return 0;
}
