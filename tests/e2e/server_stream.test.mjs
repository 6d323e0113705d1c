// The HTTP behaviour around the model, over raw fetch: probes and health without a key, request ids
// everywhere, the stream that never goes quiet (message_start before the run, pings while it
// waits), a client that leaves stops its run, count_tokens is not queued behind generation, and a
// shutdown ends open streams with an error event.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { postRaw, scriptFile, startServer } from './server_harness.mjs';
import { checkSseStream, parseSseEvents } from './sse_grammar.mjs';

const SCRIPT = {
  rules: [
    { match: 'slow', reply: 'tick '.repeat(100), token_delay_ms: 20 },
    { match: 'pause', reply: 'a b c', token_delay_ms: 400 },
    { match: 'note it', reply: '<tool_call>\n{"name": "note", "arguments": {"text": "a b c d e f"}}\n</tool_call>',
      token_delay_ms: 40 },
    { match: '', reply: 'Quick answer.' },
  ],
};

let server;

before(async () => {
  server = await startServer({
    args: ['--scripted-replies', scriptFile(SCRIPT), '--ping-interval-ms', '150', '--queue-size', '4'],
  });
});

after(async () => {
  await server.stop();
});

const eventNames = (bytes) => parseSseEvents(bytes).events.map((e) => e.name);

const body = (text, extra = {}) => ({
  model: 'claude-sonnet-4-5', max_tokens: 1000, stream: true,
  messages: [{ role: 'user', content: text }], ...extra,
});

test('probes and /health need no key; every response has a request-id', async () => {
  for (const path of ['/', '/api/hello']) {
    const r = await fetch(`${server.url}${path}`, { method: 'HEAD' });
    assert.equal(r.status, 200, path);
    assert.match(r.headers.get('request-id'), /^req_01/);
  }
  const health = await fetch(`${server.url}/health`);
  assert.equal(health.status, 200);
  assert.match(health.headers.get('request-id'), /^req_01/);
  const h = await health.json();
  assert.equal(h.status, 'ok');
  assert.equal(h.context_size, 4096);
  assert.equal(typeof h.model.name, 'string');
  assert.equal(typeof h.thinking.enabled, 'boolean');
  assert.equal(h.prompt_cache.enabled, true);
  assert.equal(h.scripted_replies, true);

  const denied = await fetch(`${server.url}/v1/messages/count_tokens`, {
    method: 'POST', body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
  });
  assert.equal(denied.status, 401);
  assert.match(denied.headers.get('request-id'), /^req_01/);
  const body401 = await denied.json();
  assert.equal(body401.type, 'error');
  assert.equal(body401.request_id, denied.headers.get('request-id'));

  const missing = await fetch(`${server.url}/nowhere`, { headers: { 'x-api-key': server.token } });
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.type, 'not_found_error');
});

test('a Bearer token works as well as x-api-key; query strings and unknown fields are accepted', async () => {
  const r = await fetch(`${server.url}/v1/messages?beta=true`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'anthropic-beta': 'some-future-beta-2030-01-01',
               'content-type': 'application/json' },
    // What Claude Code sends besides the basics, and a field from the future.
    body: JSON.stringify({
      ...body('hi'), stream: false,
      context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
      output_config: { effort: 'medium' },
      thinking: { type: 'adaptive' },
      metadata: { user_id: JSON.stringify({ device_id: 'd', account_uuid: '', session_id: 's-future' }) },
      tools: [{ name: 'Read', description: 'Read a file', defer_loading: true, cache_control: { type: 'ephemeral' },
                input_schema: { type: 'object', properties: { path: { type: 'string' } } } }],
      some_field_from_the_future: { x: 1 },
    }),
  });
  assert.equal(r.status, 200, await r.clone().text());
  assert.equal((await r.json()).content[0].text, 'Quick answer.');
});

test('streams start with message_start at once and stay valid', async () => {
  const { response, bytes, text } = await postRaw(server, '/v1/messages', body('hello'));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  assert.deepEqual(checkSseStream(bytes), [], text);
  const names = eventNames(bytes);
  assert.equal(names[0], 'message_start');
  assert.equal(names.at(-1), 'message_stop');
});

test('a quiet stream gets pings, and pings only between whole events', async () => {
  const { bytes, text } = await postRaw(server, '/v1/messages', body('pause please'));
  assert.deepEqual(checkSseStream(bytes), [], text);
  const names = eventNames(bytes);
  assert.ok(names.filter((n) => n === 'ping').length >= 2, names.join(' '));
});

