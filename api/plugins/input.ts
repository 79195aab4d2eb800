// What a request must be before a handler sees it. Every route's zod schemas validate its parameters,
// query, headers and body (and shape its answers). Text the service cannot keep is refused at the door:
// PostgreSQL stores neither NUL nor unpaired UTF-16 surrogates (error 22021), and Temporal carries them
// into a case that then can never be projected; bytes that are not UTF-8 would be turned into U+FFFD and
// the citizen's words silently lost. Control characters other than tab and line breaks are not a
// person's words either: they hide text on a screen, forge log lines and break terminals. So a request
// whose body is not UTF-8, or any of whose strings holds one of these, answers 400 naming the field,
// before anything is started.
//
// The body is also held to a shape before it is walked: nested no deeper than MAX_JSON_DEPTH (measured on
// the raw bytes, so a 100,000-deep array costs one pass and no stack), and no field named `__proto__`,
// `constructor` or `prototype` anywhere. The walks over a parsed body are loops, not recursion.

import { isUtf8 } from 'node:buffer';
import fp from 'fastify-plugin';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { HttpError } from '../errors.js';

export interface InputIssue {
  path: string;
  message: string;
}

/** How deep a JSON body may nest. The deepest request of the contract (an attachment in its list) is 3. */
export const MAX_JSON_DEPTH = 32;

const NUL = '\u0000';
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// C0 controls but tab, line feed and carriage return (NUL has its own message), DEL, and the C1 controls.
const CONTROL = /[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// Field names that reach an object's prototype when a body is merged into another object.
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Why `text` is not text this service takes, or undefined. */
function textProblem(text: string): string | undefined {
  if (text.includes(NUL)) return 'contains a NUL character (U+0000), which cannot be stored';
  if (LONE_SURROGATE.test(text)) return 'contains an unpaired UTF-16 surrogate, which is not valid Unicode text';
  const control = CONTROL.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `contains the control character U+${code}; text may hold tab, line feed and carriage return, no other control character`;
  }
  return undefined;
}

/**
 * Every string in `value` with its path, field names included (`key: true`), in document order. A loop
 * with its own stack, so no input, however deep, can exhaust the call stack.
 */
function* stringsIn(value: unknown, path: string): Generator<{ path: string; text: string; key: boolean }> {
  const pending: { value: unknown; path: string }[] = [{ value, path }];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (typeof next.value === 'string') {
      yield { path: next.path, text: next.value, key: false };
    } else if (Array.isArray(next.value)) {
      for (let i = next.value.length - 1; i >= 0; i--) pending.push({ value: next.value[i], path: `${next.path}.${i}` });
    } else if (next.value !== null && typeof next.value === 'object') {
      const entries = Object.entries(next.value);
      const children: { value: unknown; path: string }[] = [];
      for (const [key, item] of entries) {
        const at = `${next.path}.${key}`;
        yield { path: at, text: key, key: true };
        children.push({ value: item, path: at });
      }
      for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]!);
    }
  }
}

/** Where `value` holds text this service does not take; field names are checked as well as values. */
export function textIssues(value: unknown, path: string): InputIssue[] {
  const found: InputIssue[] = [];
  for (const s of stringsIn(value, path)) {
    const problem = textProblem(s.text);
    if (problem) found.push({ path: s.path, message: s.key ? `the field name ${problem}` : problem });
  }
  return found;
}

/**
 * Where a JSON text first opens more than `max` arrays and objects inside one another, as a path
 * (`body.location.0…`), or undefined. Reads the bytes once, keeping only the open containers: the
 * structural characters of JSON are ASCII, and no byte of a multi-byte UTF-8 character is.
 */
