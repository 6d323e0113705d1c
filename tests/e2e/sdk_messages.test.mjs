// The official @anthropic-ai/sdk against the real server (tiny random model, scripted replies):
// messages.create, messages.stream with its helpers, a tool-use round trip, thinking, count_tokens
// and its equality with usage, models, and the prompt cache's reuse visible in usage. Every stream
// the SDK reads is also checked byte by byte against the SSE grammar.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { scriptFile, sdkClient, startServer } from './server_harness.mjs';
import { checkSseStream } from './sse_grammar.mjs';

const TOOL_CALL = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}\n</tool_call>';
const SCRIPT = {
  rules: [
    { match: 'weather in Paris', reply: TOOL_CALL },
    { match: 'Sunny, 22', reply: 'It is sunny in Paris, 22 degrees.' },
    { match: 'think first', reply: '<think>\nTwo plus two is four.\n</think>\n\nThe answer is 4.' },
    { match: '', reply: 'Hello from the scripted model.' },
  ],
};
const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'The current weather in a city',
  input_schema: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city'],
  },
};
const SYSTEM = 'You are a helpful assistant. '.repeat(40);

let server;
let sdk;

before(async () => {
  server = await startServer({ args: ['--scripted-replies', scriptFile(SCRIPT)] });
  sdk = await sdkClient(server);
});

after(async () => {
  const { code } = await server.stop();
  assert.equal(code, 0, server.log());
});

async function checkStreams() {
  const all = await Promise.all(sdk.streams.splice(0));
  for (const bytes of all) assert.deepEqual(checkSseStream(bytes), [], new TextDecoder().decode(bytes));
  return all.length;
}

function inputTotal(usage) {
  return usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens;
}

test('messages.create answers and its usage adds up to count_tokens', async () => {
  const body = { model: 'claude-sonnet-4-6', system: SYSTEM, messages: [{ role: 'user', content: 'Say hello' }] };
  const message = await sdk.client.messages.create({ ...body, max_tokens: 200 });
  assert.equal(message.type, 'message');
  assert.equal(message.role, 'assistant');
  assert.equal(message.model, 'claude-sonnet-4-6');
  assert.match(message.id, /^msg_01/);
  assert.equal(message.stop_reason, 'end_turn');
  assert.deepEqual(message.content, [{ type: 'text', text: 'Hello from the scripted model.' }]);
  assert.ok(message.usage.output_tokens > 0);
  const counted = await sdk.client.messages.countTokens(body);
  assert.equal(inputTotal(message.usage), counted.input_tokens);
  assert.ok(counted.input_tokens > 200);
});

test('messages.stream gives the same message through its helpers, and a valid stream', async () => {
  let text = '';
  const events = [];
  const stream = sdk.client.messages.stream({
    model: 'claude-haiku-4-5',
    max_tokens: 200,
    messages: [{ role: 'user', content: 'Stream me something' }],
  });
  stream.on('text', (delta) => { text += delta; });
  stream.on('streamEvent', (event) => events.push(event.type));
  const message = await stream.finalMessage();
  assert.equal(text, 'Hello from the scripted model.');
  assert.deepEqual(message.content, [{ type: 'text', text }]);
  assert.equal(message.model, 'claude-haiku-4-5');
  assert.equal(events[0], 'message_start');
  assert.equal(events.at(-1), 'message_stop');
  assert.equal(await checkStreams(), 1);
});

test('max_tokens cuts the answer with stop_reason max_tokens; 0 only prefills', async () => {
  const short = await sdk.client.messages.create({
    model: 'm', max_tokens: 3, messages: [{ role: 'user', content: 'Say hello' }],
  });
  assert.equal(short.stop_reason, 'max_tokens');
  assert.equal(short.usage.output_tokens, 3);
  const none = await sdk.client.messages.create({
    model: 'm', max_tokens: 0, messages: [{ role: 'user', content: 'Say hello' }],
  });
  assert.equal(none.stop_reason, 'max_tokens');
  assert.deepEqual(none.content, []);
});

test('stop_sequences end the answer with stop_reason stop_sequence', async () => {
  const message = await sdk.client.messages.create({
    model: 'm', max_tokens: 100, stop_sequences: ['scripted'], messages: [{ role: 'user', content: 'Say hello' }],
  });
  assert.equal(message.stop_reason, 'stop_sequence');
  assert.equal(message.stop_sequence, 'scripted');
  assert.deepEqual(message.content, [{ type: 'text', text: 'Hello from the ' }]);
});