test('pings go on while a tool call\'s arguments are buffered', async () => {
  const tools = [{ name: 'note', description: 'Take a note',
                   input_schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } }];
  const { bytes, text } = await postRaw(server, '/v1/messages', body('note it down', { tools }));
  assert.deepEqual(checkSseStream(bytes), [], text);
  const events = parseSseEvents(bytes).events;
  const names = events.map((e) => e.name);
  assert.ok(names.filter((n) => n === 'ping').length >= 3, names.join(' '));
  const json = events.filter((e) => e.name === 'content_block_delta').map((e) => JSON.parse(e.data).delta)
    .filter((d) => d.type === 'input_json_delta').map((d) => d.partial_json).join('');
  assert.deepEqual(JSON.parse(json), { text: 'a b c d e f' });
  const stop = events.find((e) => e.name === 'message_delta');
  assert.equal(JSON.parse(stop.data).delta.stop_reason, 'tool_use');
});

test('pings go on while a long prompt is prefilled', async () => {
  // A 10 ms ping interval and 64-token prefill chunks: a prompt of ~3000 tokens takes the tiny
  // model long enough that pings must come between message_start and the first block.
  const own = await startServer({ args: ['--scripted-replies', scriptFile(SCRIPT), '--ping-interval-ms', '10',
                                         '--prefill-chunk', '64'] });
  try {
    const { bytes, text } = await postRaw(own, '/v1/messages', body(`${'word '.repeat(3000)}end`));
    assert.deepEqual(checkSseStream(bytes), [], text);
    const names = eventNames(bytes);
    const beforeFirstBlock = names.slice(0, names.indexOf('content_block_start'));
    assert.ok(beforeFirstBlock.filter((n) => n === 'ping').length >= 2, beforeFirstBlock.join(' '));
    const perf = JSON.parse((await own.waitForLog(/\[perf\] (\{[^\n]*)/))[1]);
    assert.ok(perf.rest_tokens > 2900, JSON.stringify(perf));
  } finally {
    await own.stop();
  }
});

test('a request waiting in the queue already has its message_start and pings', async () => {
  const started = Date.now();
  const first = postRaw(server, '/v1/messages', body('slow one'));  // about 2 s of ticks
  await new Promise((r) => setTimeout(r, 200));
  const response = await fetch(`${server.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': server.token },
    body: JSON.stringify(body('queued')),
  });
  const reader = response.body.getReader();
  const { value } = await reader.read();
  const firstChunkMs = Date.now() - started;
  assert.match(new TextDecoder().decode(value), /^event: message_start\n/);
  let rest = value;
  for (;;) {
    const { value: more, done } = await reader.read();
    if (done) break;
    rest = new Uint8Array([...rest, ...more]);
  }
  const { text: firstText } = await first;
  assert.ok(firstChunkMs < 2000, `message_start of the queued request took ${firstChunkMs} ms`);
  assert.deepEqual(checkSseStream(rest), []);
  const names = eventNames(rest);
  assert.ok(names.includes('ping'), names.join(' '));
  assert.deepEqual(checkSseStream(firstText), []);
});

test('count_tokens answers while a generation runs', async () => {
  const running = postRaw(server, '/v1/messages', body('slow two'));
  await new Promise((r) => setTimeout(r, 300));
  const t0 = Date.now();
  const counts = await Promise.all(Array.from({ length: 40 }, (_, i) => fetch(`${server.url}/v1/messages/count_tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': server.token },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `count me ${i}` }] }),
  }).then((r) => r.json())));
  const elapsed = Date.now() - t0;
  for (const c of counts) assert.ok(c.input_tokens > 0);
  assert.ok(elapsed < 2000, `40 counts took ${elapsed} ms next to a generation`);
  const { text } = await running;
  assert.match(text, /event: message_stop/);
});

test('a client that goes away stops its generation', async () => {
  const controller = new AbortController();
  const response = await fetch(`${server.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': server.token },
    body: JSON.stringify(body('slow three')),
    signal: controller.signal,
  });
  const requestId = response.headers.get('request-id');
  const reader = response.body.getReader();
  await reader.read();
  await reader.read();
  controller.abort();
  const perf = await server.waitForLog(new RegExp(`\\[perf\\] \\{"request":"${requestId}"[^\\n]*`), 3000);
  const stats = JSON.parse(perf[0].slice('[perf] '.length));
  assert.equal(stats.stop, 'cancelled');
  assert.ok(stats.output_tokens < 40, `it went on for ${stats.output_tokens} tokens`);
});

test('shutting down ends an open stream with an error event', async () => {
  const own = await startServer({ args: ['--scripted-replies', scriptFile(SCRIPT)] });
  const pending = postRaw(own, '/v1/messages', body('slow four'));
  await own.waitForLog(/\[cache\] request=/);
  await new Promise((r) => setTimeout(r, 100));
  const exited = own.stop();
  const { bytes, text } = await pending;
  assert.deepEqual(checkSseStream(bytes), [], text);
  assert.equal(eventNames(bytes).at(-1), 'error');
  assert.equal((await exited).code, 0);
});
