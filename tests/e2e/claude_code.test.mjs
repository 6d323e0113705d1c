// The real Claude Code CLI (the version pinned in tests/node/package-lock.json, see
// docs/COMPATIBILITY.md) against the real server: headless `claude -p … --output-format json`
// with ANTHROPIC_BASE_URL at the server, a scratch HOME and working directory, nonessential traffic
// off. The model is the tiny random-weight Qwen3 with scripted replies in its own output format
// (<tool_call>, <think>), so Claude Code's whole loop runs for real: its ~12k-token prompt, the
// Bash tool, the tool_result turn, thinking blocks with our signatures coming back.
//
// A recording proxy sits between Claude Code and the server: it keeps every request and the bytes
// of every response, so that each SSE stream is checked against the Anthropic event grammar and
// each turn's usage and body can be looked at.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { scriptFile, startServer } from './server_harness.mjs';
import { checkSseStream, parseSseEvents } from './sse_grammar.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLAUDE = process.env.AL_CLAUDE_CODE ??
  join(REPO, 'build/node/node_modules/@anthropic-ai/claude-code/bin/claude.exe');
const CLAUDE_TIMEOUT_MS = 75000;

const toolCall = (name, args) => `<tool_call>\n${JSON.stringify({ name, arguments: args })}\n</tool_call>`;

// Rules match the text of the last user message: the prompt of each case, then the output of the
// command Claude Code ran (its tool_result). The commands print a marker for the second rule.
const SCRIPT = {
  rules: [
    { match: 'Write hi into out.txt',
      reply: toolCall('Bash', { command: 'echo hi > out.txt && echo E2E-WROTE-OUT', description: 'Write out.txt' }) },
    { match: 'E2E-WROTE-OUT', reply: 'I wrote hi into out.txt.' },
    { match: 'Think, then write deep into think.txt',
      reply: '<think>\nThe user wants think.txt; the Bash tool can write it.\n</think>\n\n' +
             toolCall('Bash', { command: 'echo deep > think.txt && echo E2E-WROTE-THINK', description: 'Write think.txt' }) },
    { match: 'E2E-WROTE-THINK', reply: '<think>\nThe command printed its marker, so it worked.\n</think>\n\nthink.txt now holds deep.' },
    { match: 'What is the capital of France?', reply: 'The capital of France is Paris.' },
    { match: '', reply: 'Unexpected request.' },
  ],
};

let server;
let proxy;
let scratch;
const exchanges = [];  // every request Claude Code made: {method, url, headers, body, status, contentType, bytes}

// Forwards every request to the server as it comes, streaming the answer back chunk by chunk (so
// pings and deltas reach Claude Code when the server sends them), and records both sides.
function startProxy(target) {
  const upstream = new URL(target);
  const srv = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const exchange = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) };
      exchanges.push(exchange);
      const up = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url,
                                headers: req.headers }, (r) => {
        exchange.status = r.statusCode;
        exchange.contentType = r.headers['content-type'] ?? '';
        res.writeHead(r.statusCode, r.headers);
        const out = [];
        r.on('data', (c) => { out.push(c); res.write(c); });
        r.on('end', () => { exchange.bytes = Buffer.concat(out); res.end(); });
      });
      up.on('error', (e) => { exchange.error = String(e); res.destroy(); });
      res.on('close', () => { if (!res.writableFinished) up.destroy(); });
      up.end(exchange.body);
    });
  });
  return new Promise((r) => srv.listen(0, '127.0.0.1', () => r({ srv, url: `http://127.0.0.1:${srv.address().port}` })));
}

// Runs `claude -p prompt --output-format json` in a fresh working directory under the scratch HOME;
// resolves with the parsed result, the working directory and the exchanges of this run.
function runClaude(name, prompt, extraArgs = [], { via = proxy, token = server.token, extraEnv = {} } = {}) {
  const cwd = join(scratch, name);
  mkdirSync(cwd);
  const first = exchanges.length;
  // A clean environment: nothing of the caller's Anthropic settings or proxies leaks in.
  const env = {
    PATH: process.env.PATH, SHELL: '/bin/bash', LANG: 'C.UTF-8', HOME: join(scratch, 'home'),
    ANTHROPIC_BASE_URL: via.url, ANTHROPIC_AUTH_TOKEN: token,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1', ...extraEnv,
  };
  const args = ['-p', prompt, '--output-format', 'json', '--allowedTools', 'Bash', ...extraArgs];
  return new Promise((resolveRun, reject) => {
    // stdin is /dev/null: with -p and a pipe for stdin, Claude Code waits for it to close.
    const child = spawn(CLAUDE, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), CLAUDE_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const context = `claude exited ${code} ${signal ?? ''}\nstdout: ${stdout}\nstderr: ${stderr}\n` +
                      `server log:\n${server.log().slice(-4000)}`;
      let result;
      try {
        result = JSON.parse(stdout);
      } catch {
        reject(new Error(`no JSON result: ${context}`));
        return;
      }
      resolveRun({ code, result, cwd, context, exchanges: exchanges.slice(first) });
    });
  });
}