export function tooDeep(raw: Buffer, max: number, root = 'body'): string | undefined {
  const open: { array: boolean; at: string | number }[] = [];
  let inString = false;
  let escaped = false;
  let stringStart = 0;
  let keyNext = false;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (b === 0x5c) escaped = true;
      else if (b === 0x22) {
        inString = false;
        if (keyNext) {
          keyNext = false;
          open[open.length - 1]!.at = keyOf(raw.subarray(stringStart, i + 1));
        }
      }
      continue;
    }
    const top = open[open.length - 1];
    switch (b) {
      case 0x22: // "
        inString = true;
        stringStart = i;
        break;
      case 0x7b: // {
      case 0x5b: // [
        if (open.length === max) return [root, ...open.map((o) => o.at)].join('.');
        open.push({ array: b === 0x5b, at: b === 0x5b ? 0 : '' });
        keyNext = b === 0x7b;
        break;
      case 0x7d: // }
      case 0x5d: // ]
        open.pop();
        keyNext = false;
        break;
      case 0x2c: // ,
        if (top?.array) top.at = (top.at as number) + 1;
        else if (top) keyNext = true;
        break;
    }
  }
  return undefined;
}

function keyOf(quoted: Buffer): string {
  const text = quoted.toString('utf8');
  try {
    return JSON.parse(text) as string;
  } catch {
    return text.slice(1, -1);
  }
}

const lenientUtf8 = new TextDecoder('utf-8');

/** Fields of a JSON body whose text changed when decoded leniently: where the invalid bytes were. */
function fieldsWithInvalidBytes(raw: Buffer): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(lenientUtf8.decode(raw));
  } catch {
    return []; // Not JSON either: the byte offset alone must do.
  }
  return [...stringsIn(parsed, 'body')].filter((s) => s.text.includes('\ufffd')).map((s) => s.path);
}

/** Fields named `__proto__`, `constructor` or `prototype`, wherever they are. */
function prototypeKeys(value: unknown): InputIssue[] {
  return [...stringsIn(value, 'body')]
    .filter((s) => s.key && PROTOTYPE_KEYS.has(s.text))
    .map((s) => ({ path: s.path, message: `a field may not be named ${s.text}: no request has one, and it could reach an object's prototype` }));
}

const refused = (issues: InputIssue[], lead = 'invalid request') =>
  new HttpError(400, `${lead}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });

/** The zod compilers, a JSON parser that insists on UTF-8 and a bounded shape, and the check of every string. */
export default fp(
  async (app) => {
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);

    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, raw: Buffer, done) => {
      const fail = (err: HttpError) => done(err, undefined);
      if (raw.length === 0) return fail(refused([{ path: 'body', message: 'is empty; send a JSON object' }]));
      const deep = tooDeep(raw, MAX_JSON_DEPTH);
      if (deep) return fail(refused([{ path: deep, message: `nests more than ${MAX_JSON_DEPTH} arrays and objects deep` }]));
      if (!isUtf8(raw)) {
        const paths = fieldsWithInvalidBytes(raw);
        const issues = (paths.length ? paths : ['body']).map((path) => ({ path, message: 'is not valid UTF-8 text' }));
        return fail(new HttpError(400, `the request body is not valid UTF-8 (first bad byte at offset ${firstInvalidByte(raw)}); send JSON encoded as UTF-8`, { issues }));
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (e) {
        return fail(refused([{ path: 'body', message: `is not valid JSON (${(e as Error).message})` }]));
      }
      const keys = prototypeKeys(body);
      if (keys.length > 0) return fail(refused(keys));
      return done(null, body);
    });

    app.addHook('preValidation', async (request) => {
      const issues = [
        ...textIssues(request.params, 'params'),
        ...textIssues(request.query, 'querystring'),
        ...textIssues(request.headers['idempotency-key'], 'headers.idempotency-key'),
        ...textIssues(request.body, 'body'),
      ];
      if (issues.length > 0) throw refused(issues);
    });
  },
  { name: 'input' },
);

/** The offset of the first byte that cannot be part of UTF-8 text (the length, if the text is cut short). */
function firstInvalidByte(raw: Buffer): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < raw.length; i++) {
    try {
      decoder.decode(raw.subarray(i, i + 1), { stream: true });
    } catch {
      return i;
    }
  }
  return raw.length;
}
