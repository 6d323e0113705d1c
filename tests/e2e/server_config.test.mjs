// The configuration surface: every knob of docs/CONFIG.md is a flag in `serve --help` and back,
// the knobs the issue names are all there, the lines the server prints for pasting into a shell
// (what `make run` shows), the loud line of scripts/default-model, DEBUG_REQUEST_DIR's files, and
// a few knobs seen from a client (MAX_TOKENS, MODEL_NAME, MODEL_ALIASES, ANTHROPIC_VERSION,
// EXPOSE_THINKING, the refusal of a remote address without a token).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import { BINARY, postRaw, scriptFile, startServer, testModel } from './server_harness.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = { rules: [{ match: '', reply: '<think>\nHmm.\n</think>\n\nA plain answer, long enough to cut.' }] };

// The variable names of docs/CONFIG.md's tables (and the flag-only `--scripted-replies`).
function documentedVariables() {
  const text = readFileSync(join(REPO, 'docs/CONFIG.md'), 'utf8');
  return [...text.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]);
}

async function waitFor(condition, ms = 5000) {
  const start = Date.now();
  while (!condition()) {
    assert.ok(Date.now() - start < ms, `not within ${ms} ms: ${condition}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const flagOf = (name) => `--${name.toLowerCase().replaceAll('_', '-')}`;

test('every documented variable is a flag of serve --help, and every flag is documented', () => {
  const help = spawnSync(BINARY, ['serve', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  const documented = documentedVariables();
  for (const name of ['HOST', 'PORT', 'MODEL', 'ANTHROPIC_AUTH_TOKEN', 'MAX_TOKENS', 'TEMPERATURE', 'TOP_P',
                      'CONTEXT_SIZE', 'PREFILL_CHUNK', 'THREADS', 'PROMPT_CACHE', 'PROMPT_CACHE_BYTES',
                      'CONTEXT_TTL_MS', 'CONTEXT_MAX_SESSIONS', 'ENABLE_THINKING', 'EXPOSE_THINKING',
                      'ANTHROPIC_VERSION', 'DEBUG_REQUEST_DIR']) {
    assert.ok(documented.includes(name), `docs/CONFIG.md does not document ${name}`);
  }
  for (const name of documented) {
    assert.ok(help.stdout.includes(flagOf(name)), `serve --help has no ${flagOf(name)}`);
    assert.ok(help.stdout.includes(`Env:${name}`), `serve --help does not name the variable ${name}`);
  }
  const flags = new Set([...help.stdout.matchAll(/(?<![\w-])--(?!no-)([a-z][a-z-]*)/g)].map((m) => m[1]));
  flags.delete('help');
  flags.delete('scripted-replies');  // tests only, documented as a flag
  assert.ok(readFileSync(join(REPO, 'docs/CONFIG.md'), 'utf8').includes('`--scripted-replies FILE`'));
  for (const flag of flags) {
    const name = flag.toUpperCase().replaceAll('-', '_');
    assert.ok(documented.includes(name), `--${flag} is in serve --help but not in docs/CONFIG.md`);
  }
});

test('the server prints the lines to paste, and the scripted sampler is announced loudly', async () => {
  const server = await startServer({ args: ['--scripted-replies', scriptFile(SCRIPT)] });
  try {
    await waitFor(() => server.stdout().includes('ANTHROPIC_MODEL='));
    const out = server.stdout();
    assert.match(out, new RegExp(`^listening on ${server.url}$`, 'm'));
    assert.match(out, new RegExp(`^ +export ANTHROPIC_BASE_URL=${server.url}$`, 'm'));
    assert.match(out, new RegExp(`^ +export ANTHROPIC_AUTH_TOKEN=${server.token}$`, 'm'));
    const name = basename(testModel(), '.gguf');
    assert.match(out, new RegExp(`^ +export ANTHROPIC_MODEL=${name}$`, 'm'));
    const models = await (await fetch(`${server.url}/v1/models`, { headers: { 'x-api-key': server.token } })).json();
    assert.equal(models.data[0].id, name);
    assert.match(server.log(), /\*\*\* TEST MODE: --scripted-replies .* \*\*\*/);
  } finally {
    await server.stop();
  }
});

test('scripts/default-model says loudly that the default model is a random test model', () => {
  const run = spawnSync(join(REPO, 'scripts/default-model'), [testModel()], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /NOTE: SERVING A RANDOM-WEIGHT TEST MODEL/);
  assert.match(run.stderr, /make run MODEL=\/path\/to\//);
});

test('a non-loopback address without a token is refused unless allowed explicitly', () => {
  const refused = spawnSync(BINARY, ['serve', '--model', testModel(), '--host', '0.0.0.0',
                                     '--anthropic-auth-token', ''], { encoding: 'utf8', timeout: 30000 });
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, /refusing to listen on 0\.0\.0\.0 without a token/);
});

test('KV_CACHE_TYPE: an unknown type and heads that are not whole Q8_0 blocks are refused clearly', () => {
  const unknown = spawnSync(BINARY, ['serve', '--model', testModel(), '--kv-cache-type', 'q4_0'],
                            { encoding: 'utf8' });
  assert.equal(unknown.status, 2, unknown.stderr);
  assert.match(unknown.stderr, /unknown KV cache type "q4_0": the types are f16 and q8_0/);
  // The tiny test model's heads are 16 wide.
  const heads = spawnSync(BINARY, ['serve', '--model', testModel(), '--port', '0'],
                          { encoding: 'utf8', env: { ...process.env, KV_CACHE_TYPE: 'q8_0' } });
  assert.equal(heads.status, 1, heads.stderr);
  assert.match(heads.stderr, /KV cache of type q8_0 needs head sizes in multiples of 32; these are 16 \(keys\)/);
});

test('DEBUG_REQUEST_DIR, MAX_TOKENS, MODEL_NAME, MODEL_ALIASES, ANTHROPIC_VERSION, EXPOSE_THINKING', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'al-debug-'));
  const server = await startServer({
    args: ['--scripted-replies', scriptFile(SCRIPT), '--model-name', 'local-test', '--max-tokens', '12'],
    env: { DEBUG_REQUEST_DIR: dir, MODEL_ALIASES: 'alias-one,alias-two', ANTHROPIC_VERSION: '2099-01-01',
           EXPOSE_THINKING: '1' },
  });
  try {
    const { response, text } = await postRaw(server, '/v1/messages', {
      model: 'claude-opus-4-1', max_tokens: 1000, messages: [{ role: 'user', content: 'Debug me please' }],
    });
    assert.equal(response.status, 200, text);
    assert.equal(response.headers.get('anthropic-version'), '2099-01-01');
    const message = JSON.parse(text);
    assert.equal(message.stop_reason, 'max_tokens');
    assert.equal(message.usage.output_tokens, 12);  // the server's cap, not the request's 1000
    assert.equal(message.content[0].type, 'thinking');  // exposed although not asked for

    const id = response.headers.get('request-id');
    const summary = JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8'));
    assert.equal(summary.request_id, id);
    assert.equal(summary.model, 'claude-opus-4-1');
    assert.equal(summary.max_tokens_effective, 12);
    assert.deepEqual(summary.usage, message.usage);
    assert.equal(summary.stop_reason, 'max_tokens');
    assert.equal(typeof summary.cache.cached_tokens, 'number');
    assert.match(readFileSync(join(dir, `${id}.prompt.txt`), 'utf8'), /Debug me please/);

    const models = JSON.parse((await (await fetch(`${server.url}/v1/models`, { headers: { 'x-api-key': server.token } })).text()));
    assert.deepEqual(models.data.map((m) => m.id), ['local-test', 'alias-one', 'alias-two']);
    const health = await (await fetch(`${server.url}/health`)).json();
    assert.equal(health.anthropic_version, '2099-01-01');
    assert.equal(health.thinking.exposed, true);
    assert.equal(health.model.name, 'local-test');
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(!existsSync(dir));
});