// The generations of a run (Claude Code posts to /v1/messages?beta=true).
const messageCalls = (run) =>
  run.exchanges.filter((e) => e.method === 'POST' && new URL(e.url, proxy.url).pathname === '/v1/messages');
const bodyOf = (exchange) => JSON.parse(exchange.body.toString());

// The usage of a streamed answer: message_start's, updated by each message_delta's.
function streamUsage(exchange) {
  const usage = {};
  for (const { name, json } of parseSseEvents(exchange.bytes).events) {
    if (name === 'message_start') Object.assign(usage, json.message.usage);
    if (name === 'message_delta') Object.assign(usage, json.usage);
  }
  return usage;
}
const promptTokens = (u) => u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;

// Every answer of a run was a success, and every SSE stream is well formed.
function checkExchanges(run) {
  assert.ok(run.exchanges.length > 0, 'Claude Code made no request');
  for (const e of run.exchanges) {
    assert.equal(e.error, undefined, `${e.method} ${e.url}: ${e.error}`);
    assert.ok(e.status >= 200 && e.status < 300, `${e.method} ${e.url} answered ${e.status}: ${e.bytes}`);
    if (e.contentType.startsWith('text/event-stream')) {
      assert.deepEqual(checkSseStream(e.bytes), [], `${e.method} ${e.url}:\n${e.bytes}`);
    }
  }
  // Claude Code streams every generation, so each was checked above.
  for (const e of messageCalls(run)) {
    assert.equal(bodyOf(e).stream, true);
    assert.match(e.contentType, /^text\/event-stream/);
  }
}

function checkSuccess(run) {
  assert.equal(run.code, 0, run.context);
  assert.equal(run.result.type, 'result', run.context);
  assert.equal(run.result.subtype, 'success', run.context);
  assert.equal(run.result.is_error, false, run.context);
  checkExchanges(run);
}

before(async () => {
  if (!existsSync(CLAUDE)) throw new Error(`${CLAUDE} is missing: run scripts/install-deps`);
  scratch = mkdtempSync(join(tmpdir(), 'al-e2e-claude-'));
  mkdirSync(join(scratch, 'home'));
  // Claude Code's prompt is ~12k tokens: the harness's 4096 positions are too few.
  server = await startServer({ args: ['--scripted-replies', scriptFile(SCRIPT), '--context-size', '32768'] });
  proxy = await startProxy(server.url);
});

