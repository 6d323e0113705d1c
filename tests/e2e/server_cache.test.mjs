// The prompt cache seen from outside: the usage partition (input + cache_read + cache_creation ==
// count_tokens of the same body) over two turns, streamed and not, the session a request belongs
// to (X-Claude-Code-Session-Id, x-claude-code-agent-id, the session_id in metadata.user_id, else
// the longest match), the [cache] and [perf] lines, and the bounds PROMPT_CACHE,
// PROMPT_CACHE_BYTES, CONTEXT_MAX_SESSIONS and CONTEXT_TTL_MS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { postRaw, scriptFile, startServer, testModel } from './server_harness.mjs';
import { checkSseStream, parseSseEvents } from './sse_grammar.mjs';

const SCRIPT = { rules: [{ match: '', reply: 'Noted, and here is my answer.' }] };
const SYSTEM = 'You are a careful assistant who answers briefly. '.repeat(30);

let server;

before(async () => {
  server = await startServer({ args: ['--scripted-replies', scriptFile(SCRIPT)] });
});

after(async () => {
  const { code } = await server.stop();
  assert.equal(code, 0, server.log());
});

const sum = (u) => u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;

async function count(target, body) {
  const { model, system, messages, tools } = body;
  const { response, text } = await postRaw(target, '/v1/messages/count_tokens', { model, system, messages, tools });
  assert.equal(response.status, 200, text);
  return JSON.parse(text).input_tokens;
}

// A non-streaming message and its request id.
async function create(target, body, headers = {}) {
  const { response, text } = await postRaw(target, '/v1/messages', { ...body, stream: false }, headers);
  assert.equal(response.status, 200, text);
  return { message: JSON.parse(text), requestId: response.headers.get('request-id') };
}

// A streamed message: the usage of message_start and the final one of message_delta.
async function stream(target, body, headers = {}) {
  const { response, bytes, text } = await postRaw(target, '/v1/messages', { ...body, stream: true }, headers);
  assert.equal(response.status, 200, text);
  assert.deepEqual(checkSseStream(bytes), [], text);
  const events = parseSseEvents(bytes).events.filter((e) => e.name !== 'ping').map((e) => JSON.parse(e.data));
  const start = events.find((e) => e.type === 'message_start').message;
  const delta = events.find((e) => e.type === 'message_delta');
  return { startUsage: start.usage, usage: delta.usage, content: events, requestId: response.headers.get('request-id') };
}

