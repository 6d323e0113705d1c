// `make bench`: our engine against llama.cpp (node-llama-cpp, prebuilt CPU build) on the same
// GGUF files, same machine, same thread count, in one run. Prints prefill and decode tokens/s of
// both with our/llama.cpp ratios (median of --reps runs), the decode roofline (measured read
// bandwidth / bytes read per token) and peak RSS, and writes build/bench/latest.json.
//
//   node bench/compare.mjs [--models 0.6b-q8_0,0.6b-q4_k_m,1.7b-q8_0,1.7b-q4_k_m]
//                          (also 35b-a3b-x4-q4_k: a Qwen3.6 hybrid, not in the default run)
//                          [--lines pp512,pp4096,tg128,tg128@8192] [--reps 3] [--threads 2]
//                          [--kv-cache-type f16|q8_0] (both engines; llama.cpp's q8_0 cache
//                          runs with flash attention, which it needs)
import {execFileSync} from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {parseArgs} from "node:util";
import {fileURLToPath} from "node:url";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const build = path.join(root, "build");
const {values: a} = parseArgs({options: {
  models: {type: "string", default: "0.6b-q8_0,0.6b-q4_k_m,1.7b-q8_0,1.7b-q4_k_m"},
  lines: {type: "string", default: "pp512,pp4096,tg128,tg128@8192"},
  reps: {type: "string", default: "3"},
  threads: {type: "string", default: "2"},
  "kv-cache-type": {type: "string", default: "f16"},
}});

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};

// A bench model is SIZE-TYPE: the files of make-test-model's shapes. 35b-a3b-x4 is Qwen3.6-35B-A3B
// (qwen35moe: Gated DeltaNet hybrid, 256 experts) cut to its first 4 blocks (3 DeltaNet, 1 full
// attention) so it fits this machine; its output and embedding matrices are the real size.
const kSizes = {
  "0.6b": {arch: "qwen3", shape: "qwen3-0.6b"},
  "1.7b": {arch: "qwen3", shape: "qwen3-1.7b"},
  "35b-a3b-x4": {arch: "qwen35moe", shape: "qwen3.6-35b-a3b", extra: ["--layers", "4"]},
};

function ensureModel(name) {
  const cut = name.lastIndexOf("-");
  const [size, type] = [name.slice(0, cut), name.slice(cut + 1)];
  const known = kSizes[size];
  if (!known) throw new Error(`unknown bench model ${name}: sizes are ${Object.keys(kSizes)}`);
  const tag = known.extra ? size.slice(size.lastIndexOf("-")) : "";
  const file = path.join(build, "models", "bench", `${known.shape}${tag}-${type}.gguf`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), {recursive: true});
    console.error(`bench: writing ${file}`);
    execFileSync(path.join(build, "make-test-model"),
                 ["--arch", known.arch, "--shape", known.shape, "--type", type, "--out", file,
                  "--quiet", ...(known.extra ?? [])],
                 {stdio: "inherit"});
  }
  return file;
}

// "pp512" -> prefill 512; "tg128" -> decode 128 after 16; "tg128@8192" -> decode 128 after 8192.
function parseLine(line) {
  const pp = line.match(/^pp(\d+)$/);
  if (pp) return {pp: +pp[1], tg: 0, depth: 0};
  const tg = line.match(/^tg(\d+)(?:@(\d+))?$/);
  if (tg) return {pp: 0, tg: +tg[1], depth: tg[2] ? +tg[2] : 16};
  throw new Error(`unknown bench line ${line}`);
}

function run(engine, model, spec, extra = []) {
  const args = ["--model", model, "--pp", `${spec.pp}`, "--tg", `${spec.tg}`, "--depth",
                `${spec.depth}`, "--reps", a.reps, "--threads", a.threads,
                "--kv-cache-type", a["kv-cache-type"], ...extra];
  const out = engine === "ours"
      ? execFileSync(path.join(build, "anthropic-local"), ["bench", ...args], {encoding: "utf8"})
      : execFileSync(process.execPath, [path.join(root, "bench", "llama_bench.mjs"), ...args],
                     {encoding: "utf8"});
  return JSON.parse(out.trim().split("\n").pop());
}

const results = [];
const cpu = fs.readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? "?";
console.log(`machine: ${cpu}, ${a.threads} threads, KV cache ${a["kv-cache-type"]}, ` +
            `${new Date().toISOString()}`);
for (const name of a.models.split(",")) {
  const model = ensureModel(name);
  let bandwidth = null;
  for (const line of a.lines.split(",")) {
    const spec = parseLine(line);
    const ours = run("ours", model, spec, bandwidth === null ? ["--bandwidth"] : []);
    bandwidth ??= ours.bandwidth_gbs;
    const llama = run("llama", model, spec);
    const key = spec.pp ? "prefill_tps" : "decode_tps";
    const row = {model: name, line, ours: median(ours[key]), llama: median(llama[key]),
                 ours_runs: ours[key], llama_runs: llama[key],
                 ours_rss_mb: ours.peak_rss_mb, llama_rss_mb: llama.peak_rss_mb};
    row.ratio = row.ours / row.llama;
    if (!spec.pp) {
      const bytes = ours.decode_weight_bytes + ours.kv_bytes_per_token * spec.depth;
      row.roofline = bandwidth * 1e9 / bytes;
    }
    results.push(row);
    console.log(`${name.padEnd(12)} ${line.padEnd(11)} ours ${row.ours.toFixed(1).padStart(7)}  ` +
                `llama.cpp ${row.llama.toFixed(1).padStart(7)}  ratio ${row.ratio.toFixed(2)}` +
                (row.roofline ? `  roofline ${row.roofline.toFixed(1)}` : "") +
                `  rss ${row.ours_rss_mb.toFixed(0)}/${row.llama_rss_mb.toFixed(0)} MB`);
  }
}
fs.mkdirSync(path.join(build, "bench"), {recursive: true});
fs.writeFileSync(path.join(build, "bench", "latest.json"),
                 JSON.stringify({machine: cpu, threads: +a.threads, kv_cache_type: a["kv-cache-type"],
                                 results}, null, 2));