after(async () => {
  await new Promise((r) => proxy?.srv.close(r));
  if (server) {
    const { code } = await server.stop();
    assert.equal(code, 0, server.log());
  }
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('Claude Code runs the Bash tool the model calls, and turn 2 reads turn 1 from the prompt cache', async () => {
  const run = await runClaude('bash-tool', 'Write hi into out.txt, please.');
  checkSuccess(run);
  assert.equal(readFileSync(join(run.cwd, 'out.txt'), 'utf8'), 'hi\n');
  assert.equal(run.result.result, 'I wrote hi into out.txt.');
  assert.equal(run.result.num_turns, 2, run.context);

  const calls = messageCalls(run);
  assert.equal(calls.length, 2, calls.map((c) => c.body.toString().slice(0, 200)).join('\n'));
  const [turn1, turn2] = calls;
  // Turn 1's answer was the Bash call; turn 2 sent its result back under the same id.
  const toolUse = parseSseEvents(turn1.bytes).events.find((e) => e.name === 'content_block_start' &&
                                                                 e.json.content_block.type === 'tool_use');
  assert.ok(toolUse, turn1.bytes.toString());
  assert.match(toolUse.json.content_block.id, /^toolu_/);
  assert.equal(toolUse.json.content_block.name, 'Bash');
  const messages = bodyOf(turn2).messages;
  const assistant = messages.at(-2);
  assert.equal(assistant.role, 'assistant');
  assert.deepEqual(assistant.content.find((b) => b.type === 'tool_use'),
                   { type: 'tool_use', id: toolUse.json.content_block.id, name: 'Bash',
                     input: { command: 'echo hi > out.txt && echo E2E-WROTE-OUT', description: 'Write out.txt' } });
  const toolResult = messages.at(-1).content.find((b) => b.type === 'tool_result');
  assert.equal(toolResult.tool_use_id, toolUse.json.content_block.id);
  assert.match(JSON.stringify(toolResult.content), /E2E-WROTE-OUT/);
  assert.equal(toolResult.is_error, false);

  // The prompt cache: turn 2 re-sends turn 1's whole prompt, and reads it back.
  const usage1 = streamUsage(turn1);
  const usage2 = streamUsage(turn2);
  assert.ok(promptTokens(usage1) > 5000, `turn 1's prompt is only ${promptTokens(usage1)} tokens`);
  assert.ok(usage2.cache_read_input_tokens >= 0.9 * promptTokens(usage1),
            `turn 2 read ${usage2.cache_read_input_tokens} cached tokens of turn 1's ${promptTokens(usage1)}`);
  const session = run.result.session_id;
  assert.equal(turn2.headers['x-claude-code-session-id'], session);
  await server.waitForLog(new RegExp(`\\[cache\\] request=\\S+ session=${session} hit=true reason=session-continues`));
  // The result's usage is the sum over both turns, as Claude Code saw it.
  assert.equal(run.result.usage.cache_read_input_tokens,
               usage1.cache_read_input_tokens + usage2.cache_read_input_tokens);
});

test('a plain question gets the scripted answer in one turn', async () => {
  const run = await runClaude('plain', 'What is the capital of France?');
  checkSuccess(run);
  assert.equal(run.result.result, 'The capital of France is Paris.');
  assert.equal(run.result.num_turns, 1);
  const calls = messageCalls(run);
  assert.equal(calls.length, 1);
  const body = bodyOf(calls[0]);
  const start = parseSseEvents(calls[0].bytes).events[0];
  assert.equal(start.json.message.model, body.model);
  assert.ok(body.tools.some((t) => t.name === 'Bash'));

  // The interactive UI sends the same body with thinking display "updates" (and its beta) and a
  // `safeguards` field: replayed with those, it is answered as well (no 400 and retry).
  const interactive = await fetch(`${server.url}/v1/messages?beta=true`, {
    method: 'POST',
    headers: {
      ...Object.fromEntries(['authorization', 'anthropic-version', 'content-type', 'x-claude-code-session-id']
        .map((h) => [h, calls[0].headers[h]])),
      'anthropic-beta': `${calls[0].headers['anthropic-beta']},thinking-display-updates-2026-08-18`,
    },
    body: JSON.stringify({ ...body, thinking: { type: 'adaptive', display: 'updates' },
                           safeguards: [{ type: 'dangerous_tool_use', classifier_context: { v: 1 } }] }),
  });
  const replayed = Buffer.from(await interactive.arrayBuffer());
  assert.equal(interactive.status, 200, replayed.toString());
  assert.deepEqual(checkSseStream(replayed), []);
  const text = parseSseEvents(replayed).events.filter((e) => e.json.delta?.type === 'text_delta')
    .map((e) => e.json.delta.text).join('');
  assert.equal(text, 'The capital of France is Paris.');
});

// The `export NAME=VALUE` lines the server prints for pasting into a shell (values single-quoted
// when they need it).
function pasteLines(stdout) {
  const env = {};
  for (const [, name, value] of stdout.matchAll(/^ {2}export ([A-Z_]+)=(.*)$/gm)) {
    env[name] = value.startsWith("'") ? value.slice(1, -1).replaceAll("'\\''", "'") : value;
  }
  return env;
}

test('the lines the server prints are all Claude Code needs, the local model name included', async () => {
  const lines = pasteLines(server.stdout());
  assert.equal(lines.ANTHROPIC_BASE_URL, server.url, server.stdout());
  assert.equal(lines.ANTHROPIC_AUTH_TOKEN, server.token);
  assert.ok(lines.ANTHROPIC_MODEL, server.stdout());
  // Through the recording proxy, but otherwise exactly the pasted environment.
  const run = await runClaude('paste-lines', 'What is the capital of France?', [],
                              { extraEnv: { ...lines, ANTHROPIC_BASE_URL: proxy.url } });
  checkSuccess(run);
  assert.equal(run.result.result, 'The capital of France is Paris.');
  const [call, ...rest] = messageCalls(run);
  assert.equal(rest.length, 0);
  assert.equal(bodyOf(call).model, lines.ANTHROPIC_MODEL);
  assert.equal(parseSseEvents(call.bytes).events[0].json.message.model, lines.ANTHROPIC_MODEL);
});

// Thinking: Claude Code asks for adaptive thinking; with display "summarized" the reasoning text
// streams as thinking_delta, by default ("omitted") only the signature. Either way the block comes
// back in turn 2 with our signature, and the chat layer renders turn 1's reasoning again from it,
// so turn 2 still continues turn 1's cached prompt.
for (const display of ['summarized', 'omitted']) {
  test(`a turn with thinking (display ${display}) and a tool call, its signed block sent back`, async () => {
    const extra = display === 'omitted' ? [] : ['--thinking-display', display];
    const run = await runClaude(`thinking-${display}`, 'Think, then write deep into think.txt.', extra);
    checkSuccess(run);
    assert.equal(readFileSync(join(run.cwd, 'think.txt'), 'utf8'), 'deep\n');
    assert.equal(run.result.result, 'think.txt now holds deep.');

    const [turn1, turn2, ...rest] = messageCalls(run);
    assert.equal(rest.length, 0);
    assert.equal(bodyOf(turn1).thinking?.display ?? 'omitted', display);
    const events = parseSseEvents(turn1.bytes).events;
    const thinkingText = events.filter((e) => e.json.delta?.type === 'thinking_delta').map((e) => e.json.delta.thinking)
      .join('');
    const signature = events.find((e) => e.json.delta?.type === 'signature_delta')?.json.delta.signature;
    assert.ok(signature && signature.length > 20, turn1.bytes.toString());
    const expected = display === 'omitted' ? '' : 'The user wants think.txt; the Bash tool can write it.';
    assert.equal(thinkingText, expected);

    const assistant = bodyOf(turn2).messages.at(-2);
    assert.deepEqual(assistant.content[0], { type: 'thinking', thinking: expected, signature });
    const usage1 = streamUsage(turn1);
    const usage2 = streamUsage(turn2);
    assert.ok(usage2.cache_read_input_tokens >= 0.9 * promptTokens(usage1),
              `turn 2 read ${usage2.cache_read_input_tokens} cached tokens of turn 1's ${promptTokens(usage1)}`);
    await server.waitForLog(new RegExp(`\\[cache\\] request=\\S+ session=${run.result.session_id} hit=true ` +
                                       'reason=session-continues'));
  });
}

// A context smaller than Claude Code's prompt: the server's 400 reads "prompt is too long: N tokens
// > M maximum", the wording Claude Code answers by compacting. A first turn has nothing to compact,
// so Claude Code ends with its own explanation, quoting both numbers.
test('a context too small for the prompt gets the error Claude Code compacts on', async () => {
  const small = await startServer({ args: ['--scripted-replies', scriptFile(SCRIPT), '--context-size', '4096'] });
  const smallProxy = await startProxy(small.url);
  try {
    const run = await runClaude('too-long', 'What is the capital of France?', [], { via: smallProxy, token: small.token });
    assert.equal(run.result.is_error, true, run.context);
    assert.equal(run.result.api_error_status, 400, run.context);
    const calls = messageCalls(run);
    assert.equal(calls.length, 1);
    const error = JSON.parse(calls[0].bytes.toString());
    assert.equal(calls[0].status, 400);
    assert.equal(error.error.type, 'invalid_request_error');
    const [, tokens, maximum] = error.error.message.match(/^prompt is too long: (\d+) tokens > (\d+) maximum$/);
    assert.ok(Number(tokens) > Number(maximum));
    assert.match(run.result.result, /^Prompt is too long/);
    assert.ok(run.result.result.includes(tokens) && run.result.result.includes(maximum), run.result.result);
  } finally {
    await new Promise((r) => smallProxy.srv.close(r));
    assert.equal((await small.stop()).code, 0, small.log());
  }
});
