// The README's curl examples, run as written against the real server (only the port differs), so
// the documentation stays true: each exits 0 and prints what the section says (a message, an SSE
// stream that passes the grammar, a count, the model list, the health check).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import { scriptFile, startServer } from './server_harness.mjs';
import { checkSseStream, parseSseEvents } from './sse_grammar.mjs';

const README = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'README.md');

// The ```sh blocks of the README's "Calling the API with curl" section, one command each (lines
// joined at trailing backslashes and inside quotes).
function curlExamples() {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf('## Calling the API with curl');
  assert.ok(start >= 0, 'README.md has no "## Calling the API with curl" section');
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  const commands = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    let current = '';
    for (const line of block[1].split('\n')) {
      current += (current ? '\n' : '') + line;
      const quotes = (current.match(/'/g) ?? []).length;
      if (line.endsWith('\\') || quotes % 2 === 1) continue;
      if (current.trim()) commands.push(current.trim());
      current = '';
    }
  }
  return commands;
}

let server;

before(async () => {
  // The README's token is the default one.
  server = await startServer({ token: 'sk-local',
                               args: ['--scripted-replies', scriptFile({ rules: [{ match: '', reply: 'Hello to you.' }] })] });
});

after(async () => {
  await server.stop();
});

test('every curl example of the README works as documented', () => {
  const commands = curlExamples();
  assert.equal(commands.length, 5, commands.join('\n---\n'));
  const port = new URL(server.url).port;
  for (const command of commands) {
    assert.match(command, /^curl /);
    const run = spawnSync('bash', ['-c', command.replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`)],
                          { encoding: 'utf8' });
    assert.equal(run.status, 0, `${command}\n${run.stderr}`);
    const out = run.stdout;
    if (command.includes('"stream": true')) {
      assert.deepEqual(checkSseStream(out), [], out);
      const text = parseSseEvents(out).events.filter((e) => e.name === 'content_block_delta')
        .map((e) => JSON.parse(e.data).delta.text).join('');
      assert.equal(text, 'Hello to you.');
    } else if (command.includes('count_tokens')) {
      assert.ok(JSON.parse(out).input_tokens > 0, out);
    } else if (command.includes('/v1/messages')) {
      const message = JSON.parse(out);
      assert.equal(message.type, 'message', out);
      assert.deepEqual(message.content, [{ type: 'text', text: 'Hello to you.' }]);
    } else if (command.includes('/v1/models')) {
      assert.equal(JSON.parse(out).data[0].type, 'model', out);
    } else if (command.includes('/health')) {
      assert.equal(JSON.parse(out).status, 'ok', out);
    } else {
      assert.fail(`no check for ${command}`);
    }
  }
});
