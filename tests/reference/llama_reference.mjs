// llama.cpp's answer for a prompt: the correctness reference of our engine. Runs a GGUF model in
// llama.cpp (node-llama-cpp, CPU, flash attention off unless --kv-cache-type q8_0, `--threads`
// threads, the whole prompt in one batch unless --batch-size says otherwise) on a prompt given as
// token ids, and writes:
//
// (a) --out-logprobs FILE: for every prompt position i, log P(next token = t | ids[0..i]) for
//     every vocab id t, as little-endian float32, row-major [n_tokens][n_vocab] (row i is the
//     distribution after token i). Exactly the log-softmax of llama.cpp's logits: the
//     probabilities come from node-llama-cpp's sampleToken at temperature 0, whose sampler chain
//     (greedy) leaves every logit alone, then are renormalized in double precision (which undoes
//     the float32 rounding of node-llama-cpp's sum). A token whose probability underflowed to 0,
//     or that the probabilities omitted, is -Infinity (counted in the header's `missing`).
//     Beside it, FILE.json holds the header:
//       { "format": "f32le", "shape": [n_tokens, n_vocab], "n_tokens", "n_vocab", "model",
//         "threads", "batch_size", "context_size", "flash_attention", "kv_cache_type",
//         "max_abs_raw_sum_error": max over rows of |sum of node-llama-cpp's probabilities - 1|,
//         "missing": number of -Infinity entries, "argmax": [n_tokens] the top token per row }
//     With --stride S, rows only for positions S-1, 2S-1, ... and the last (header "positions").
// (b) --out-greedy FILE (with --greedy N): the N tokens llama.cpp generates after the prompt at
//     temperature 0 (greedy; it does not stop at end-of-generation tokens), as JSON:
//       { "prompt_tokens": n_tokens, "tokens": [N ids], "logprobs": [N] the chosen tokens'
//         log-probabilities, "gaps": [N] the log-probability gap between the chosen token and
//         the runner-up (small gaps mark steps where another engine may rightly pick another
//         token) }
//
// Usage:
//   node tests/reference/llama_reference.mjs --model F.gguf --ids ids.json \
//       --out-logprobs out.bin [--greedy 32 --out-greedy greedy.json] [--threads 2] \
//       [--context-size N] [--batch-size N] [--kv-cache-type f16|q8_0] [--node-modules DIR]
// ids.json: a JSON array of token ids (no BOS is added). --kv-cache-type q8_0 stores keys and
// values as Q8_0 (llama.cpp's --cache-type-k/-v q8_0), which needs flash attention: on then. Exit status 0 on success, 1 on error,
// 2 on bad arguments.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const args = {
    threads: "2",
    greedy: "0",
    "node-modules": path.join(here, "../../build/node/node_modules"),
  };
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || i + 1 >= argv.length) usage(`bad argument ${argv[i]}`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  for (const required of ["model", "ids", "out-logprobs"]) {
    if (!args[required]) usage(`--${required} is required`);
  }
  for (const n of ["threads", "greedy", "context-size", "batch-size", "stride"]) {
    if (args[n] !== undefined && !/^\d+$/.test(args[n])) usage(`--${n} must be a number`);
  }
  if (Number(args.greedy) > 0 && !args["out-greedy"]) usage("--greedy needs --out-greedy");
  args["kv-cache-type"] ??= "f16";
  if (!["f16", "q8_0"].includes(args["kv-cache-type"])) usage("--kv-cache-type is f16 or q8_0");
  return args;
}

function usage(message) {
  console.error(`llama_reference: ${message}\nusage: node llama_reference.mjs --model F.gguf ` +
                `--ids ids.json --out-logprobs out.bin [--greedy N --out-greedy greedy.json] ` +
                `[--threads 2] [--context-size N] [--batch-size N] [--stride S] ` +
                `[--kv-cache-type f16|q8_0] [--node-modules DIR]`);
  process.exit(2);
}

function readIds(file) {
  const ids = JSON.parse(fs.readFileSync(file, "utf8"));
  if (!Array.isArray(ids) || ids.length === 0 ||
      !ids.every((t) => Number.isInteger(t) && t >= 0)) {
    throw new Error(`${file}: expected a non-empty JSON array of token ids`);
  }
  return ids;
}

// node-llama-cpp's native sampleToken returns the probabilities as a flat array [token, p, token,
// p, ...], which controlledEvaluate turns into a Map of every vocab entry: that Map costs more
// than the rest of the work together. When the (private, version-pinned) native context is
// there, its sampleToken is wrapped to keep the flat array aside and hand on no probabilities;
// otherwise the public Map is read. Returns a function giving the probabilities of an output.
function interceptProbabilities(context) {
  const native = context._ctx;
  if (typeof native?.sampleToken !== "function") {
    return (output) => Array.from(output.next.probabilities).flat();
  }
  let last = null;
  const sampleToken = native.sampleToken.bind(native);
  // The prototype's method is read-only; an own property of the instance shadows it.
  Object.defineProperty(native, "sampleToken", {
    value: async (...args) => {
      const result = await sampleToken(...args);
      if (Array.isArray(result) && Array.isArray(result[1])) {
        last = result[1];
        return [result[0], undefined, result[2]];
      }
      return result;
    },
  });
  return () => {
    const flat = last;
    last = null;
    if (flat == null) throw new Error("llama.cpp returned no probabilities");
    return flat;
  };
}