// The server's [cache] and [perf] lines for one request.
async function logLines(target, requestId) {
  const cache = (await target.waitForLog(new RegExp(`\\[cache\\] request=${requestId} [^\\n]*`)))[0];
  const perf = (await target.waitForLog(new RegExp(`\\[perf\\] \\{"request":"${requestId}"[^\\n]*`)))[0];
  const fields = Object.fromEntries([...cache.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
  return { cache: fields, perf: JSON.parse(perf.slice('[perf] '.length)) };
}

test('usage adds up to count_tokens over two turns, and turn 2 reads turn 1 from the cache', async () => {
  const turn1 = { model: 'claude-sonnet-4-5', max_tokens: 64, system: SYSTEM,
                  messages: [{ role: 'user', content: 'First question about partitions.' }] };
  const first = await create(server, turn1);
  const n1 = await count(server, turn1);
  assert.equal(sum(first.message.usage), n1, JSON.stringify(first.message.usage));
  assert.equal(first.message.usage.cache_read_input_tokens, 0);
  assert.equal(first.message.usage.cache_creation_input_tokens, n1);  // its state was kept
  assert.equal(first.message.usage.input_tokens, 0);

  const turn2 = { ...turn1, messages: [...turn1.messages,
    { role: 'assistant', content: first.message.content },
    { role: 'user', content: 'And a second one.' }] };
  const second = await stream(server, turn2);
  const n2 = await count(server, turn2);
  assert.equal(sum(second.usage), n2, JSON.stringify(second.usage));
  assert.equal(sum(second.startUsage), n2, JSON.stringify(second.startUsage));
  assert.ok(second.usage.cache_read_input_tokens >= 0.9 * n1,
            `turn 2 read ${second.usage.cache_read_input_tokens} of turn 1's ${n1} tokens`);
  assert.equal(second.usage.cache_creation_input_tokens, n2 - second.usage.cache_read_input_tokens);

  // The log lines tell the same story, in the field names.
  const { cache, perf } = await logLines(server, second.requestId);
  assert.equal(cache.session, '-');
  assert.equal(cache.hit, 'true');
  assert.ok(cache.reason.length > 0);
  assert.equal(Number(cache.cached_tokens), second.usage.cache_read_input_tokens);
  assert.equal(Number(cache.rest_tokens), n2 - second.usage.cache_read_input_tokens);
  for (const field of ['request', 'input_tokens', 'output_tokens', 'cached_tokens', 'rest_tokens',
                       'prompt_tps', 'generation_tps', 'ttft_ms', 'peak_memory_gb']) {
    assert.ok(field in perf, `[perf] has no ${field}: ${JSON.stringify(perf)}`);
  }
  assert.equal(perf.request, second.requestId);
  assert.equal(perf.input_tokens, n2);
  assert.equal(perf.cached_tokens, second.usage.cache_read_input_tokens);
  assert.equal(perf.output_tokens, second.usage.output_tokens);
  assert.ok(perf.peak_memory_gb > 0);
});

test('a q8_0 KV cache serves and caches as the f16 one does, in 47% fewer bytes', async () => {
  // The small test model: heads of 64, so Q8_0 blocks and the rotation apply (the tiny one's 16
  // are refused).
  const own = await startServer({ args: ['--scripted-replies', scriptFile(SCRIPT), '--model', testModel('small')],
                                  env: { KV_CACHE_TYPE: 'q8_0' } });
  try {
    const health = await (await fetch(`${own.url}/health`)).json();
    // 4 layers x 2 kv heads x (68 + 68) bytes; f16 rows would be 128 + 128.
    assert.deepEqual(health.kv_cache, { type: 'q8_0', bytes_per_token: 4 * 2 * 136 });
    assert.match(own.log(), /KV cache q8_0 \(1 KiB per token\)/);
    const turn1 = { model: 'm', max_tokens: 32, system: SYSTEM,
                    messages: [{ role: 'user', content: 'A question for the smaller cache.' }] };
    const first = await create(own, turn1);
    const n1 = await count(own, turn1);
    assert.equal(first.message.usage.cache_creation_input_tokens, n1);
    const turn2 = { ...turn1, messages: [...turn1.messages, { role: 'assistant', content: first.message.content },
                                         { role: 'user', content: 'And a follow-up.' }] };
    const second = await stream(own, turn2);
    assert.equal(sum(second.usage), await count(own, turn2));
    assert.ok(second.usage.cache_read_input_tokens >= 0.9 * n1, JSON.stringify(second.usage));
    const cached = (await (await fetch(`${own.url}/health`)).json()).prompt_cache;
    assert.ok(cached.entries >= 1 && cached.bytes > 0, JSON.stringify(cached));
  } finally {
    const { code } = await own.stop();
    assert.equal(code, 0, own.log());
  }
});

test('the session comes from the header, the agent id, or metadata.user_id', async () => {
  const body = (text) => ({ model: 'm', max_tokens: 8, system: SYSTEM, messages: [{ role: 'user', content: text }] });
  const userId = JSON.stringify({ device_id: 'dev', account_uuid: '', session_id: 'meta-session-1' });

  const fromMetadata = await create(server, { ...body('one'), metadata: { user_id: userId } });
  assert.equal((await logLines(server, fromMetadata.requestId)).cache.session, 'meta-session-1');

  const fromHeader = await create(server, { ...body('two'), metadata: { user_id: userId } },
                                  { 'X-Claude-Code-Session-Id': 'header-session' });
  assert.equal((await logLines(server, fromHeader.requestId)).cache.session, 'header-session');

  // A subagent is its own conversation, but it shares the system prompt with its parent's: that
  // prefix is copied from the parent's entry.
  const agent = await create(server, body('three'),
                             { 'X-Claude-Code-Session-Id': 'header-session', 'x-claude-code-agent-id': 'agent-7' });
  const { cache } = await logLines(server, agent.requestId);
  assert.equal(cache.session, 'header-session/agent-7');
  assert.equal(cache.hit, 'true');
  assert.equal(cache.outcome, 'copied');
  assert.ok(agent.message.usage.cache_read_input_tokens > 0.8 * (await count(server, body('three'))));
});

test('PROMPT_CACHE off: every prompt token is input_tokens, every time', async () => {
  const off = await startServer({ args: ['--scripted-replies', scriptFile(SCRIPT)], env: { PROMPT_CACHE: 'off' } });
  try {
    const body = { model: 'm', max_tokens: 8, system: SYSTEM, messages: [{ role: 'user', content: 'again' }] };
    const n = await count(off, body);
    for (let i = 0; i < 2; ++i) {
      const { message, requestId } = await create(off, body);
      const { input_tokens, cache_creation_input_tokens, cache_read_input_tokens } = message.usage;
      assert.deepEqual({ input_tokens, cache_creation_input_tokens, cache_read_input_tokens },
                       { input_tokens: n, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
      const { cache } = await logLines(off, requestId);
      assert.equal(cache.hit, 'false');
      assert.equal(cache.outcome, 'disabled');
    }
    const health = await (await fetch(`${off.url}/health`)).json();
    assert.equal(health.prompt_cache.enabled, false);
    assert.equal(health.prompt_cache.entries, 0);
  } finally {
    await off.stop();
  }
});

test('PROMPT_CACHE_BYTES, CONTEXT_MAX_SESSIONS and CONTEXT_TTL_MS bound what is kept', async () => {
  const health = async (target) => (await (await fetch(`${target.url}/health`)).json()).prompt_cache;
  const body = (text) => ({ model: 'm', max_tokens: 4, messages: [{ role: 'user', content: text }] });

  // A state larger than the whole budget is not kept: its tokens are plain input.
  const tiny = await startServer({ args: ['--scripted-replies', scriptFile(SCRIPT), '--prompt-cache-bytes', '1K'] });
  try {
    const { message } = await create(tiny, body('kept?'));
    assert.equal(message.usage.cache_creation_input_tokens, 0);
    assert.equal(message.usage.input_tokens, await count(tiny, body('kept?')));
    assert.equal((await health(tiny)).entries, 0);
  } finally {
    await tiny.stop();
  }

  // Two sessions at most, least recently used out first; idle ones expire after the TTL.
  const bounded = await startServer({ args: ['--scripted-replies', scriptFile(SCRIPT), '--context-max-sessions', '2',
                                             '--context-ttl-ms', '2000'] });
  try {
    for (const s of ['a', 'b', 'c']) {
      // Each session leaves its own entry (the system prompts differ after the first few tokens).
      await create(bounded, { ...body('x'), system: `${s} `.repeat(50) }, { 'X-Claude-Code-Session-Id': `s-${s}` });
    }
    const full = await health(bounded);
    assert.equal(full.entries, 2, JSON.stringify(full));
    assert.equal(full.max_sessions, 2);
    assert.ok(full.evictions >= 1, JSON.stringify(full));
    const start = Date.now();
    while ((await health(bounded)).entries > 0) {
      assert.ok(Date.now() - start < 8000, 'entries did not expire within 8 s of a 2 s TTL');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await bounded.stop();
  }
});

test('count_tokens reads a long prompt stretch it has seen from its memo, with the same count', async () => {
  const memo = async () => (await (await fetch(`${server.url}/health`)).json()).token_memo;
  const body = { model: 'm', system: `${SYSTEM} Memo.`, messages: [{ role: 'user', content: 'count me' }] };
  const before = await memo();
  const first = await count(server, body);
  const after = await memo();
  assert.equal(after.misses, before.misses + 1, JSON.stringify(after));
  const again = await count(server, { ...body, messages: [{ role: 'user', content: 'count me too' }] });
  assert.equal((await memo()).hits, after.hits + 1);
  assert.ok(again > first);
  assert.equal(await count(server, body), first);
});