test('a tool-use round trip, with turn 2 read from the prompt cache', async () => {
  const session = { 'X-Claude-Code-Session-Id': 'e2e-tool-session' };
  const turn1 = {
    model: 'claude-sonnet-4-6',
    max_tokens: 300,
    system: SYSTEM,
    tools: [WEATHER_TOOL],
    messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
  };
  const first = await sdk.client.messages.stream(turn1, { headers: session }).finalMessage();
  assert.equal(first.stop_reason, 'tool_use');
  const call = first.content.find((b) => b.type === 'tool_use');
  assert.ok(call, JSON.stringify(first.content));
  assert.match(call.id, /^toolu_01/);
  assert.equal(call.name, 'get_weather');
  assert.deepEqual(call.input, { city: 'Paris', unit: 'celsius' });
  const turn1Prompt = inputTotal(first.usage);

  const turn2 = {
    ...turn1,
    messages: [
      ...turn1.messages,
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'Sunny, 22 C' }] },
    ],
  };
  const second = await sdk.client.messages.stream(turn2, { headers: session }).finalMessage();
  assert.equal(second.stop_reason, 'end_turn');
  assert.deepEqual(second.content, [{ type: 'text', text: 'It is sunny in Paris, 22 degrees.' }]);
  const counted = await sdk.client.messages.countTokens({ ...turn2, max_tokens: undefined });
  assert.equal(inputTotal(second.usage), counted.input_tokens);
  assert.ok(second.usage.cache_read_input_tokens >= 0.9 * turn1Prompt,
            `turn 2 read ${second.usage.cache_read_input_tokens} cached tokens of turn 1's ${turn1Prompt}`);
  await server.waitForLog(/\[cache\] request=\S+ session=e2e-tool-session hit=true reason=session-continues/);
  assert.equal(await checkStreams(), 2);
});

test('thinking blocks come back signed when asked for, and not otherwise', async () => {
  const ask = { model: 'm', max_tokens: 2000, messages: [{ role: 'user', content: 'think first: 2+2?' }] };
  const deltas = new Set();
  const thought = await sdk.client.messages.stream({ ...ask, thinking: { type: 'enabled', budget_tokens: 1024 } })
    .on('streamEvent', (event) => { if (event.type === 'content_block_delta') deltas.add(event.delta.type); })
    .finalMessage();
  assert.deepEqual([...deltas].sort(), ['signature_delta', 'text_delta', 'thinking_delta']);
  assert.equal(thought.content[0].type, 'thinking', JSON.stringify(thought.content));
  assert.equal(thought.content[0].thinking, 'Two plus two is four.');
  assert.ok(thought.content[0].signature.length > 20);
  assert.deepEqual(thought.content.slice(1), [{ type: 'text', text: 'The answer is 4.' }]);

  const plain = await sdk.client.messages.create(ask);
  assert.deepEqual(plain.content, [{ type: 'text', text: 'The answer is 4.' }]);
  assert.equal(await checkStreams(), 1);

  // The signed block goes back as it came; blocks with an empty or a foreign signature (another
  // server's, or none) are accepted as well.
  for (const signature of [thought.content[0].signature, '', 'EqQBCkgIARABGAIiQL2Jx0foreign']) {
    const next = await sdk.client.messages.create({
      ...ask,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [...ask.messages,
        { role: 'assistant', content: [{ ...thought.content[0], signature }, thought.content[1]] },
        { role: 'user', content: 'think first: and 3+3?' }],
    });
    assert.equal(next.stop_reason, 'end_turn', `signature ${JSON.stringify(signature)}`);
  }
});

test('models.list and models.retrieve', async () => {
  const page = await sdk.client.models.list();
  assert.ok(page.data.length >= 1);
  assert.equal(page.data[0].type, 'model');
  assert.ok(page.data[0].id.length > 0);
  const model = await sdk.client.models.retrieve('claude-opus-4-1');
  assert.equal(model.id, 'claude-opus-4-1');
  assert.equal(model.type, 'model');
});

test('tool_choice any/tool: even a random model answers with a call to an offered tool', async () => {
  // No scripted replies: the tiny model's own (random) choices. The call's opening is prefilled
  // and, for `any`, the name held to the offered tools, as the API promises.
  const own = await startServer();
  const client = (await sdkClient(own)).client;
  const TIME_TOOL = { name: 'get_time', description: 'The time in a city', input_schema: { type: 'object' } };
  const ask = {
    model: 'm', max_tokens: 12, tools: [WEATHER_TOOL, TIME_TOOL],
    messages: [{ role: 'user', content: 'What now?' }],
  };
  for (const temperature of [0, 1]) {
    const any = await client.messages.create({ ...ask, temperature, tool_choice: { type: 'any' } });
    assert.equal(any.content[0].type, 'tool_use', JSON.stringify(any.content));
    assert.ok(['get_weather', 'get_time'].includes(any.content[0].name), any.content[0].name);
    // The random arguments rarely close within max_tokens: the call is then cut off.
    assert.ok(['tool_use', 'max_tokens'].includes(any.stop_reason), any.stop_reason);
    const named = await client.messages.create({
      ...ask, temperature, tool_choice: { type: 'tool', name: 'get_time' },
    });
    assert.equal(named.content[0].type, 'tool_use');
    assert.equal(named.content[0].name, 'get_time');
  }
  await assert.rejects(
    client.messages.create({ ...ask, tool_choice: { type: 'any' }, max_tokens: 2048,
                             thinking: { type: 'enabled', budget_tokens: 1024 } }),
    (e) => e.status === 400 && /Thinking may not be enabled when tool_choice forces tool use/.test(e.message));
  const { code } = await own.stop();
  assert.equal(code, 0, own.log());
});