// Probabilities as a flat array [token, p, ...] -> a log-probability row; returns its stats.
function toLogprobRow(flat, row) {
  row.fill(-Infinity);
  let sum = 0;
  for (let i = 1; i < flat.length; i += 2) sum += flat[i];
  const logSum = Math.log(sum);
  let finite = 0;
  let best = -1;
  let bestLp = -Infinity;
  let secondLp = -Infinity;
  for (let i = 0; i < flat.length; i += 2) {
    const token = flat[i];
    const p = flat[i + 1];
    if (token < 0 || token >= row.length) throw new Error(`token ${token} outside the vocab`);
    if (p <= 0) continue;
    const lp = Math.log(p) - logSum;
    row[token] = lp;
    finite++;
    if (lp > bestLp) {
      secondLp = bestLp;
      bestLp = lp;
      best = token;
    } else if (lp > secondLp) {
      secondLp = lp;
    }
  }
  return { rawSum: sum, missing: row.length - finite, best, bestLp, gap: bestLp - secondLp };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const ids = readIds(args.ids);
  const threads = Number(args.threads);
  const nGreedy = Number(args.greedy);
  const contextSize = Number(args["context-size"] ?? ids.length + nGreedy + 1);
  const batchSize = Number(args["batch-size"] ?? ids.length);
  // Rows for positions S-1, 2S-1, ... and the last only (a long prompt's full [n_tokens][n_vocab]
  // would not fit); the same positions as tools/engine-logits --stride.
  const stride = Math.max(1, Number(args.stride ?? 1));
  const positions = [];
  for (let i = stride - 1; i < ids.length; i += stride) positions.push(i);
  if (positions[positions.length - 1] !== ids.length - 1) positions.push(ids.length - 1);
  const rowOf = new Map(positions.map((position, row) => [position, row]));
  if (contextSize < ids.length + nGreedy) {
    throw new Error(`--context-size ${contextSize} < ${ids.length} prompt + ${nGreedy} tokens`);
  }

  const { getLlama, LlamaLogLevel } =
      await import(path.resolve(args["node-modules"], "node-llama-cpp/dist/index.js"));
  const llama = await getLlama({
    gpu: false, build: "never", logLevel: LlamaLogLevel.error, maxThreads: threads });
  const model = await llama.loadModel({ modelPath: args.model });
  const nVocab = model.fileInfo.metadata?.tokenizer?.ggml?.tokens?.length;
  if (!Number.isInteger(nVocab) || nVocab <= 0) throw new Error("the model has no vocab");
  for (const t of ids) {
    if (t >= nVocab) throw new Error(`token id ${t} is outside the vocab of ${nVocab}`);
  }
  const kvType = args["kv-cache-type"].toUpperCase();
  const flashAttention = kvType !== "F16";
  const context = await model.createContext({
    contextSize, batchSize, flashAttention, threads: { ideal: threads, min: threads },
    sequences: 1, experimentalKvCacheKeyType: kvType, experimentalKvCacheValueType: kvType });
  const sequence = context.getSequence();
  const probabilitiesOf = interceptProbabilities(context);

  const greedyOptions = { temperature: 0 };
  const rows = new Float32Array(positions.length * nVocab);
  const header = {
    format: "f32le", shape: [positions.length, nVocab], n_tokens: ids.length, n_vocab: nVocab,
    positions,
    model: path.resolve(args.model), threads, batch_size: batchSize,
    context_size: context.contextSize, flash_attention: flashAttention,
    kv_cache_type: args["kv-cache-type"], max_abs_raw_sum_error: 0,
    missing: 0, argmax: new Array(positions.length) };
  const greedy = { prompt_tokens: ids.length, tokens: [], logprobs: [], gaps: [] };

  const gaps = new Array(positions.length);  // per row, for the first greedy step
  const take = (position, output) => {
    const index = rowOf.get(position);
    const stats = toLogprobRow(probabilitiesOf(output),
                               rows.subarray(index * nVocab, (index + 1) * nVocab));
    output.next.probabilities = undefined;  // free it now: the result array keeps `output`
    header.max_abs_raw_sum_error = Math.max(header.max_abs_raw_sum_error,
                                            Math.abs(stats.rawSum - 1));
    header.missing += stats.missing;
    header.argmax[index] = stats.best;
    gaps[index] = stats.gap;
  };

  const input = ids.map((t, i) => rowOf.has(i) ? [t, { generateNext: {
    probabilities: true, token: true, options: greedyOptions } }] : t);
  const results = await sequence.controlledEvaluate(input, {
    onTokenResult: (index, output) => take(index, output) });
  for (const i of positions) {
    if (results[i]?.next?.token == null) throw new Error(`llama.cpp gave no output at ${i}`);
  }
  let next = results[ids.length - 1].next.token;

  if (nGreedy > 0) {
    const last = positions.length - 1;
    greedy.tokens.push(next);
    greedy.logprobs.push(rows[last * nVocab + next]);
    greedy.gaps.push(gaps[last]);
    const row = new Float32Array(nVocab);
    while (greedy.tokens.length < nGreedy) {
      let stats = null;
      const [out] = await sequence.controlledEvaluate([[next, { generateNext: {
        probabilities: true, token: true, options: greedyOptions } }]], {
        onTokenResult: (_, output) => {
          stats = toLogprobRow(probabilitiesOf(output), row);
          output.next.probabilities = undefined;
        } });
      next = out.next.token;
      greedy.tokens.push(next);
      greedy.logprobs.push(row[next]);
      greedy.gaps.push(stats.gap);
    }
    fs.writeFileSync(args["out-greedy"], JSON.stringify(greedy) + "\n");
  }

  fs.writeFileSync(args["out-logprobs"], Buffer.from(rows.buffer, rows.byteOffset,
                                                     rows.byteLength));
  fs.writeFileSync(args["out-logprobs"] + ".json", JSON.stringify(header) + "\n");
  await context.dispose();
  await model.dispose();
}

main().catch((e) => {
  console.error(`llama_reference: ${e.stack ?? e}`);
  process.exit(1);
});
