// Checks the raw bytes of a streaming /v1/messages answer against Anthropic's SSE event grammar.
// No dependencies; used by the e2e suites on whatever our server streams.
//
//   import { checkSseStream, parseSseEvents } from './sse_grammar.mjs';
//   const violations = checkSseStream(bytes);   // [] when the stream is well formed
//
// What it checks, byte for byte:
// - framing: UTF-8; every event is exactly "event: <name>\n" "data: <json>\n" "\n" (no CR, no
//   comments, no other fields); the stream ends right after an event;
// - each data line is one JSON object whose "type" equals the event name;
// - order: message_start first (or a lone error), then blocks, each content_block_start, deltas,
//   content_block_stop, with indices 0, 1, 2, ... and one block open at a time; then one or more
//   message_delta (after every block is closed); then message_stop, and nothing after it. A ping
//   may come anywhere after message_start and before message_stop; an error event may come
//   anywhere and ends the stream;
// - shapes: the message_start skeleton (msg_ id, role assistant, empty content, null stop_reason),
//   the empty block of each content_block_start (text "", thinking "" with signature "", tool_use
//   with a toolu_ id, a name and input {}), stop_reason values, stop_sequence present exactly for
//   stop_reason "stop_sequence", usage counts as non-negative integers;
// - deltas match their block: text_delta (or citations_delta) in text, thinking_delta and one
//   final signature_delta in thinking, input_json_delta in tool_use, whose partial_json fragments
//   must join into one JSON object by content_block_stop.

const EVENT_NAMES = new Set([
  'message_start',
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
  'message_delta',
  'message_stop',
  'ping',
  'error',
]);

const STOP_REASONS = new Set([
  'end_turn',
  'max_tokens',
  'stop_sequence',
  'tool_use',
  'pause_turn',
  'refusal',
  'model_context_window_exceeded',
]);

const ERROR_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'timeout_error',
  'overloaded_error',
]);

