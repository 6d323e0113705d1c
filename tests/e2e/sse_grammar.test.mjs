// Self-test of the SSE grammar checker: good streams pass, each kind of bad stream is caught.
// Run: node --test tests/e2e/sse_grammar.test.mjs
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { test } from 'node:test';

import { checkSseStream, parseSseEvents } from './sse_grammar.mjs';

const ev = (name, data) => `event: ${name}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

const START = ev('message_start', {
  type: 'message_start',
  message: {
    id: 'msg_01abc',
    type: 'message',
    role: 'assistant',
    model: 'm',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 5, output_tokens: 1 },
  },
});
const PING = 'event: ping\ndata: {"type": "ping"}\n\n';
const textStart = (index) => ev('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
const toolStart = (index, input = {}) =>
  ev('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: 'toolu_01x', name: 'Bash', input } });
const thinkingStart = (index) =>
  ev('content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
const delta = (index, d) => ev('content_block_delta', { type: 'content_block_delta', index, delta: d });
const text = (index, t) => delta(index, { type: 'text_delta', text: t });
const json = (index, partial) => delta(index, { type: 'input_json_delta', partial_json: partial });
const stop = (index) => ev('content_block_stop', { type: 'content_block_stop', index });
const messageDelta = (reason = 'end_turn', seq = null) =>
  ev('message_delta', { type: 'message_delta', delta: { stop_reason: reason, stop_sequence: seq }, usage: { output_tokens: 7 } });
const STOP = ev('message_stop', { type: 'message_stop' });
const ERROR = ev('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });

const TEXT_TURN = START + textStart(0) + text(0, 'Hi') + stop(0) + messageDelta() + STOP;

// Expects exactly one violation containing `fragment` (plus, optionally, the truncation note when
// the bad stream also lacks its end).
function expectViolation(stream, fragment) {
  const violations = checkSseStream(stream);
  assert.ok(violations.length >= 1, `expected a violation containing "${fragment}", got none`);
  assert.ok(
    violations.some((v) => v.includes(fragment)),
    `expected a violation containing "${fragment}", got:\n${violations.join('\n')}`,
  );
}

test('our encoder golden stream passes', () => {
  const golden = readFileSync(new URL('../data/api/sse_tool_turn.txt', import.meta.url));
  assert.deepEqual(checkSseStream(golden), []);
  const { events } = parseSseEvents(golden);
  assert.equal(events.length, 18);
  assert.equal(events[2].name, 'ping');
});

test('good streams pass', () => {
  assert.deepEqual(checkSseStream(TEXT_TURN), []);
  assert.deepEqual(checkSseStream(Buffer.from(TEXT_TURN)), []);
  // Pings anywhere inside the message, several message_deltas, an empty message.
  assert.deepEqual(checkSseStream(START + PING + textStart(0) + PING + text(0, 'a') + PING + stop(0) + PING + messageDelta() + PING + messageDelta() + STOP), []);
  assert.deepEqual(checkSseStream(START + messageDelta('max_tokens') + STOP), []);
  // Thinking, text and two tool calls; fragments split anywhere, the first one empty.
  const full =
    START +
    thinkingStart(0) + delta(0, { type: 'thinking_delta', thinking: 'hm' }) + delta(0, { type: 'signature_delta', signature: 'c2ln' }) + stop(0) +
    textStart(1) + text(1, 'ok \u2600') + stop(1) +
    toolStart(2) + json(2, '') + json(2, '{"command": "ec') + json(2, 'ho \\"hi\\""}') + stop(2) +
    toolStart(3) + stop(3) +
    messageDelta('tool_use') + STOP;
  assert.deepEqual(checkSseStream(full), []);
  assert.deepEqual(checkSseStream(START + textStart(0) + text(0, 'x') + stop(0) + messageDelta('stop_sequence', '###') + STOP), []);
});

test('an error may end the stream anywhere', () => {
  assert.deepEqual(checkSseStream(ERROR), []);
  assert.deepEqual(checkSseStream(START + ERROR), []);
  assert.deepEqual(checkSseStream(START + textStart(0) + text(0, 'part') + ERROR), []);
  expectViolation(START + ERROR + PING, 'event after error');
  expectViolation(START + ev('error', { type: 'error', error: { type: 'oops', message: 'x' } }), 'error data must be');
});

test('framing violations', () => {
  expectViolation(TEXT_TURN.replaceAll('\n', '\r\n'), 'carriage return');
  expectViolation(TEXT_TURN.replace('\n\n', '\n'), 'blank line');
  expectViolation(TEXT_TURN.slice(0, -1), 'ends without the blank line');
  expectViolation(TEXT_TURN.slice(0, -20), 'truncated');
  expectViolation(': comment\n\n' + TEXT_TURN, 'expected a line "event: <name>"');
  expectViolation(START.replace('data: ', 'data:'), 'expected a line "data: <json>"');
  expectViolation('', 'the stream is empty');
  expectViolation(Buffer.concat([Buffer.from(START), Buffer.from([0xc3, 0x28])]), 'not valid UTF-8');
  expectViolation(Buffer.from([0xed, 0xa0, 0x80]), 'byte 0: the stream is not valid UTF-8');
  expectViolation(START + 'event: content_block_start\ndata: {"type":\n\n', 'not valid JSON');
  expectViolation(START + ev('content_block_start', { type: 'content_block_stop', index: 0 }), 'data.type is "content_block_stop"');
  expectViolation(START + ev('content_block_begin', { type: 'content_block_begin' }), 'unknown event name');
  expectViolation(START + ev('message_delta', '[1,2]'), 'not a JSON object');
});

test('order violations', () => {
  expectViolation(textStart(0) + text(0, 'x') + stop(0) + messageDelta() + STOP, 'must begin with message_start');
  expectViolation(PING + TEXT_TURN, 'ping before message_start');
  expectViolation(START + START + messageDelta() + STOP, 'a second message_start');
  expectViolation(START + textStart(0) + textStart(1) + stop(1) + messageDelta() + STOP, 'while block 0 is open');
  expectViolation(START + text(0, 'x') + messageDelta() + STOP, 'content_block_delta with no open block');
  expectViolation(START + stop(0) + messageDelta() + STOP, 'content_block_stop with no open block');
  expectViolation(START + textStart(0) + messageDelta() + STOP, 'message_delta while block 0 is open');
  expectViolation(START + STOP, 'message_stop before any message_delta');
  expectViolation(START + messageDelta() + textStart(0) + stop(0) + STOP, 'content_block_start after message_delta');
  expectViolation(TEXT_TURN + PING, 'event after message_stop');
  expectViolation(START + textStart(0) + stop(0) + messageDelta(), 'ends without message_stop');
});

test('index violations', () => {
  expectViolation(START + textStart(1) + stop(1) + messageDelta() + STOP, 'index 1, expected 0');
  expectViolation(START + textStart(0) + stop(0) + textStart(0) + stop(0) + messageDelta() + STOP, 'index 0, expected 1');
  expectViolation(START + textStart(0) + text(1, 'x') + stop(0) + messageDelta() + STOP, 'index 1, the open block is 0');
  expectViolation(START + textStart(0) + stop(3) + messageDelta() + STOP, 'index 3, the open block is 0');
});

test('deltas must match their block', () => {
  expectViolation(START + toolStart(0) + text(0, 'x') + stop(0) + messageDelta() + STOP, '"text_delta" in a tool_use block');
  expectViolation(START + textStart(0) + json(0, '{}') + stop(0) + messageDelta() + STOP, '"input_json_delta" in a text block');
  expectViolation(START + thinkingStart(0) + text(0, 'x') + stop(0) + messageDelta() + STOP, '"text_delta" in a thinking block');
  expectViolation(
    START + thinkingStart(0) + delta(0, { type: 'signature_delta', signature: 's' }) + delta(0, { type: 'thinking_delta', thinking: 'x' }) + stop(0) + messageDelta() + STOP,
    'thinking_delta after the signature_delta',
  );
  expectViolation(
    START + thinkingStart(0) + delta(0, { type: 'signature_delta', signature: 's' }) + delta(0, { type: 'signature_delta', signature: 's' }) + stop(0) + messageDelta() + STOP,
    'a second signature_delta',
  );
  expectViolation(START + textStart(0) + delta(0, { type: 'text_delta', text: 5 }) + stop(0) + messageDelta() + STOP, 'text_delta.text must be a string');
});

test('tool input fragments must join into a JSON object', () => {
  expectViolation(START + toolStart(0) + json(0, '{"a": ') + stop(0) + messageDelta('tool_use') + STOP, 'do not join into valid JSON');
  expectViolation(START + toolStart(0) + json(0, '[1, 2]') + stop(0) + messageDelta('tool_use') + STOP, 'is not a JSON object');
  expectViolation(START + toolStart(0, { a: 1 }) + stop(0) + messageDelta('tool_use') + STOP, 'must start with input {}');
  expectViolation(
    START + ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'call_1', name: 'x', input: {} } }) + stop(0) + messageDelta() + STOP,
    'tool_use.id must be a "toolu_..." string',
  );
});

test('shape violations', () => {
  expectViolation(START.replace('"msg_01abc"', '"chatcmpl-1"') + messageDelta() + STOP, 'message.id must be');
  expectViolation(START.replace('"content":[]', '"content":[{"type":"text","text":""}]') + messageDelta() + STOP, 'message.content must be []');
  expectViolation(START.replace('"stop_reason":null', '"stop_reason":"end_turn"') + messageDelta() + STOP, 'stop_reason must be null');
  expectViolation(START.replace('"input_tokens":5', '"input_tokens":-5') + messageDelta() + STOP, 'usage needs input_tokens');
  expectViolation(START + ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: 'x' } }) + stop(0) + messageDelta() + STOP, 'must start with text ""');
  expectViolation(START + ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'image' } }) + stop(0) + messageDelta() + STOP, 'unknown content_block type');
  expectViolation(START + messageDelta('done') + STOP, 'unknown stop_reason "done"');
  expectViolation(START + messageDelta('stop_sequence', null) + STOP, 'needs the stop_sequence string');
  expectViolation(START + messageDelta('end_turn', 'X') + STOP, 'stop_sequence must be null unless');
  expectViolation(START + ev('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: {} }) + STOP, 'usage.output_tokens must be a count');
});

// The official SDK must read our golden stream and accumulate exactly the message our
// MessageAccumulator builds from the same events (both files are kept byte-exact by the unit tests
// in tests/unit/api/sse_encoder_test.cpp).
test('the official SDK accumulates the golden stream into the golden message', async () => {
  const sdkPath = new URL('../../build/node/node_modules/@anthropic-ai/sdk/index.mjs', import.meta.url);
  assert.ok(existsSync(sdkPath), 'build/node is missing: run scripts/install-deps');
  const { default: Anthropic } = await import(sdkPath.href);
  const stream = readFileSync(new URL('../data/api/sse_tool_turn.txt', import.meta.url));
  const message = readFileSync(new URL('../data/api/message_tool_turn.json', import.meta.url));
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (JSON.parse(body).stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
        res.end(stream);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(message);
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const client = new Anthropic({ baseURL: `http://127.0.0.1:${server.address().port}`, apiKey: 'test', maxRetries: 0 });
    const params = { model: 'qwen3-8b', max_tokens: 64, messages: [{ role: 'user', content: 'weather?' }] };
    const events = [];
    const final = await client.messages.stream(params).on('streamEvent', (e) => events.push(e.type)).finalMessage();
    delete final.parsed_output; // the SDK's structured-output helper adds it (null here)
    assert.deepEqual(final, JSON.parse(message));
    assert.equal(events.filter((t) => t === 'content_block_delta').length, 8);
    const created = await client.messages.create(params);
    assert.deepEqual({ ...created }, JSON.parse(message));
  } finally {
    server.close();
  }
});
