// Starts the real anthropic-local binary for an e2e suite and stops it afterwards.
//
//   const server = await startServer({ args: ['--scripted-replies', file] });
//   ... fetch(`${server.url}/v1/messages`, ...) ...
//   await server.stop();
//
// The binary is $AL_BINARY (CMake sets it to the build's anthropic-local), the model a tiny
// random-weight Qwen3 with the real tokenizer and chat template, written once per process by
// $AL_MAKE_TEST_MODEL into a scratch directory. The server listens on 127.0.0.1 with --port 0;
// its "listening on" line gives the port. Its stderr is kept (server.log()) for the checks that
// read the [cache] and [perf] lines.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BINARY = process.env.AL_BINARY ?? join(REPO, 'build/anthropic-local');
const MAKE_TEST_MODEL = process.env.AL_MAKE_TEST_MODEL ?? join(dirname(BINARY), 'make-test-model');
export const TOKEN = 'sk-e2e-test';

let scratch;
function scratchDir() {
  if (!scratch) {
    scratch = mkdtempSync(join(tmpdir(), 'al-e2e-'));
    process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
  }
  return scratch;
}

// A qwen3 test model of make-test-model's `shape` (the servers' default: tiny), written once into
// $AL_E2E_DIR (the build's e2e folder, shared by the suites; written under a temporary name and
// renamed, so suites running in parallel never read half a file), else into this process's
// scratch directory.
const models = new Map();
export function testModel(shape = 'tiny') {
  if (models.has(shape)) return models.get(shape);
  const dir = process.env.AL_E2E_DIR ?? scratchDir();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${shape}-qwen3-q8_0.gguf`);
  if (!existsSync(path)) {
    const partial = `${path}.${process.pid}.partial`;
    const made = spawnSync(MAKE_TEST_MODEL,
                           ['--arch', 'qwen3', '--shape', shape, '--type', 'q8_0', '--quiet', '--out', partial],
                           { encoding: 'utf8' });
    if (made.status !== 0 || !existsSync(partial)) {
      throw new Error(`${MAKE_TEST_MODEL} failed (${made.status}): ${made.stderr}`);
    }
    renameSync(partial, path);
  }
  models.set(shape, path);
  return path;
}

// Writes a --scripted-replies file and returns its path.
export function scriptFile(script) {
  const path = join(scratchDir(), `script-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(script));
  return path;
}

export async function startServer({ args = [], env = {}, token = TOKEN } = {}) {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: build it first`);
  const child = spawn(BINARY, ['serve', '--model', testModel(), '--host', '127.0.0.1', '--port', '0',
                               '--anthropic-auth-token', token, '--context-size', '4096',
                               '--threads', '2', ...args],
                      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready in 60 s:\n${stderr}`)), 60000);
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = stdout.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolveUrl(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${stderr}`)); });
  });
  child.removeAllListeners('exit');
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return {
    url,
    token,
    child,
    stdout: () => stdout,
    log: () => stderr,
    // Resolves once the server wrote a log line matching `re` (or rejects after `ms`).
    async waitForLog(re, ms = 10000) {
      const start = Date.now();
      while (!re.test(stderr)) {
        if (Date.now() - start > ms) throw new Error(`no log line ${re} in ${ms} ms:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return stderr.match(re);
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

// The raw bytes of a POST, for the checks that look at the exact SSE stream.
export async function postRaw(server, path, body, headers = {}) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': server.token,
               'anthropic-version': '2023-06-01', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { response, bytes, text: new TextDecoder().decode(bytes) };
}

// The official SDK from build/node, with a fetch that keeps a copy of every SSE stream's bytes in
// `streams` so that each can be checked against the grammar.
export async function sdkClient(server, { apiKey = server.token, maxRetries = 0 } = {}) {
  const sdkPath = join(REPO, 'build/node/node_modules/@anthropic-ai/sdk/index.mjs');
  if (!existsSync(sdkPath)) throw new Error('build/node is missing: run scripts/install-deps');
  const { default: Anthropic } = await import(sdkPath);
  const streams = [];
  const client = new Anthropic({
    apiKey,
    baseURL: server.url,
    maxRetries,
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        streams.push(response.clone().arrayBuffer().then((b) => new Uint8Array(b)));
      }
      return response;
    },
  });
  return { client, streams, Anthropic };
}
