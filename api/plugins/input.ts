// What a request must be before a handler sees it. Every route's zod schemas validate its parameters,
// query, headers and body (and shape its answers). Text the service cannot keep is refused at the door:
// PostgreSQL stores neither NUL nor unpaired UTF-16 surrogates (error 22021), and Temporal carries them
// into a case that then can never be projected; bytes that are not UTF-8 would be turned into U+FFFD and
// the citizen's words silently lost. So a request whose body is not UTF-8, or any of whose strings holds
// NUL or a lone surrogate, answers 400 naming the field, before anything is started.

import { isUtf8 } from 'node:buffer';
import fp from 'fastify-plugin';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { HttpError } from '../errors.js';

export interface InputIssue {
  path: string;
  message: string;
}

const NUL = '\u0000';
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Where `value` holds a string PostgreSQL cannot store; keys are checked as well as values. */
export function unstorableText(value: unknown, path: string, found: InputIssue[] = []): InputIssue[] {
  if (typeof value === 'string') {
    if (value.includes(NUL)) found.push({ path, message: 'contains a NUL character (U+0000), which cannot be stored' });
    else if (LONE_SURROGATE.test(value)) found.push({ path, message: 'contains an unpaired UTF-16 surrogate, which is not valid Unicode text' });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => unstorableText(item, `${path}.${i}`, found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const at = `${path}.${key}`;
      if (unstorableText(key, at).length > 0) found.push({ path: at, message: 'the field name is not valid text' });
      unstorableText(item, at, found);
    }
  }
  return found;
}

const lenientUtf8 = new TextDecoder('utf-8');

/** Fields of a JSON body whose text changed when decoded leniently: where the invalid bytes were. */
function fieldsWithInvalidBytes(raw: Buffer, parse: (text: string) => unknown): string[] {
  const paths: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'string' && value.includes('\ufffd')) paths.push(path);
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}.${i}`));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
  };
  try {
    walk(parse(lenientUtf8.decode(raw)), 'body');
  } catch {
    // Not JSON either: the byte offset alone must do.
  }
  return paths;
}

/** The zod compilers, a JSON parser that insists on UTF-8, and the check of body, query and params. */
export default fp(
  async (app) => {
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);

    const parseJson = app.getDefaultJsonParser('error', 'error') as (request: unknown, body: string, done: (err: Error | null, value?: unknown) => void) => void;
    const parse = (text: string): unknown => {
      let out: unknown;
      parseJson(undefined, text, (err, value) => {
        if (err) throw err;
        out = value;
      });
      return out;
    };

    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw: Buffer, done) => {
      if (!isUtf8(raw)) {
        const paths = fieldsWithInvalidBytes(raw, parse);
        const issues = (paths.length ? paths : ['body']).map((path) => ({ path, message: 'is not valid UTF-8 text' }));
        done(new HttpError(400, `the request body is not valid UTF-8 (first bad byte at offset ${firstInvalidByte(raw)}); send JSON encoded as UTF-8`, { issues }), undefined);
        return;
      }
      parseJson(request, raw.toString('utf8'), done);
    });

    app.addHook('preValidation', async (request) => {
      const issues = [
        ...unstorableText(request.params, 'params'),
        ...unstorableText(request.query, 'querystring'),
        ...unstorableText(request.body, 'body'),
      ];
      if (issues.length > 0) {
        throw new HttpError(400, `invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
      }
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
