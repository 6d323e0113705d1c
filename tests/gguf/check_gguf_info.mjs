// End-to-end test of `anthropic-local gguf-info` on a file written by gguf_sample: the text and
// --json reports show the architecture, hyperparameters, parameter count, quantization mix,
// summarised metadata and the tensor table; a broken file prints the reader's error and exits 1.
//   node check_gguf_info.mjs --bin anthropic-local --sample gguf_sample [--work DIR]
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: { bin: { type: "string" }, sample: { type: "string" }, work: { type: "string", default: os.tmpdir() } },
});
if (!args.bin || !args.sample) {
  console.error("usage: node check_gguf_info.mjs --bin BIN --sample BIN [--work DIR]");
  process.exit(2);
}
fs.mkdirSync(args.work, { recursive: true });
const file = path.join(args.work, `gguf_info_${process.pid}.gguf`);
const broken = path.join(args.work, `gguf_info_${process.pid}_broken.gguf`);
const run = (cmd, argv) => spawnSync(cmd, argv, { encoding: "utf8", maxBuffer: 1 << 26 });

try {
  const sample = run(args.sample, [file]);
  assert.equal(sample.status, 0, sample.stderr);
  const ours = JSON.parse(sample.stdout);

  // Text.
  const text = run(args.bin, ["gguf-info", file]);
  assert.equal(text.status, 0, text.stderr);
  const out = text.stdout;
  const has = (re) => assert.match(out, re);
  has(/GGUF v3, 122\.\d\d KiB \([\d,]+ bytes\), alignment 64/);
  has(/^ {2}architecture {2}llama$/m);
  has(/^ {2}name {10}gguf sample ✓ 中文$/m);
  has(/^ {2}parameters {4}103\.30 K in 10 tensors$/m);
  has(/^hyperparameters \(llama\.\*\)$/m);
  has(/^ {2}context_length +4096$/m);
  has(/^ {2}attention\.head_count_kv +2$/m);
  has(/^ {2}rope\.freq_base +500000$/m);
  has(/^ {2}expert_used_count +2$/m);
  has(/^ {2}q8_0 +1 +64\.00 K +66\.41 KiB +62\.0% +65\.8%$/m);
  has(/^ {2}total +10 +103\.30 K +/m);
  has(/^ {2}tokenizer\.ggml\.tokens +array +\[string × 1,000\] "Ġtok0", "Ġtok1", "Ġtok2", "Ġtok3", "Ġtok4", \.\.\.$/m);
  has(/^ {2}sample\.nested +array +\[array × 3\] \[1, -2\], \["x", "yz"\], \[\[0\.25\]\]$/m);
  has(/^ {2}sample\.f32 +f32 +0\.1$/m);
  has(/^ {2}sample\.u64 +u64 +18446744073709551615$/m);
  has(/^tensors \(10\)$/m);
  has(/^ {2}blk\.0\.odd\.weight +f16 +\[3, 5, 7, 2\] +420 B +123,712$/m);

  // JSON: the same facts, and the tensor table exactly as GgufFile sees it.
  const json = run(args.bin, ["gguf-info", "--json", file]);
  assert.equal(json.status, 0, json.stderr);
  const info = JSON.parse(json.stdout);
  assert.equal(info.version, 3);
  assert.equal(info.architecture, "llama");
  assert.equal(info.parameters, ours.tensors.reduce((n, t) => n + t.ne.reduce((a, b) => a * b, 1), 0));
  assert.equal(info.hyperparameters.context_length, 4096);
  assert.equal(info.hyperparameters.expert_count, 4);
  assert.deepEqual(info.quantization.map((q) => q.tensors).reduce((a, b) => a + b), 10);
  const tokens = info.metadata.find((m) => m.key === "tokenizer.ggml.tokens");
  assert.deepEqual([tokens.type, tokens.count, tokens.truncated, tokens.value.length],
                   ["array of string", 1000, true, 16]);
  assert.deepEqual(info.tensors.map((t) => [t.name, t.type_id, t.shape, t.offset]),
                   ours.tensors.map((t) => [t.name, t.type, t.ne, t.offset]));

  // A broken file: the reader's message, exit status 1.
  const bytes = fs.readFileSync(file);
  const size = bytes.length - 200;
  fs.writeFileSync(broken, bytes.subarray(0, size));
  const cut = info.tensors.find((t) => t.offset + t.bytes > size);  // the first, in file order
  const bad = run(args.bin, ["gguf-info", broken]);
  assert.equal(bad.status, 1);
  assert.equal(bad.stdout, "");
  assert.equal(bad.stderr, `anthropic-local: ${broken}: tensor '${cut.name}' data [offset ${cut.offset}, ` +
                           `${cut.bytes} bytes] ends past the end of the file (size ${size})\n`);
  fs.writeFileSync(broken, "not a model");
  const notGguf = run(args.bin, ["gguf-info", broken]);
  assert.equal(notGguf.status, 1);
  assert.match(notGguf.stderr, /not a GGUF file: it starts with 'not ', expected 'GGUF'/);
  console.log("gguf-info: text, --json and errors as expected");
} finally {
  fs.rmSync(file, { force: true });
  fs.rmSync(broken, { force: true });
}
