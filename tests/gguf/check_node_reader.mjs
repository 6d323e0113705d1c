// Differential test of our GGUF writer and reader against node-llama-cpp's GGUF reader (the one
// llama.cpp's JavaScript binding uses): gguf_sample writes a file with engine::GgufWriter and
// prints what engine::GgufFile reads from it; readGgufFileInfo must see the same version,
// metadata (every key, type-exact values) and tensor infos (name, GGML type, shape, offset).
//   node check_node_reader.mjs --sample BIN --node-modules DIR [--work DIR]
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    sample: { type: "string" },
    "node-modules": { type: "string" },
    work: { type: "string", default: os.tmpdir() },
  },
});
if (!args.sample || !args["node-modules"]) {
  console.error("usage: node check_node_reader.mjs --sample BIN --node-modules DIR [--work DIR]");
  process.exit(2);
}
const nodeModule = (p) => pathToFileURL(path.resolve(args["node-modules"], p)).href;
const { readGgufFileInfo } = await import(nodeModule("node-llama-cpp/dist/index.js"));

fs.mkdirSync(args.work, { recursive: true });
const file = path.join(args.work, `gguf_sample_${process.pid}.gguf`);
const ours = JSON.parse(execFileSync(args.sample, [file], { encoding: "utf8" }));
const theirs = await readGgufFileInfo(file, { sourceType: "filesystem", logWarnings: false });
fs.rmSync(file);

const failures = [];
const expectEqual = (what, got, want) => {
  const a = JSON.stringify(got);
  const b = JSON.stringify(want);
  if (a !== b) failures.push(`${what}: node-llama-cpp sees ${a}, we see ${b}`);
};
// node-llama-cpp gives 64-bit values as BigInt above 2^53 and Numbers below; we print them as
// decimal strings. Compare both as strings where ours is a string.
const normalise = (theirsValue, oursValue) => {
  if (Array.isArray(oursValue) && Array.isArray(theirsValue)) {
    return theirsValue.map((v, i) => normalise(v, oursValue[i]));
  }
  if (typeof oursValue === "string" && (typeof theirsValue === "bigint" || typeof theirsValue === "number")) {
    return String(theirsValue);
  }
  return typeof theirsValue === "bigint" ? String(theirsValue) : theirsValue;
};
// node-llama-cpp nests metadata by the dots in keys ("a.b.c" -> metadata.a.b.c).
const lookup = (key) => key.split(".").reduce((o, k) => (o == null ? undefined : o[k]), theirs.metadata);

expectEqual("version", theirs.version, ours.version);
expectEqual("tensor count", Number(theirs.tensorCount), ours.tensors.length);
expectEqual("end of info / data offset", theirs.infoEndOffset, ours.data_offset);
for (const { key, value } of ours.metadata) {
  const theirsValue = lookup(key);
  if (theirsValue === undefined) {
    failures.push(`metadata ${key}: missing in node-llama-cpp's view`);
    continue;
  }
  expectEqual(`metadata ${key}`, normalise(theirsValue, value), value);
}
for (const [i, t] of ours.tensors.entries()) {
  const o = theirs.tensorInfo[i];
  expectEqual(`tensor #${i} name`, o?.name, t.name);
  expectEqual(`tensor ${t.name} type`, o?.ggmlType, t.type);
  expectEqual(`tensor ${t.name} shape`, o?.dimensions.map(Number), t.ne);
  expectEqual(`tensor ${t.name} file offset`, Number(o?.fileOffset), t.offset);
}
console.log(`compared ${ours.metadata.length} metadata entries and ${ours.tensors.length} tensors`);
if (failures.length > 0) {
  console.error(failures.slice(0, 20).join("\n"));
  console.error(`${failures.length} mismatches`);
  process.exit(1);
}
console.log("node-llama-cpp reads our GGUF exactly as we do");