function toBytes(input) {
  if (typeof input === 'string') return new TextEncoder().encode(input);
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  throw new TypeError('checkSseStream takes a string, a Uint8Array/Buffer or an ArrayBuffer');
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isCount(value) {
  return Number.isInteger(value) && value >= 0;
}

// The offset of the first byte that is not part of well-formed UTF-8 (no overlongs, no surrogates,
// nothing past U+10FFFF), or -1.
function firstInvalidUtf8(bytes) {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let n;
    let min;
    if (b >= 0xc2 && b <= 0xdf) [n, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [n, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

// Splits the stream into events. Returns { events: [{name, data, json, byte}], violations }.
// `byte` is the offset of the event's first byte; `json` is the parsed data or undefined.
export function parseSseEvents(input) {
  const bytes = toBytes(input);
  const violations = [];
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) return { events: [], violations: [`byte ${bad}: the stream is not valid UTF-8`] };
  const text = new TextDecoder('utf-8').decode(bytes);

  const events = [];
  const byteOffset = (charIndex) => new TextEncoder().encode(text.slice(0, charIndex)).length;
  let pos = 0;
  while (pos < text.length) {
    const start = pos;
    const at = () => `byte ${byteOffset(start)}`;
    const eventEnd = text.indexOf('\n', pos);
    const dataEnd = eventEnd < 0 ? -1 : text.indexOf('\n', eventEnd + 1);
    const eventLine = eventEnd < 0 ? text.slice(pos) : text.slice(pos, eventEnd);
    const dataLine = dataEnd < 0 ? text.slice(eventEnd + 1) : text.slice(eventEnd + 1, dataEnd);
    let problem = null;
    if (eventLine.includes('\r') || dataLine.includes('\r')) {
      problem = 'carriage return in an event (lines must end with \\n only)';
    } else if (!eventLine.startsWith('event: ')) {
      problem = `expected a line "event: <name>", got ${JSON.stringify(eventLine.slice(0, 40))}`;
    } else if (eventEnd < 0 || dataEnd < 0) {
      problem = 'the stream ends inside an event (truncated)';
    } else if (!dataLine.startsWith('data: ')) {
      problem = `expected a line "data: <json>" after "${eventLine}", got ${JSON.stringify(dataLine.slice(0, 40))}`;
    } else if (text[dataEnd + 1] !== '\n') {
      problem =
        dataEnd + 1 >= text.length
          ? 'the stream ends without the blank line that closes its last event'
          : `expected a blank line after the data line of "${eventLine}"`;
    }
    if (problem !== null) {
      violations.push(`${at()}: ${problem}`);
      // Resynchronise after the next blank line, if any.
      const next = text.indexOf('\n\n', pos);
      if (next < 0) break;
      pos = next + 2;
      continue;
    }
    const name = eventLine.slice('event: '.length);
    const data = dataLine.slice('data: '.length);
    let json;
    try {
      json = JSON.parse(data);
    } catch (e) {
      violations.push(`${at()} (${name}): data is not valid JSON: ${e.message}`);
    }
    events.push({ name, data, json, byte: byteOffset(start) });
    pos = dataEnd + 2;
  }
  return { events, violations };
}

// Returns the list of grammar violations of a whole stream ([] when it is well formed).
export function checkSseStream(input) {
  const { events, violations } = parseSseEvents(input);
  const fail = (event, i, message) =>
    violations.push(`event ${i} (${event.name}, byte ${event.byte}): ${message}`);

  // States: 'start' (nothing yet), 'message' (between blocks), 'block', 'delta' (after a
  // message_delta), 'stopped' (after message_stop), 'errored' (after error).
  let state = 'start';
  let nextIndex = 0;
  let block = null; // { index, type, signed, json }

  events.forEach((event, i) => {
    const { name, json } = event;
    if (!EVENT_NAMES.has(name)) {
      fail(event, i, `unknown event name "${name}"`);
      return;
    }
    if (state === 'stopped' || state === 'errored') {
      fail(event, i, `event after ${state === 'stopped' ? 'message_stop' : 'error'}`);
      return;
    }
    if (json === undefined) return; // already reported as invalid JSON
    if (!isObject(json)) {
      fail(event, i, 'data is not a JSON object');
      return;
    }
    if (json.type !== name) {
      fail(event, i, `data.type is ${JSON.stringify(json.type)}, the event name is "${name}"`);
      return;
    }

    if (name === 'error') {
      const e = json.error;
      if (!isObject(e) || !ERROR_TYPES.has(e.type) || typeof e.message !== 'string') {
        fail(event, i, 'error data must be {"type":"error","error":{"type":<known type>,"message":<string>}}');
      }
      state = 'errored';
      return;
    }
    if (name === 'ping') {
      if (state === 'start') fail(event, i, 'ping before message_start');
      return;
    }
    if (state === 'start' && name !== 'message_start') {
      fail(event, i, 'the stream must begin with message_start');
      state = 'message'; // keep checking what follows
    }

    switch (name) {
      case 'message_start': {
        if (state !== 'start') {
          fail(event, i, 'a second message_start');
          return;
        }
        state = 'message';
        const m = json.message;
        if (!isObject(m)) {
          fail(event, i, 'message_start without a message object');
          return;
        }
        if (typeof m.id !== 'string' || !m.id.startsWith('msg_')) fail(event, i, 'message.id must be a "msg_..." string');
        if (m.type !== 'message') fail(event, i, 'message.type must be "message"');
        if (m.role !== 'assistant') fail(event, i, 'message.role must be "assistant"');
        if (typeof m.model !== 'string') fail(event, i, 'message.model must be a string');
        if (!Array.isArray(m.content) || m.content.length !== 0) fail(event, i, 'message.content must be []');
        if (m.stop_reason !== null) fail(event, i, 'message.stop_reason must be null in message_start');
        if (m.stop_sequence !== null) fail(event, i, 'message.stop_sequence must be null in message_start');
        if (!isObject(m.usage) || !isCount(m.usage.input_tokens) || !isCount(m.usage.output_tokens)) {
          fail(event, i, 'message.usage needs input_tokens and output_tokens counts');
        }
        return;
      }
      case 'content_block_start': {
        if (state === 'block') {
          fail(event, i, `content_block_start while block ${block.index} is open`);
          return;
        }
        if (state === 'delta') {
          fail(event, i, 'content_block_start after message_delta');
          return;
        }
        if (json.index !== nextIndex) {
          fail(event, i, `index ${JSON.stringify(json.index)}, expected ${nextIndex}`);
        }
        const cb = json.content_block;
        const type = isObject(cb) ? cb.type : undefined;
        if (type === 'text') {
          if (cb.text !== '') fail(event, i, 'a text block must start with text ""');
        } else if (type === 'thinking') {
          if (cb.thinking !== '') fail(event, i, 'a thinking block must start with thinking ""');
          if (cb.signature !== undefined && cb.signature !== '') fail(event, i, 'a thinking block must start with signature ""');
        } else if (type === 'tool_use') {
          if (typeof cb.id !== 'string' || !cb.id.startsWith('toolu_')) fail(event, i, 'tool_use.id must be a "toolu_..." string');
          if (typeof cb.name !== 'string' || cb.name === '') fail(event, i, 'tool_use.name must be a non-empty string');
          if (!isObject(cb.input) || Object.keys(cb.input).length !== 0) fail(event, i, 'a tool_use block must start with input {}');
        } else if (type === 'redacted_thinking') {
          if (typeof cb.data !== 'string') fail(event, i, 'redacted_thinking.data must be a string');
        } else {
          fail(event, i, `unknown content_block type ${JSON.stringify(type)}`);
        }
        block = { index: nextIndex, type, signed: false, json: '' };
        nextIndex += 1;
        state = 'block';
        return;
      }
      case 'content_block_delta': {
        if (state !== 'block') {
          fail(event, i, 'content_block_delta with no open block');
          return;
        }
        if (json.index !== block.index) {
          fail(event, i, `index ${JSON.stringify(json.index)}, the open block is ${block.index}`);
        }
        const d = json.delta;
        const dtype = isObject(d) ? d.type : undefined;
        const allowed = {
          text: ['text_delta', 'citations_delta'],
          thinking: ['thinking_delta', 'signature_delta'],
          tool_use: ['input_json_delta'],
          redacted_thinking: [],
        }[block.type] ?? [];
        if (!allowed.includes(dtype)) {
          fail(event, i, `${JSON.stringify(dtype)} in a ${block.type} block`);
          return;
        }
        if (dtype === 'text_delta' && typeof d.text !== 'string') fail(event, i, 'text_delta.text must be a string');
        if (dtype === 'thinking_delta') {
          if (typeof d.thinking !== 'string') fail(event, i, 'thinking_delta.thinking must be a string');
          if (block.signed) fail(event, i, 'thinking_delta after the signature_delta');
        }
        if (dtype === 'signature_delta') {
          if (typeof d.signature !== 'string') fail(event, i, 'signature_delta.signature must be a string');
          if (block.signed) fail(event, i, 'a second signature_delta');
          block.signed = true;
        }
        if (dtype === 'input_json_delta') {
          if (typeof d.partial_json !== 'string') fail(event, i, 'input_json_delta.partial_json must be a string');
          else block.json += d.partial_json;
        }
        return;
      }
      case 'content_block_stop': {
        if (state !== 'block') {
          fail(event, i, 'content_block_stop with no open block');
          return;
        }
        if (json.index !== block.index) {
          fail(event, i, `index ${JSON.stringify(json.index)}, the open block is ${block.index}`);
        }
        if (block.type === 'tool_use') {
          const joined = block.json === '' ? '{}' : block.json;
          let input;
          try {
            input = JSON.parse(joined);
          } catch (e) {
            fail(event, i, `the partial_json fragments of block ${block.index} do not join into valid JSON: ${e.message}`);
          }
          if (input !== undefined && !isObject(input)) {
            fail(event, i, `the input of tool_use block ${block.index} is not a JSON object`);
          }
        }
        block = null;
        state = 'message';
        return;
      }
      case 'message_delta': {
        if (state === 'block') {
          fail(event, i, `message_delta while block ${block.index} is open`);
          return;
        }
        state = 'delta';
        const d = json.delta;
        if (!isObject(d)) {
          fail(event, i, 'message_delta without a delta object');
          return;
        }
        if (!STOP_REASONS.has(d.stop_reason)) fail(event, i, `unknown stop_reason ${JSON.stringify(d.stop_reason)}`);
        if (d.stop_reason === 'stop_sequence') {
          if (typeof d.stop_sequence !== 'string') fail(event, i, 'stop_reason stop_sequence needs the stop_sequence string');
        } else if (d.stop_sequence !== null) {
          fail(event, i, 'stop_sequence must be null unless stop_reason is stop_sequence');
        }
        if (!isObject(json.usage) || !isCount(json.usage.output_tokens)) {
          fail(event, i, 'message_delta.usage.output_tokens must be a count');
        } else {
          for (const key of ['input_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens']) {
            if (key in json.usage && json.usage[key] !== null && !isCount(json.usage[key])) {
              fail(event, i, `message_delta.usage.${key} must be a count or null`);
            }
          }
        }
        return;
      }
      case 'message_stop': {
        if (state !== 'delta') {
          fail(event, i, state === 'block' ? `message_stop while block ${block.index} is open` : 'message_stop before any message_delta');
        }
        state = 'stopped';
        return;
      }
    }
  });

  if (events.length === 0 && violations.length === 0) violations.push('the stream is empty');
  else if (state !== 'stopped' && state !== 'errored' && events.length > 0) {
    violations.push(`the stream ends without message_stop or error (truncated after event ${events.length - 1})`);
  }
  return violations;
}
