// The files make-test-model writes must be models llama.cpp loads and runs (label `diff`): for
// each architecture and weight type, a small file is written, loaded by node-llama-cpp (CPU) and
// run on a few tokens, whose next token must have a finite probability. Also checked:
// the same arguments give the same bytes whatever the thread count; the per-tensor types of the
// llama.cpp mixes (q4_k_m, q5_k_m) are those llama.cpp's quantizer picks, as read back by
// node-llama-cpp's own GGUF reader; and llama.cpp tokenizes strings with special tokens, CJK and
// emoji to the ids `anthropic-local tokenize` gives on the same file.
//
// Usage: node load_in_llama.mjs --tool build/make-test-model --bin build/anthropic-local
//            --node-modules build/node/node_modules --work DIR [--all true]
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) args[process.argv[i].slice(2)] = process.argv[i + 1];
for (const k of ["tool", "bin", "node-modules", "work"]) {
  if (!args[k]) {
    console.error("usage: node load_in_llama.mjs --tool make-test-model --bin anthropic-local " +
                  "--node-modules DIR --work DIR");
    process.exit(2);
  }
}
const work = fs.mkdtempSync(path.join(args.work, "models-"));

// One file per weight type, the architectures and tokenizer.ggml.pre spread across them. `tiny`
// serves the 32-element block types; K-quants need rows of 256, so tiny256 widens it (and has
// 4 layers, so that the mixes' layer rules have something to choose between). A K-quant file
// costs seconds (the reference quantizers on 151936 x 256 embeddings) and loading any file in
// llama.cpp about two, so the two mixes, which hold q4_K, q5_K and q6_K tensors, stand for the
// pure K types here; --all true (the `slow` variant of this test) writes those too.
const kTiny = ["--shape", "tiny"];
const kTiny256 = ["--shape", "tiny", "--layers", "4", "--embd", "256", "--head-dim", "64",
                  "--ff", "256"];
const files = [
  { name: "qwen3-f32", arch: "qwen3", type: "f32", shape: kTiny },
  { name: "qwen3-q8_0-tied", arch: "qwen3", type: "q8_0", shape: kTiny, extra: ["--tied"] },
  { name: "qwen3-q4_0", arch: "qwen3", type: "q4_0", shape: kTiny },
  { name: "qwen2-f16-qwen35", arch: "qwen2", type: "f16", shape: kTiny, extra: ["--pre", "qwen35"] },
  { name: "qwen2-q4_k_m-tied", arch: "qwen2", type: "q4_k_m", shape: kTiny256, extra: ["--tied"] },
  { name: "llama-bf16-llama-bpe", arch: "llama", type: "bf16", shape: kTiny,
    extra: ["--pre", "llama-bpe"] },
  { name: "llama-q5_k_m-untied", arch: "llama", type: "q5_k_m", shape: kTiny256,
    extra: ["--untied"] },
];
if (args.all === "true") {
  files.push({ name: "qwen3-q4_k", arch: "qwen3", type: "q4_k", shape: kTiny256 },
             { name: "qwen3-q6_k", arch: "qwen3", type: "q6_k", shape: kTiny256 },
             { name: "llama-q5_k", arch: "llama", type: "q5_k", shape: kTiny256 });
}
for (const f of files) f.path = path.join(work, `${f.name}.gguf`);
const toolArgs = (f, threads, out) => ["--arch", f.arch, "--type", f.type, ...f.shape,
                                       ...(f.extra ?? []), "--seed", "7", "--threads",
                                       String(threads), "--quiet", "--out", out];

let failures = 0;
function fail(message) {
  failures++;
  console.log(`FAIL ${message}`);
}

function runTool(argv) {
  return new Promise((resolve, reject) => {
    execFile(args.tool, argv, (error, _stdout, stderr) => {
      if (error) reject(new Error(`make-test-model ${argv.join(" ")}: ${stderr}`));
      else resolve();
    });
  });
}

// Two writers at a time (the tool is mostly single-threaded for files this small).
const started = Date.now();
// The K-quant files first, so that the two writers end together.
const queue = [...files.filter((f) => f.shape === kTiny256), ...files.filter((f) => f.shape === kTiny)]
    .map((f) => toolArgs(f, 1, f.path));
const mixed = files.find((f) => f.name === "qwen3-q8_0-tied");
const determinism = path.join(work, "determinism.gguf");
queue.unshift(toolArgs(mixed, 2, determinism));
const n_written = queue.length;
await Promise.all([0, 1].map(async () => {
  while (queue.length) await runTool(queue.shift());
}));
console.log(`wrote ${n_written} files in ${(Date.now() - started) / 1000} s`);

if (!fs.readFileSync(mixed.path).equals(fs.readFileSync(determinism))) {
  fail("the same arguments with --threads 1 and 2 wrote different bytes");
}

const { getLlama, LlamaLogLevel, readGgufFileInfo } =
    await import(path.resolve(args["node-modules"], "node-llama-cpp/dist/index.js"));

