// llama.cpp's side of the speed comparison: the same measurements as `anthropic-local bench`
// (prefill of --pp synthetic tokens; decode of --tg tokens after a --depth-token prompt), run
// through node-llama-cpp's prebuilt CPU llama.cpp, printed as one JSON line.
//   node bench/llama_bench.mjs --model M --pp 512 --tg 128 --depth 16 --reps 3 --threads 2
//                              [--flash-attention] [--kv-cache-type f16|q8_0]
// A q8_0 cache (llama.cpp's --cache-type-k/-v q8_0) needs flash attention, so it turns it on.
import {parseArgs} from "node:util";
import path from "node:path";
import {fileURLToPath} from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeModules = process.env.AL_NODE_MODULES ?? path.join(here, "..", "build", "node", "node_modules");
const {getLlama} = await import(path.join(nodeModules, "node-llama-cpp", "dist", "index.js"));

const {values: a} = parseArgs({options: {
  model: {type: "string"}, pp: {type: "string", default: "512"}, tg: {type: "string", default: "128"},
  depth: {type: "string", default: "16"}, reps: {type: "string", default: "3"},
  threads: {type: "string", default: "2"}, batch: {type: "string", default: "512"},
  "flash-attention": {type: "boolean", default: false},
  "kv-cache-type": {type: "string", default: "f16"},
}});
if (!["f16", "q8_0"].includes(a["kv-cache-type"])) throw new Error("--kv-cache-type is f16 or q8_0");
const kvType = a["kv-cache-type"].toUpperCase();
const flashAttention = a["flash-attention"] || kvType !== "F16";
const pp = +a.pp, tg = +a.tg, depth = Math.max(+a.depth, 1), reps = +a.reps, threads = +a.threads;

// The same synthetic ids as bench_command.cpp.
const syntheticIds = (n) => Array.from({length: n}, (_, i) => 1000 + ((i * 7919) % 50000));

const llama = await getLlama({gpu: false, logLevel: "error"});
const loadStart = performance.now();
const model = await llama.loadModel({modelPath: a.model, gpuLayers: 0, useMmap: true});
const loadS = (performance.now() - loadStart) / 1000;
const context = await model.createContext({
  contextSize: Math.max(pp, depth + tg) + 16, threads, batchSize: +a.batch, flashAttention,
  experimentalKvCacheKeyType: kvType, experimentalKvCacheValueType: kvType,
});
const sequence = context.getSequence();

const prefill = [];
for (let r = 0; r < pp > 0 && r < reps; r++) {
  await sequence.clearHistory();
  const start = performance.now();
  await sequence.evaluateWithoutGeneratingNewTokens(syntheticIds(pp));
  prefill.push(pp / ((performance.now() - start) / 1000));
}

// The depth prompt is prefilled once; each repetition erases what the previous one decoded, as
// `anthropic-local bench` truncates its sequence, so that a deep line costs one long prefill.
const decode = [];
if (tg > 0) {
  await sequence.clearHistory();
  await sequence.evaluateWithoutGeneratingNewTokens(syntheticIds(depth));
}
for (let r = 0; tg > 0 && r < reps; r++) {
  if (sequence.nextTokenIndex > depth) {
    await sequence.eraseContextTokenRanges([{start: depth, end: sequence.nextTokenIndex}]);
  }
  // Greedy decode of tg tokens: each step evaluates the previous token and picks the next.
  const generator = sequence.evaluate([syntheticIds(depth + 1)[depth]], {temperature: 0});
  const start = performance.now();
  for (let i = 0; i < tg; i++) {
    const step = await generator.next();
    if (step.done) break;
  }
  decode.push(tg / ((performance.now() - start) / 1000));
  await generator.return?.();
}

console.log(JSON.stringify({
  engine: "llama.cpp", model: a.model, threads, pp, tg, depth, flash_attention: flashAttention,
  kv_cache_type: a["kv-cache-type"],
  prefill_tps: prefill,
  decode_tps: decode, load_s: loadS, peak_rss_mb: process.resourceUsage().maxRSS / 1024,
}));
process.exit(0);
