// Self-check of llama_reference.mjs (label `diff`): on a tiny model from make-test-model, its
// outputs must have the documented shapes; every row must be a log-probability distribution over
// the whole vocabulary (exp sums to 1, no NaN); the greedy tokens must follow the rows (the first
// is the argmax of the last prompt row, with its log-probability); evaluating the prompt in
// chunks of 4 must give the same distributions within float tolerance; bad arguments must fail.
//
// Usage: node reference_selftest.mjs --tool build/make-test-model --node-modules DIR --work DIR
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) args[process.argv[i].slice(2)] = process.argv[i + 1];
for (const k of ["tool", "node-modules", "work"]) {
  if (!args[k]) {
    console.error("usage: node reference_selftest.mjs --tool make-test-model --node-modules DIR " +
                  "--work DIR");
    process.exit(2);
  }
}
const work = fs.mkdtempSync(path.join(args.work, "reference-"));
const script = path.join(here, "llama_reference.mjs");
const model = path.join(work, "tiny.gguf");
execFileSync(args.tool, ["--arch", "qwen3", "--shape", "tiny", "--type", "q8_0", "--seed", "3",
                         "--quiet", "--out", model]);

// <|im_start|>user\nHello, world!<|im_end|>\n<|im_start|>assistant\n in Qwen3's vocab.
const ids = [151644, 872, 198, 9707, 11, 1879, 0, 151645, 198, 151644, 77091, 198];
const idsFile = path.join(work, "ids.json");
fs.writeFileSync(idsFile, JSON.stringify(ids));
const kGreedy = 5;

function reference(name, extra) {
  const out = path.join(work, `${name}.bin`);
  const greedy = path.join(work, `${name}.greedy.json`);
  execFileSync(process.execPath, [script, "--model", model, "--ids", idsFile, "--out-logprobs", out,
                                  "--greedy", String(kGreedy), "--out-greedy", greedy,
                                  "--threads", "2", "--node-modules", args["node-modules"],
                                  ...extra], { stdio: ["ignore", "inherit", "inherit"] });
  const header = JSON.parse(fs.readFileSync(`${out}.json`, "utf8"));
  const bytes = fs.readFileSync(out);
  const rows = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return { header, rows, greedy: JSON.parse(fs.readFileSync(greedy, "utf8")) };
}

let failures = 0;
function check(ok, message) {
  if (!ok) {
    failures++;
    console.log(`FAIL ${message}`);
  }
}

const whole = reference("whole", []);
const { header, rows, greedy } = whole;
const nVocab = 151936;
check(JSON.stringify(header.shape) === JSON.stringify([ids.length, nVocab]),
      `shape ${JSON.stringify(header.shape)}, want [${ids.length}, ${nVocab}]`);
check(rows.length === ids.length * nVocab, `${rows.length} floats, want ${ids.length * nVocab}`);
check(header.format === "f32le" && header.flash_attention === false && header.threads === 2 &&
      header.batch_size === ids.length, `header ${JSON.stringify(header).slice(0, 300)}`);
check(header.max_abs_raw_sum_error < 1e-3,
      `node-llama-cpp's probabilities sum to 1 +- ${header.max_abs_raw_sum_error}`);
check(header.missing === 0, `${header.missing} missing entries`);
for (let i = 0; i < ids.length; i++) {
  const row = rows.subarray(i * nVocab, (i + 1) * nVocab);
  let sum = 0;
  let argmax = 0;
  let bad = 0;
  for (let t = 0; t < nVocab; t++) {
    if (Number.isNaN(row[t]) || row[t] > 0) bad++;
    sum += Math.exp(row[t]);
    if (row[t] > row[argmax]) argmax = t;
  }
  check(bad === 0, `row ${i}: ${bad} entries are NaN or > 0`);
  check(Math.abs(sum - 1) < 1e-5, `row ${i}: probabilities sum to ${sum}`);
  check(header.argmax[i] === argmax, `row ${i}: argmax ${argmax}, header ${header.argmax[i]}`);
}
check(greedy.prompt_tokens === ids.length && greedy.tokens.length === kGreedy &&
      greedy.logprobs.length === kGreedy && greedy.gaps.length === kGreedy,
      `greedy ${JSON.stringify(greedy)}`);
const last = rows.subarray((ids.length - 1) * nVocab);
check(greedy.tokens[0] === header.argmax[ids.length - 1],
      `first greedy token ${greedy.tokens[0]}, argmax of the last row ${header.argmax.at(-1)}`);
check(greedy.logprobs[0] === last[greedy.tokens[0]], "first greedy logprob is not the row's");
check(greedy.gaps.every((g) => g >= 0) && greedy.logprobs.every((lp) => lp <= 0),
      "greedy gaps must be >= 0 and logprobs <= 0");

// The prompt in chunks of 4 tokens: other batch shapes, the same distributions within float
// error (llama.cpp's kernels differ by batch size), and the same greedy tokens where the choice
// was clear.
const chunked = reference("chunked", ["--batch-size", "4"]);
let maxDiff = 0;
for (let i = 0; i < rows.length; i++) {
  maxDiff = Math.max(maxDiff, Math.abs(rows[i] - chunked.rows[i]));
}
check(maxDiff < 2e-2, `chunked prompt: logprobs differ by up to ${maxDiff}`);
for (let k = 0; k < kGreedy && greedy.gaps[k] > 0.05; k++) {
  check(chunked.greedy.tokens[k] === greedy.tokens[k], `chunked greedy token ${k} differs`);
}

const bad = spawnSync(process.execPath, [script, "--ids", idsFile, "--out-logprobs", "x.bin"]);
check(bad.status === 2, `missing --model exits with ${bad.status}, want 2`);

fs.rmSync(work, { recursive: true, force: true });
console.log(`llama_reference self-check: ${failures} failures (chunked max |diff| ${maxDiff})`);
process.exit(failures ? 1 : 0);