// The mixes, from llama_tensor_get_type: the output projection (token_embd when tied) is q6_K;
// attn_v and ffn_down are q6_K in the layers use_more_bits picks (of 4: layers 2 and 3), the
// default type elsewhere. Pure types put every matrix in their type. 1-D tensors are f32.
const mixExpectations = {
  "qwen2-q4_k_m-tied": { base: "Q4_K", tied: true, ftype: 15 },
  "llama-q5_k_m-untied": { base: "Q5_K", tied: false, ftype: 17 },
  "qwen3-q4_k": { base: "Q4_K", pure: true, ftype: 15 },
  "qwen3-q6_k": { base: "Q6_K", pure: true, ftype: 18 },
  "llama-q5_k": { base: "Q5_K", pure: true, ftype: 17 },
};
const ggmlTypeName = { 0: "F32", 12: "Q4_K", 13: "Q5_K", 14: "Q6_K" };
for (const f of files) {
  const want = mixExpectations[f.name];
  if (!want) continue;
  const info = await readGgufFileInfo(f.path);
  if (info.metadata.general.file_type !== want.ftype) {
    fail(`${f.name}: general.file_type ${info.metadata.general.file_type}, want ${want.ftype}`);
  }
  for (const t of info.tensorInfo) {
    let expected = want.base;
    const layer = /^blk\.(\d+)\./.exec(t.name);
    if (t.dimensions.length === 1) expected = "F32";
    else if (want.pure) expected = want.base;
    else if (t.name === "output.weight" || (want.tied && t.name === "token_embd.weight")) {
      expected = "Q6_K";
    } else if (/attn_v\.weight|ffn_down\.weight/.test(t.name) && Number(layer[1]) >= 2) {
      expected = "Q6_K";
    }
    if (ggmlTypeName[t.ggmlType] !== expected) {
      fail(`${f.name}: ${t.name} is ${ggmlTypeName[t.ggmlType] ?? t.ggmlType}, want ${expected}`);
    }
  }
}

// Load and run each file.
const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
const prompt = "<|im_start|>user\nHello, 世界! 😀<|im_end|>\n<|im_start|>assistant\n";
for (const f of files) {
  const model = await llama.loadModel({ modelPath: f.path });
  const context = await model.createContext({ contextSize: 128, flashAttention: false,
                                              threads: 2 });
  const tokens = Array.from(model.tokenize(prompt, true));
  // The greedy token and its probability (a softmax over the whole vocabulary, computed by
  // llama.cpp): finite and in (0, 1] unless the logits are not.
  const input = tokens.map((t, i) => (i + 1 < tokens.length ? t : [t, { generateNext: {
    token: true, confidence: true, options: { temperature: 0 } } }]));
  const out = await context.getSequence().controlledEvaluate(input);
  const next = out[tokens.length - 1]?.next;
  if (!Number.isInteger(next?.token) || !(next.confidence > 0 && next.confidence <= 1)) {
    fail(`${f.name}: after ${tokens.length} tokens: next ${JSON.stringify(next)}`);
  } else {
    console.log(`ok ${f.name}: ${tokens.length} tokens evaluated, next ${next.token} ` +
                `(p ${next.confidence.toFixed(4)})`);
  }
  await context.dispose();
  await model.dispose();
}

// Tokenization, on the three pre-tokenizers the files were written with.
const texts = [
  "Hello world",
  "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n" +
      "<|im_start|>assistant\n<think>\n\n</think>\n\n",
  "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>",
  "<|fim_prefix|>def f():<|fim_suffix|>\n<|fim_middle|>",
  "你好，世界！今日は良い天気ですね。한국어 텍스트",
  "emoji 😀👍🏽 🇯🇵 family 👨‍👩‍👧 done",
  "  multiple   spaces\t\ttabs\n\n\nnewlines 1234567890 3.14159",
  "Ünïcödé café naïve — \"quotes\" 'single' it's",
  "[PAD151700] is not a special token",
];
for (const name of ["qwen3-q8_0-tied", "qwen2-f16-qwen35", "llama-bf16-llama-bpe"]) {
  const f = files.find((x) => x.name === name);
  const model = await llama.loadModel({ modelPath: f.path, vocabOnly: true });
  const ours = JSON.parse(execFileSync(args.bin, ["tokenize", "--model", f.path, "--batch"],
                                       { input: JSON.stringify(texts) }).toString());
  let mismatches = 0;
  texts.forEach((text, i) => {
    const theirs = Array.from(model.tokenize(text, true));
    if (JSON.stringify(theirs) !== JSON.stringify(ours[i])) {
      mismatches++;
      fail(`${name}: ${JSON.stringify(text)}: ours ${JSON.stringify(ours[i])}, ` +
           `llama.cpp ${JSON.stringify(theirs)}`);
    }
  });
  console.log(`${name}: ${texts.length} strings tokenized, ${mismatches} mismatches`);
  await model.dispose();
}

fs.rmSync(work, { recursive: true, force: true });
console.log(`${failures} failures in ${(Date.now() - started) / 1000} s`);
process.exit(failures ? 1 : 0);
