// The SDK's error classes for what the server refuses: 400 (a bad body, an image for a text-only
// model, a prompt that does not fit), 401, 404, 413, 529 and 500, each with Anthropic's error
// shape and a request id.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { postRaw, scriptFile, sdkClient, startServer } from './server_harness.mjs';

const SLOW = { rules: [{ match: '', reply: 'slow '.repeat(40), token_delay_ms: 25 }] };

let server;
let sdk;

before(async () => {
  // A small context (prompt-too-long is easy to reach), a small body limit, no queue: a second
  // generation while one runs is refused.
  server = await startServer({
    args: ['--scripted-replies', scriptFile(SLOW), '--queue-size', '0', '--max-body-bytes', '64K',
           '--context-size', '256'],
  });
  sdk = await sdkClient(server);
});

after(async () => {
  await server.stop();
});

async function rejects(promise, ErrorClass, status, type, message) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ErrorClass, `${error.constructor.name}: ${error.message}`);
    assert.equal(error.status, status);
    assert.equal(error.error?.type, 'error');
    assert.equal(error.error?.error?.type, type);
    if (message) assert.match(error.error.error.message, message);
    assert.match(error.requestID ?? '', /^req_01/);
    return error;
  }
  assert.fail('the request succeeded');
}

test('400 invalid_request_error for a bad body', async () => {
  await rejects(sdk.client.messages.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
                sdk.Anthropic.BadRequestError, 400, 'invalid_request_error', /max_tokens/);
  await rejects(sdk.client.messages.create({ model: 'm', max_tokens: 5, messages: [] }),
                sdk.Anthropic.BadRequestError, 400, 'invalid_request_error');
  // An image for a model that reads text only.
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
  await rejects(sdk.client.messages.create({
    model: 'm', max_tokens: 5,
    messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
                                         { type: 'text', text: 'What is this?' }] }],
  }), sdk.Anthropic.BadRequestError, 400, 'invalid_request_error', /image/);
  const raw = await postRaw(server, '/v1/messages', '{"model": "m",');
  assert.equal(raw.response.status, 400);
  assert.equal(JSON.parse(raw.text).error.type, 'invalid_request_error');
  // A wrong type, named in the message as the API names it.
  const typed = await postRaw(server, '/v1/messages', { model: 'm', max_tokens: 'ten', messages: [{ role: 'user', content: 'x' }] });
  assert.equal(typed.response.status, 400);
  assert.equal(JSON.parse(typed.text).error.message, 'max_tokens: Input should be a valid integer');
});

test('400 with Claude Code\'s wording when the prompt does not fit the context', async () => {
  const long = 'word '.repeat(400);
  const error = await rejects(
    sdk.client.messages.create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: long }] }),
    sdk.Anthropic.BadRequestError, 400, 'invalid_request_error', /^prompt is too long: \d+ tokens > 255 maximum$/);
  // count_tokens still counts it, and the count is the one in the message.
  const counted = await sdk.client.messages.countTokens({ model: 'm', messages: [{ role: 'user', content: long }] });
  assert.equal(error.error.error.message, `prompt is too long: ${counted.input_tokens} tokens > 255 maximum`);
});

test('401 authentication_error for a wrong or missing key', async () => {
  const wrong = await sdkClient(server, { apiKey: 'sk-wrong' });
  await rejects(wrong.client.messages.create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
                sdk.Anthropic.AuthenticationError, 401, 'authentication_error', /invalid x-api-key/);
  await rejects(wrong.client.messages.countTokens({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
                sdk.Anthropic.AuthenticationError, 401, 'authentication_error');
  await rejects(wrong.client.models.list(), sdk.Anthropic.AuthenticationError, 401, 'authentication_error');
  const missing = await fetch(`${server.url}/v1/models`);
  assert.equal(missing.status, 401);
  assert.equal((await missing.json()).error.message, 'x-api-key header is required');
});

test('404 not_found_error for an unknown route', async () => {
  await rejects(sdk.client.get('/v1/no-such-route'), sdk.Anthropic.NotFoundError, 404, 'not_found_error');
});

test('413 request_too_large for a body over --max-body-bytes', async () => {
  const huge = 'x'.repeat(70 * 1024);
  await rejects(sdk.client.messages.create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: huge }] }),
                sdk.Anthropic.ContentTooLargeError, 413, 'request_too_large');
});

test('529 overloaded_error with retry-after while the queue is full', async () => {
  const running = sdk.client.messages.stream({ model: 'm', max_tokens: 40, messages: [{ role: 'user', content: 'go' }] });
  // Once the first stream has begun, the worker is busy for about a second.
  await new Promise((resolve) => running.on('text', resolve));
  const error = await rejects(
    sdk.client.messages.create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'me too' }] }),
    sdk.Anthropic.OverloadedError, 529, 'overloaded_error', /^Overloaded$/);
  assert.ok(Number(error.headers.get('retry-after')) > 0);
  const message = await running.finalMessage();
  assert.equal(message.stop_reason, 'max_tokens');
});

test('500 api_error when the server cannot answer (the scripted replies ran out)', async () => {
  const own = await startServer({ args: ['--scripted-replies', scriptFile({ queue: ['only once'] })] });
  try {
    const client = (await sdkClient(own)).client;
    const body = { model: 'm', max_tokens: 20, messages: [{ role: 'user', content: 'x' }] };
    assert.equal((await client.messages.create(body)).content[0].text, 'only once');
    await rejects(client.messages.create(body), sdk.Anthropic.InternalServerError, 500, 'api_error', /scripted-replies/);
  } finally {
    await own.stop();
  }
});
