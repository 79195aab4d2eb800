// Hostile input against every route: a corpus of named requests — wrong types, unknown fields, text too
// long, JSON nested 100,000 deep, bytes that are not UTF-8, control characters, lone surrogates, path
// tricks, links a browser must not open, numbers past any bound, prototype keys — each refused with the
// 4xx it deserves and a JSON `error` naming the field, never a 5xx, and leaving the case, its timeline
// and the number of cases as they were. SQL and HTML in text are nothing special: stored as text and
// answered byte for byte. Then fast-check throws arbitrary JSON, bytes and queries at the running API.

import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyLimits } from '../api/schemas.js';
import { CATEGORIES } from '../domain/case.js';
import { ACTION_TYPES } from '../workflows/lifecycle.js';
import { type TestEnv, createTestEnv, sampleIntake } from './support.js';

let env: TestEnv;
/** The case the corpus aims at, in triage, and its tracking code. */
let target: { id: string; trackingCode: string };
beforeAll(async () => {
  env = await createTestEnv('hostile');
  const filed = await env.request('POST', '/v1/cases', { body: sampleIntake({ externalId: 'hostile-target' }) });
  expect(filed.statusCode, filed.body).toBe(201);
  target = filed.json();
});
afterAll(async () => env?.close());

type Key = 'intake' | 'desk' | 'supervisor' | 'reporter' | null;

interface Hostile {
  name: string;
  method: 'GET' | 'POST';
  /** `{id}` and `{code}` stand for the target case's id and tracking code. */
  url: string;
  key?: Key;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as these bytes, as application/json unless `headers` say otherwise. */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  status: number;
  /** The field the answer names: one of its `issues`, or in its `error`. */
  field?: string;
  /** What its `error` says, where the status alone does not tell. */
  error?: RegExp;
}

const SQL = "'; drop table cases; --";
const HTML = '<script>alert(document.cookie)</script><img src=x onerror=alert(1)>';
const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const intake = (overrides: Record<string, unknown>) => ({ ...sampleIntake(), ...overrides });
/** A JSON intake whose `title` holds these bytes as they are. */
const intakeWithTitleBytes = (bytes: number[]) => {
  const json = Buffer.from(JSON.stringify(intake({ title: 'TITLE' })));
  const at = json.indexOf('TITLE');
  return Buffer.concat([json.subarray(0, at), Buffer.from(bytes), json.subarray(at + 5)]);
};
const withTitle = (rawTitle: string) => JSON.stringify(intake({ title: 'TITLE' })).replace('"TITLE"', rawTitle);
const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const CORPUS: Hostile[] = [
  // Intake: POST /v1/cases.
  { name: 'intake: a number for the title', method: 'POST', url: '/v1/cases', body: intake({ title: 12345 }), status: 400, field: 'body.title' },
  { name: 'intake: a string for urgent', method: 'POST', url: '/v1/cases', body: intake({ urgent: 'yes' }), status: 400, field: 'body.urgent' },
  { name: 'intake: an object for the attachments', method: 'POST', url: '/v1/cases', body: intake({ attachments: { url: 'https://x.example' } }), status: 400, field: 'body.attachments' },
  { name: 'intake: an array for the whole body', method: 'POST', url: '/v1/cases', body: [sampleIntake()], status: 400, field: 'body' },
  { name: 'intake: a channel that does not exist', method: 'POST', url: '/v1/cases', body: intake({ channel: 'fax' }), status: 400, field: 'body.channel' },
  { name: 'intake: an unknown field', method: 'POST', url: '/v1/cases', body: intake({ priority: 'high' }), status: 400, field: 'body.priority' },
  { name: 'intake: an unknown nested field', method: 'POST', url: '/v1/cases', body: intake({ location: { address: '七宝镇', town: '七宝' } }), status: 400, field: 'body.location.town' },
  { name: 'intake: a title of 201 characters', method: 'POST', url: '/v1/cases', body: intake({ title: '帮'.repeat(201) }), status: 400, field: 'body.title' },
  { name: 'intake: a description of 10,001 characters', method: 'POST', url: '/v1/cases', body: intake({ description: 'x'.repeat(10_001) }), status: 400, field: 'body.description' },
  { name: 'intake: an externalId of 201 characters', method: 'POST', url: '/v1/cases', body: intake({ externalId: 'e'.repeat(201) }), status: 400, field: 'body.externalId' },
  { name: 'intake: an address of 501 characters', method: 'POST', url: '/v1/cases', body: intake({ location: { address: 'a'.repeat(501) } }), status: 400, field: 'body.location.address' },
  { name: 'intake: a citizen name of 101 characters', method: 'POST', url: '/v1/cases', body: intake({ citizen: { name: 'n'.repeat(101) } }), status: 400, field: 'body.citizen.name' },
  { name: 'intake: 51 attachments', method: 'POST', url: '/v1/cases', body: intake({ attachments: Array.from({ length: 51 }, () => ({ url: 'https://files.example/a.jpg' })) }), status: 400, field: 'body.attachments' },
  { name: 'intake: a title nested 100,000 arrays deep', method: 'POST', url: '/v1/cases', raw: withTitle(deepArray(100_000)), status: 400, field: 'body.title', error: /nests more than 32 arrays and objects deep/ },
  { name: 'intake: a body nested 100,000 arrays deep', method: 'POST', url: '/v1/cases', raw: deepArray(100_000), status: 400, field: 'body' },
  { name: 'intake: a body nested 50,000 objects deep', method: 'POST', url: '/v1/cases', raw: '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000), status: 400, field: 'body.a.a.a' },
  { name: 'intake: a body nested 33 deep', method: 'POST', url: '/v1/cases', raw: withTitle(deepArray(32)), status: 400, field: 'body.title' },
  { name: 'intake: invalid UTF-8 bytes in the title', method: 'POST', url: '/v1/cases', raw: intakeWithTitleBytes([0x41, 0xff, 0xfe, 0x42]), status: 400, field: 'body.title' },
  { name: 'intake: an overlong UTF-8 slash in the title', method: 'POST', url: '/v1/cases', raw: intakeWithTitleBytes([0xc0, 0xaf]), status: 400, field: 'body.title' },
  { name: 'intake: a UTF-8-encoded surrogate in the title', method: 'POST', url: '/v1/cases', raw: intakeWithTitleBytes([0xed, 0xa0, 0x80]), status: 400, field: 'body.title' },
  { name: 'intake: a BEL in the title', method: 'POST', url: '/v1/cases', body: intake({ title: 'ring\u0007ring' }), status: 400, field: 'body.title', error: /control character U\+0007/ },
  { name: 'intake: a terminal escape in the description', method: 'POST', url: '/v1/cases', body: intake({ description: 'ok\u001b[2J\u001b[31mforged' }), status: 400, field: 'body.description' },
  { name: 'intake: a DEL in the address', method: 'POST', url: '/v1/cases', body: intake({ location: { address: '路\u007f' } }), status: 400, field: 'body.location.address' },
  { name: 'intake: a C1 control (NEL) in the citizen name', method: 'POST', url: '/v1/cases', body: intake({ citizen: { name: '王\u0085小明' } }), status: 400, field: 'body.citizen.name' },
  { name: 'intake: a control character in a field name', method: 'POST', url: '/v1/cases', body: { ...sampleIntake(), 'ti\u0001tle': 'x' }, status: 400, field: 'body.ti\u0001tle' },
  { name: 'intake: a NUL in the title', method: 'POST', url: '/v1/cases', body: intake({ title: 'a\u0000b' }), status: 400, field: 'body.title' },
  { name: 'intake: a lone high surrogate in the description', method: 'POST', url: '/v1/cases', raw: JSON.stringify(intake({ description: 'DESC' })).replace('DESC', 'x\\ud800y'), status: 400, field: 'body.description' },
  { name: 'intake: a lone low surrogate in the title', method: 'POST', url: '/v1/cases', raw: withTitle('"\\udc00"'), status: 400, field: 'body.title' },
  { name: 'intake: a javascript: attachment', method: 'POST', url: '/v1/cases', body: intake({ attachments: [{ url: 'javascript:alert(1)' }] }), status: 400, field: 'body.attachments.0.url' },
  { name: 'intake: a JavaScript: attachment in capitals', method: 'POST', url: '/v1/cases', body: intake({ attachments: [{ url: 'JavaScript:alert(1)' }] }), status: 400, field: 'body.attachments.0.url' },
  { name: 'intake: a file: attachment', method: 'POST', url: '/v1/cases', body: intake({ attachments: [{ url: 'file:///etc/passwd' }] }), status: 400, field: 'body.attachments.0.url' },
  { name: 'intake: a data: attachment', method: 'POST', url: '/v1/cases', body: intake({ attachments: [{ url: 'data:text/html,<script>alert(1)</script>' }] }), status: 400, field: 'body.attachments.0.url' },
  { name: 'intake: an attachment of 2,001 characters', method: 'POST', url: '/v1/cases', body: intake({ attachments: [{ url: `https://files.example/${'a'.repeat(1_980)}` }] }), status: 400, field: 'body.attachments.0.url', error: /at most 2,000 characters/ },
  { name: 'intake: an attachment named ../../etc/passwd', method: 'POST', url: '/v1/cases', body: intake({ attachments: [{ url: 'https://files.example/a.jpg', name: '../../etc/passwd' }] }), status: 400, field: 'body.attachments.0.name' },
  { name: 'intake: an attachment named ..\\..\\windows\\win.ini', method: 'POST', url: '/v1/cases', body: intake({ attachments: [{ url: 'https://files.example/a.jpg', name: '..\\..\\windows\\win.ini' }] }), status: 400, field: 'body.attachments.0.name' },
  { name: 'intake: a latitude of 1e308', method: 'POST', url: '/v1/cases', body: intake({ location: { address: 'a', lat: 1e308 } }), status: 400, field: 'body.location.lat' },
  { name: 'intake: a latitude of 1e400 (Infinity when parsed)', method: 'POST', url: '/v1/cases', raw: JSON.stringify(intake({ location: { address: 'a', lat: 0 } })).replace('"lat":0', '"lat":1e400'), status: 400, field: 'body.location.lat' },
  { name: 'intake: a longitude of -1e999', method: 'POST', url: '/v1/cases', raw: JSON.stringify(intake({ location: { address: 'a', lng: 0 } })).replace('"lng":0', '"lng":-1e999'), status: 400, field: 'body.location.lng' },
  { name: 'intake: a number of 400 digits for urgent', method: 'POST', url: '/v1/cases', raw: JSON.stringify(intake({ urgent: 0 })).replace('"urgent":0', `"urgent":${'9'.repeat(400)}`), status: 400, field: 'body.urgent' },
  { name: 'intake: __proto__ at the top', method: 'POST', url: '/v1/cases', raw: JSON.stringify(sampleIntake()).replace(/^\{/, '{"__proto__":{"isAdmin":true},'), status: 400, field: 'body.__proto__' },
  { name: 'intake: __proto__ in the location', method: 'POST', url: '/v1/cases', raw: JSON.stringify(sampleIntake()).replace('"location":{', '"location":{"__proto__":{"polluted":1},'), status: 400, field: 'body.location.__proto__' },
  { name: 'intake: constructor.prototype', method: 'POST', url: '/v1/cases', raw: JSON.stringify(sampleIntake()).replace(/^\{/, '{"constructor":{"prototype":{"polluted":1}},'), status: 400, field: 'body.constructor' },
  { name: 'intake: a bare constructor field', method: 'POST', url: '/v1/cases', body: intake({ constructor: 'x' }), status: 400, field: 'body.constructor' },
  { name: 'intake: an empty body', method: 'POST', url: '/v1/cases', raw: '', status: 400, field: 'body' },
  { name: 'intake: JSON cut short', method: 'POST', url: '/v1/cases', raw: '{"channel":"xinmin","title":', status: 400, field: 'body' },
  { name: 'intake: a byte-order mark before the JSON', method: 'POST', url: '/v1/cases', raw: `\ufeff${JSON.stringify(sampleIntake())}`, status: 400, field: 'body' },
  { name: 'intake: XML', method: 'POST', url: '/v1/cases', raw: '<case><title>x</title></case>', headers: { 'content-type': 'application/xml' }, status: 415, error: /send content-type: application\/json, not application\/xml/ },
  { name: 'intake: JSON sent as text/plain', method: 'POST', url: '/v1/cases', raw: JSON.stringify(sampleIntake()), headers: { 'content-type': 'text/plain' }, status: 400, field: 'body' },
  { name: 'intake: a body past the limit', method: 'POST', url: '/v1/cases', body: intake({ description: 'x'.repeat(bodyLimits.intake) }), status: 413, field: 'body' },
  { name: 'intake: a query parameter', method: 'POST', url: '/v1/cases?debug=1', body: sampleIntake(), status: 400, field: 'querystring.debug' },
  { name: 'intake: a C1 control character in the Idempotency-Key', method: 'POST', url: '/v1/cases', body: sampleIntake(), headers: { 'idempotency-key': 'k\u0085k' }, status: 400, field: 'headers.idempotency-key' },
  { name: 'intake: an Idempotency-Key of 201 characters', method: 'POST', url: '/v1/cases', body: sampleIntake(), headers: { 'idempotency-key': 'k'.repeat(201) }, status: 400, field: 'headers.idempotency-key' },

  // The list: GET /v1/cases.
  { name: 'list: a limit past 200', method: 'GET', url: '/v1/cases?limit=201', status: 400, field: 'querystring.limit' },
  { name: 'list: a limit of 1e309', method: 'GET', url: '/v1/cases?limit=1e309', status: 400, field: 'querystring.limit' },
  { name: 'list: a negative limit', method: 'GET', url: '/v1/cases?limit=-1', status: 400, field: 'querystring.limit' },
  { name: 'list: a limit that is not a number', method: 'GET', url: '/v1/cases?limit=ten', status: 400, field: 'querystring.limit' },
  { name: 'list: a state that does not exist', method: 'GET', url: '/v1/cases?state=triage,hacked', status: 400, field: 'querystring.state' },
  { name: 'list: a state list of 201 characters', method: 'GET', url: `/v1/cases?state=${'triage,'.repeat(29)}`, status: 400, field: 'querystring.state' },
  { name: 'list: a date that is not one', method: 'GET', url: `/v1/cases?from=${encodeURIComponent(SQL)}`, status: 400, field: 'querystring.from' },
  { name: 'list: a cursor of garbage', method: 'GET', url: '/v1/cases?cursor=garbage', status: 400, field: 'querystring.cursor' },
  { name: 'list: a cursor with SQL for a deadline', method: 'GET', url: `/v1/cases?cursor=${cursor({ deadlineAt: SQL, id: 'x' })}`, status: 400, field: 'querystring.cursor' },
  { name: 'list: a cursor with a deadline PostgreSQL would refuse', method: 'GET', url: `/v1/cases?cursor=${cursor({ deadlineAt: '2026-02-30 00:00:00+00', id: 'abc' })}`, status: 400, field: 'querystring.cursor' },
  { name: 'list: a cursor with a path for an id', method: 'GET', url: `/v1/cases?cursor=${cursor({ deadlineAt: null, id: '../../etc/passwd' })}`, status: 400, field: 'querystring.cursor' },
  { name: 'list: a cursor with a number for an id', method: 'GET', url: `/v1/cases?cursor=${cursor({ deadlineAt: null, id: 1 })}`, status: 400, field: 'querystring.cursor' },
  { name: 'list: a cursor with a field more', method: 'GET', url: `/v1/cases?cursor=${cursor({ deadlineAt: null, id: 'abc', admin: true })}`, status: 400, field: 'querystring.cursor' },
  { name: 'list: a cursor of JSON null', method: 'GET', url: `/v1/cases?cursor=${cursor(null)}`, status: 400, field: 'querystring.cursor' },
  { name: 'list: a cursor of 201 characters', method: 'GET', url: `/v1/cases?cursor=${'A'.repeat(201)}`, status: 400, field: 'querystring.cursor' },
  { name: 'list: a BEL in the search', method: 'GET', url: '/v1/cases?q=%07', status: 400, field: 'querystring.q' },
  { name: 'list: an escape sequence in the search', method: 'GET', url: '/v1/cases?q=%1B%5B2J', status: 400, field: 'querystring.q' },
  { name: 'list: a C1 control in the search', method: 'GET', url: '/v1/cases?q=%C2%9B', status: 400, field: 'querystring.q' },
  { name: 'list: a search of 201 characters', method: 'GET', url: `/v1/cases?q=${'q'.repeat(201)}`, status: 400, field: 'querystring.q' },
  { name: 'list: an unknown parameter', method: 'GET', url: '/v1/cases?sort=asc', status: 400, field: 'querystring.sort' },
  { name: 'list: a __proto__ parameter', method: 'GET', url: '/v1/cases?__proto__=1', status: 400, field: 'querystring.__proto__' },
  { name: 'list: a __proto__[admin] parameter', method: 'GET', url: '/v1/cases?__proto__%5Badmin%5D=1', status: 400, field: 'querystring.__proto__[admin]' },
  { name: 'list: a parameter twice', method: 'GET', url: '/v1/cases?q=a&q=b', status: 400, field: 'querystring.q' },
  { name: 'list: a unit id that is a path', method: 'GET', url: `/v1/cases?unit=${encodeURIComponent('../../etc/passwd')}`, status: 400, field: 'querystring.unit' },

  // One case and its timeline.
  { name: 'case: an id that is a path, encoded', method: 'GET', url: '/v1/cases/..%2F..%2Fetc%2Fpasswd', status: 404 },
  { name: 'case: an id that is a path, %2e%2e%2f', method: 'GET', url: '/v1/cases/%2e%2e%2f%2e%2e%2fetc%2fpasswd', status: 404 },
  { name: 'case: a path that climbs out of the route', method: 'GET', url: '/v1/cases/../../etc/passwd', status: 404 },
  { name: 'case: SQL for an id', method: 'GET', url: `/v1/cases/${encodeURIComponent(SQL)}`, status: 404 },
  { name: 'case: an id of 65 characters', method: 'GET', url: `/v1/cases/${'i'.repeat(65)}`, status: 400, field: 'params.id' },
  { name: 'case: a NUL in the id', method: 'GET', url: '/v1/cases/ab%00cd', status: 400, field: 'params.id' },
  { name: 'case: a BEL in the id', method: 'GET', url: '/v1/cases/ab%07cd', status: 400, field: 'params.id' },
  { name: 'case: a percent-encoded lone surrogate in the id', method: 'GET', url: '/v1/cases/%ED%A0%80', status: 400 },
  { name: 'case: broken percent-encoding in the id', method: 'GET', url: '/v1/cases/%E0%A4%A', status: 400 },
  { name: 'case: a query parameter', method: 'GET', url: '/v1/cases/{id}?expand=all', status: 400, field: 'querystring.expand' },
  { name: 'timeline: an id that is a path', method: 'GET', url: '/v1/cases/..%2F..%2Fetc%2Fpasswd/events', status: 404 },
  { name: 'timeline: a DEL in the id', method: 'GET', url: '/v1/cases/%7F/events', status: 400, field: 'params.id' },

  // Actions: POST /v1/cases/:id/actions, by the desk, on the case in triage.
  { name: 'action: a type that does not exist', method: 'POST', url: '/v1/cases/{id}/actions', key: 'desk', body: { type: 'drop_table' }, status: 400, field: 'body.type' },
  { name: 'action: no type', method: 'POST', url: '/v1/cases/{id}/actions', key: 'desk', body: { decision: 'in_scope' }, status: 400, field: 'body.type' },
  { name: 'action: an operator object for the type', method: 'POST', url: '/v1/cases/{id}/actions', key: 'desk', body: { type: { $ne: null } }, status: 400, field: 'body.type' },
  { name: 'action: a decision that does not exist', method: 'POST', url: '/v1/cases/{id}/actions', key: 'desk', body: { type: 'triage', decision: 'delete' }, status: 400, field: 'body.decision' },
  { name: 'action: an unknown field', method: 'POST', url: '/v1/cases/{id}/actions', key: 'desk', body: { type: 'supplement', text: 'x', state: 'closed' }, status: 400, field: 'body.state' },
  { name: 'action: a boolean of 1e400', method: 'POST', url: '/v1/cases/{id}/actions', key: 'supervisor', raw: '{"type":"media_join_decision","approve":1e400}', status: 400, field: 'body.approve' },
  { name: 'action: an explanation of 5,001 characters', method: 'POST', url: '/v1/cases/{id}/actions', key: 'desk', body: { type: 'triage', decision: 'explain', explanation: 'e'.repeat(5_001) }, status: 400, field: 'body.explanation' },
  { name: 'action: a supplement of 10,001 characters', method: 'POST', url: '/v1/cases/{id}/actions', key: 'desk', body: { type: 'supplement', text: 's'.repeat(10_001) }, status: 400, field: 'body.text' },
  { name: 'action: a media draft of 50,001 characters', method: 'POST', url: '/v1/cases/{id}/actions', key: 'reporter', body: { type: 'media_draft', title: 't', body: 'b'.repeat(50_001) }, status: 400, field: 'body.body' },
  { name: 'action: a terminal escape in a supplement', method: 'POST', url: '/v1/cases/{id}/actions', key: 'desk', body: { type: 'supplement', text: 'ok\u001b]0;pwned\u0007' }, status: 400, field: 'body.text' },
  { name: 'action: a form feed in a reason', method: 'POST', url: '/v1/cases/{id}/actions', key: 'desk', body: { type: 'withdraw', reason: 'a\u000cb' }, status: 400, field: 'body.reason' },
  { name: 'action: a lone surrogate in a supplement', method: 'POST', url: '/v1/cases/{id}/actions', key: 'desk', raw: '{"type":"supplement","text":"\\udbff"}', status: 400, field: 'body.text' },
  { name: 'action: invalid UTF-8 in a supplement', method: 'POST', url: '/v1/cases/{id}/actions', key: 'desk', raw: Buffer.concat([Buffer.from('{"type":"supplement","text":"'), Buffer.from([0xe5, 0x41]), Buffer.from('"}')]), status: 400, field: 'body.text' },
  { name: 'action: a supplement nested 100,000 deep', method: 'POST', url: '/v1/cases/{id}/actions', key: 'desk', raw: `{"type":"supplement","text":${deepArray(100_000)}}`, status: 400, field: 'body.text' },
  { name: 'action: a javascript: attachment', method: 'POST', url: '/v1/cases/{id}/actions', key: 'desk', body: { type: 'supplement', attachments: [{ url: 'javascript:alert(1)' }] }, status: 400, field: 'body.attachments.0.url' },
  { name: 'action: a file: attachment', method: 'POST', url: '/v1/cases/{id}/actions', key: 'desk', body: { type: 'supplement', attachments: [{ url: 'file:///etc/shadow' }] }, status: 400, field: 'body.attachments.0.url' },
  { name: 'action: an attachment named ../../etc/passwd', method: 'POST', url: '/v1/cases/{id}/actions', key: 'desk', body: { type: 'supplement', attachments: [{ url: 'https://f.example/1.jpg', name: '../../etc/passwd' }] }, status: 400, field: 'body.attachments.0.name' },
  { name: 'action: __proto__', method: 'POST', url: '/v1/cases/{id}/actions', key: 'desk', raw: '{"type":"supplement","__proto__":{"role":"admin"}}', status: 400, field: 'body.__proto__' },
  { name: 'action: prototype', method: 'POST', url: '/v1/cases/{id}/actions', key: 'desk', body: { type: 'supplement', prototype: { role: 'admin' } }, status: 400, field: 'body.prototype' },
  { name: 'action: a body past the limit', method: 'POST', url: '/v1/cases/{id}/actions', key: 'desk', body: { type: 'supplement', text: 'x'.repeat(bodyLimits.action) }, status: 413, field: 'body' },
  { name: 'action: on an id that is a path', method: 'POST', url: '/v1/cases/..%2F..%2Fetc%2Fpasswd/actions', key: 'desk', body: { type: 'supplement', text: 'x' }, status: 404 },
  { name: 'action: on an id of SQL', method: 'POST', url: `/v1/cases/${encodeURIComponent(SQL)}/actions`, key: 'desk', body: { type: 'supplement', text: 'x' }, status: 404 },

  // The citizen's routes.
  { name: 'track: a code that is a path', method: 'GET', url: '/v1/track/..%2F..%2Fetc%2Fpasswd', key: null, status: 404 },
  { name: 'track: a code of SQL', method: 'GET', url: `/v1/track/${encodeURIComponent(SQL)}`, key: null, status: 404 },
  { name: 'track: a code of 33 characters', method: 'GET', url: `/v1/track/BN${'0'.repeat(31)}`, key: null, status: 400, field: 'params.trackingCode' },
  { name: 'track: an escape in the code', method: 'GET', url: '/v1/track/BN%1B%5B2J00', key: null, status: 400, field: 'params.trackingCode' },
  { name: 'track: a query parameter', method: 'GET', url: '/v1/track/{code}?lang=en', key: null, status: 400, field: 'querystring.lang' },
  { name: 'rating: a rating that does not exist', method: 'POST', url: '/v1/track/{code}/rating', key: null, body: { rating: 'five stars' }, status: 400, field: 'body.rating' },
  { name: 'rating: a comment of 2,001 characters', method: 'POST', url: '/v1/track/{code}/rating', key: null, body: { rating: 'satisfied', comment: 'c'.repeat(2_001) }, status: 400, field: 'body.comment' },
  { name: 'rating: a control character in the comment', method: 'POST', url: '/v1/track/{code}/rating', key: null, body: { rating: 'satisfied', comment: 'good\u0008\u0008\u0008bad' }, status: 400, field: 'body.comment' },
  { name: 'rating: an unknown field', method: 'POST', url: '/v1/track/{code}/rating', key: null, body: { rating: 'satisfied', caseId: 'other' }, status: 400, field: 'body.caseId' },
  { name: 'rating: __proto__', method: 'POST', url: '/v1/track/{code}/rating', key: null, raw: '{"rating":"satisfied","__proto__":{"x":1}}', status: 400, field: 'body.__proto__' },
  { name: 'rating: a body past the limit', method: 'POST', url: '/v1/track/{code}/rating', key: null, body: { rating: 'satisfied', comment: 'c'.repeat(20_000) }, status: 413, field: 'body' },

  // Statistics and the organisation.
  { name: 'stats: a dimension that does not exist', method: 'GET', url: '/v1/stats?by=password', status: 400, field: 'querystring.by' },
  { name: 'stats: a date that is not one', method: 'GET', url: '/v1/stats?from=yesterday', status: 400, field: 'querystring.from' },
  { name: 'stats: a unit id of 65 characters', method: 'GET', url: `/v1/stats?unit=${'u'.repeat(65)}`, status: 400, field: 'querystring.unit' },
  { name: 'units: a query parameter', method: 'GET', url: '/v1/units?all=1', status: 400, field: 'querystring.all' },
  { name: 'workstations: a district of 51 characters', method: 'GET', url: `/v1/workstations?district=${'区'.repeat(51)}`, status: 400, field: 'querystring.district' },
  { name: 'workstations: a control character in the street', method: 'GET', url: '/v1/workstations?street=%08', status: 400, field: 'querystring.street' },
];

async function send(h: Hostile): Promise<LightMyRequestResponse> {
  const key = h.key === undefined ? env.keys.intake : h.key === null ? undefined : env.keys[h.key];
  const url = h.url.replace('{id}', target.id).replace('{code}', target.trackingCode);
  const headers: Record<string, string> = { ...(key ? { authorization: `Bearer ${key}` } : {}) };
  if (h.raw !== undefined) headers['content-type'] = 'application/json';
  Object.assign(headers, h.headers);
  return env.app.inject({ method: h.method, url, headers, payload: (h.raw ?? h.body) as never });
}

/** What a refused request must leave as it was: the case, its timeline, and the number of cases. */
async function snapshot() {
  const read = (url: string) => env.request('GET', url, { key: env.keys.supervisor });
  const [one, events, [count]] = await Promise.all([
    read(`/v1/cases/${target.id}`),
    read(`/v1/cases/${target.id}/events`),
    env.database.sql<{ n: number }[]>`select count(*)::int as n from cases`,
  ]);
  expect(one.statusCode).toBe(200);
  expect(events.statusCode).toBe(200);
  return { case: one.json(), events: events.json(), cases: count!.n };
}

/** The answer is JSON with an `error`, as every refusal of this API is. */
function expectJsonError(res: LightMyRequestResponse, what: string): { error: string; issues?: { path: string; message: string }[] } {
  expect(res.headers['content-type'], `${what}: ${res.body.slice(0, 200)}`).toMatch(/^application\/json/);
  const body = res.json();
  expect(typeof body.error, `${what}: ${res.body.slice(0, 200)}`).toBe('string');
  return body;
}

/** Open311 answers in the GeoReport v2 error format, `[{code, description}]`, as XML unless JSON was asked for. */
function expectOpen311Error(res: LightMyRequestResponse, what: string) {
  const type = String(res.headers['content-type'] ?? '');
  expect(type, `${what}: ${res.body.slice(0, 200)}`).toMatch(/^(application\/json|text\/xml|application\/xml)/);
  if (type.startsWith('application/json')) {
    const body = res.json() as { code: number; description: string }[];
    expect(body.length, what).toBeGreaterThan(0);
    for (const e of body) expect(typeof e.description, `${what}: ${res.body.slice(0, 200)}`).toBe('string');
  } else {
    expect(res.body, what).toMatch(/<errors>\s*<error>[\s\S]*<description>[^<]+<\/description>/);
  }
}

describe('the hostile corpus', () => {
  it('When each hostile request is sent, then it is refused with its 4xx naming the field, never a 5xx, and nothing changes', async () => {
    const before = await snapshot();
    const wrong: string[] = [];
    for (const h of CORPUS) {
      const res = await send(h);
      if (res.statusCode >= 500) wrong.push(`${h.name}: ${res.statusCode} ${res.body.slice(0, 300)}`);
      else if (res.statusCode !== h.status) wrong.push(`${h.name}: expected ${h.status}, got ${res.statusCode} ${res.body.slice(0, 300)}`);
      else {
        const body = expectJsonError(res, h.name);
        const named = (body.issues ?? []).some((i) => i.path === h.field || i.path.startsWith(`${h.field}.`)) || (h.field !== undefined && body.error.includes(h.field));
        if (h.field && !named) wrong.push(`${h.name}: the answer does not name ${h.field}: ${res.body.slice(0, 300)}`);
        if (h.error && !h.error.test(body.error)) wrong.push(`${h.name}: the answer does not say ${h.error}: ${body.error}`);
      }
      expect(await snapshot(), `after ${h.name}`).toEqual(before);
    }
    expect(wrong).toEqual([]);
  });

  it('When every operation of the API description gets hostile paths, queries and bodies, then each answers a JSON 4xx (Open311 routes: the GeoReport v2 error format) and nothing changes', async () => {
    const spec = (await env.request('GET', '/openapi.json', { key: null })).json() as { paths: Record<string, Record<string, unknown>> };
    const before = await snapshot();
    const wrong: string[] = [];
    let sent = 0;
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
        const at = (param: string) => path.replace(/\{[^}]+\}/g, param);
        const requests: { name: string; url: string; raw?: string | Buffer }[] = [
          { name: 'a control character in a query field name', url: `${at(target.id)}?zz%07=1` },
          { name: 'an escape sequence in a query value', url: `${at(target.id)}?zz=%1B%5B2J` },
        ];
        if (path.includes('{')) {
          requests.push({ name: 'a BEL for every path parameter', url: at('%07') }, { name: 'a path for every path parameter', url: at('..%2F..%2Fetc%2Fpasswd') });
        }
        if (method === 'POST') {
          requests.push(
            { name: 'a body nested 100,000 deep', url: at(target.id), raw: deepArray(100_000) },
            { name: 'a body that is not UTF-8', url: at(target.id), raw: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]) },
            { name: 'a __proto__ body', url: at(target.id), raw: '{"__proto__":{"admin":true}}' },
            { name: 'a body of 2 MiB', url: at(target.id), raw: JSON.stringify({ x: 'x'.repeat(2 * 1024 * 1024) }) },
          );
        }
        for (const r of requests) {
          sent++;
          const res = await env.app.inject({
            method: method as 'GET' | 'POST',
            url: r.url,
            headers: { authorization: `Bearer ${env.keys.intake}`, ...(r.raw !== undefined ? { 'content-type': 'application/json' } : {}) },
            payload: r.raw as never,
          });
          const what = `${method} ${path}, ${r.name}`;
          if (res.statusCode < 400 || res.statusCode >= 500) wrong.push(`${what}: ${res.statusCode} ${res.body.slice(0, 300)}`);
          else if (path.startsWith('/open311/')) expectOpen311Error(res, what);
          else expectJsonError(res, what);
        }
      }
    }
    expect(sent).toBeGreaterThan(30);
    expect(wrong).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('When text holds SQL or HTML, then it is stored as text and answered byte for byte, as JSON', async () => {
    const address = `漕宝路1号 ${SQL} ${HTML}`;
    const filed = await env.request('POST', '/v1/cases', { body: sampleIntake({ title: SQL, description: HTML, location: { address }, citizen: { name: `<b>${SQL}</b>` } }) });
    expect(filed.statusCode, filed.body).toBe(201);
    expect(filed.headers['content-type']).toMatch(/^application\/json/);
    const id = filed.json().id as string;

    const read = await env.request('GET', `/v1/cases/${id}`, { key: env.keys.supervisor });
    expect(read.headers['content-type']).toMatch(/^application\/json/);
    expect(read.headers['x-content-type-options']).toBe('nosniff');
    expect(read.json()).toMatchObject({ title: SQL, description: HTML, location: { address } });
    // The very characters, not entities or escapes a browser would undo.
    expect(read.body).toContain(JSON.stringify(SQL));
    expect(read.body).toContain(JSON.stringify(HTML));

    const supplement = `${HTML}\n${SQL}\t"quoted" \\ back`;
    const acted = await env.request('POST', `/v1/cases/${id}/actions`, { key: env.keys.desk, body: { type: 'supplement', text: supplement } });
    expect(acted.statusCode, acted.body).toBe(200);
    const events = (await env.request('GET', `/v1/cases/${id}/events`, { key: env.keys.supervisor })).json().events as { type: string; payload: Record<string, unknown> }[];
    expect(events.at(-1)).toMatchObject({ type: 'supplement' });
    expect(JSON.stringify(events.at(-1)!.payload)).toContain(JSON.stringify(supplement));

    const [row] = await env.database.sql<{ title: string; description: string }[]>`select title, view->>'description' as description from cases where id = ${id}`;
    expect(row).toEqual({ title: SQL, description: HTML });
    const tracked = await env.request('GET', `/v1/track/${filed.json().trackingCode}`, { key: null });
    expect(tracked.json().title).toBe(SQL);
    // And the table the SQL names is still there, with every case in it.
    const [count] = await env.database.sql<{ n: number }[]>`select count(*)::int as n from cases`;
    expect(count!.n).toBeGreaterThanOrEqual(2);
  });
});

// Text fast-check draws from: anything (lone surrogates and controls included), and the known-bad.
const NASTY = [SQL, HTML, '\u0000', '\u0007', '\u001b[2J', '\u007f', '\u0085', '\ud800', 'x\udc00', '../../etc/passwd', '%2e%2e%2f', 'javascript:alert(1)', 'file:///etc/passwd', 'data:,x', '__proto__', 'constructor', '${jndi:ldap://x}', '\u202e', ' ', '', 'x'.repeat(10_001)];
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 30 }), fc.constantFrom(...NASTY));
const value = fc.oneof(text, fc.jsonValue({ maxDepth: 3 }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null));
const fieldName = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('title', 'description', 'channel', 'location', 'citizen', 'attachments', 'urgent', 'category', 'externalId', 'workstationId', '__proto__', 'constructor', 'prototype'),
);
const ACTION_FIELDS = ['note', 'text', 'reason', 'result', 'attachments', 'decision', 'category', 'workstationId', 'explanation', 'department', 'approve', 'title', 'body', 'url', 'rating', 'comment', 'unitId', 'officerId', 'instructions', 'message', 'originalId', 'urgent', 'comments'];

/** Bodies to file: any JSON, objects of random fields, and the sample with one field changed or added. */
const intakeBodies = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(fieldName, value, { maxKeys: 6 }),
  fc.record({ field: fieldName, value }).map(({ field, value }) => ({ ...sampleIntake(), [field]: value })),
);
/** Bodies of actions: any JSON, a known or unknown type with random fields, and actions near a valid one. */
const actionBodies = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc
    .record({ type: fc.oneof(fc.constantFrom(...ACTION_TYPES), text), fields: fc.dictionary(fc.oneof(fc.constantFrom(...ACTION_FIELDS), fieldName), value, { maxKeys: 4 }) })
    .map(({ type, fields }) => Object.assign(fields, { type })),
  fc.record({ type: fc.constant('supplement'), text }),
  fc.record({ type: fc.constant('supplement'), attachments: fc.array(fc.record({ url: fc.oneof(fc.webUrl(), text), name: text }, { requiredKeys: ['url'] }), { maxLength: 2 }) }),
  fc.record(
    { type: fc.constant('triage'), decision: fc.constantFrom('in_scope', 'joint', 'transfer', 'explain'), category: fc.oneof(text, fc.constantFrom(...CATEGORIES)), workstationId: text, explanation: text, department: text },
    { requiredKeys: ['type', 'decision'] },
  ),
  fc.record({ type: fc.constant('mark_duplicate'), originalId: text }),
  fc.record({ type: fc.constantFrom('withdraw', 'media_waive', 'reopen'), reason: text }, { requiredKeys: ['type'] }),
);
/** Query strings: known and unknown parameters with random values, percent-encoded or raw. */
const LIST_PARAMS = ['state', 'overdue', 'unit', 'category', 'channel', 'from', 'to', 'q', 'cursor', 'limit'];
const queries = fc.oneof(
  fc.array(fc.tuple(fc.oneof(fc.constantFrom(...LIST_PARAMS), text), fc.oneof(text, fc.integer().map(String), fc.constantFrom('true', '1e309', '-1', 'triage,closed'))), { maxLength: 4 }).map((pairs) =>
    pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&'),
  ),
  fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((s) => s.replace(/[#\s]/g, '')),
);
/** Percent-encoded; a lone surrogate, which encodeURIComponent refuses, as the bytes UTF-8 would give it. */
function encode(s: string): string {
  return s
    .split(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/)
    .map(encodeURIComponent)
    .join('%ED%A0%80');
}

describe('fuzzing the running API', () => {
  let fuzzed: string;
  beforeAll(async () => {
    const filed = await env.request('POST', '/v1/cases', { body: sampleIntake({ externalId: 'hostile-fuzz' }) });
    fuzzed = filed.json().id;
  });

  const saneAnswer = (res: LightMyRequestResponse, what: string) => {
    expect(res.statusCode, `${what} → ${res.body.slice(0, 300)}`).toBeLessThan(500);
    if (res.statusCode >= 400) expectJsonError(res, what);
  };
  const caseCount = async () => (await env.database.sql<{ n: number }[]>`select count(*)::int as n from cases`)[0]!.n;
  const caseState = async (id: string) => {
    const [[row], [events]] = await Promise.all([
      env.database.sql<{ view: string }[]>`select view::text as view from cases where id = ${id}`,
      env.database.sql<{ n: number }[]>`select count(*)::int as n from case_events where case_id = ${id}`,
    ]);
    return { view: row?.view, events: events!.n };
  };
  const post = (url: string, key: string, payload: string | Buffer) =>
    env.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload });

  it('When intake gets arbitrary JSON, then it never answers 5xx, refusals are JSON errors, and a refusal files nothing', async () => {
    await fc.assert(
      fc.asyncProperty(intakeBodies, async (body) => {
        const before = await caseCount();
        const res = await post('/v1/cases', env.keys.intake!, JSON.stringify(body));
        saneAnswer(res, JSON.stringify(body).slice(0, 200));
        if (res.statusCode >= 400) expect(await caseCount()).toBe(before);
      }),
      { numRuns: 200 },
    );
  });

  it('When a case gets arbitrary actions, then it never answers 5xx, refusals are JSON errors, and a refusal leaves the case and its timeline as they were', async () => {
    await fc.assert(
      fc.asyncProperty(actionBodies, fc.constantFrom('desk', 'supervisor', 'reporter', 'intake'), async (body, role) => {
        const before = await caseState(fuzzed);
        const res = await post(`/v1/cases/${fuzzed}/actions`, env.keys[role]!, JSON.stringify(body));
        saneAnswer(res, `${role}: ${JSON.stringify(body).slice(0, 200)}`);
        if (res.statusCode >= 400) expect(await caseState(fuzzed)).toEqual(before);
      }),
      { numRuns: 250 },
    );
  });

  it('When arbitrary bytes are posted as JSON, then the answer is never a 5xx and nothing is filed', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 100 }).map((s) => Buffer.from(JSON.stringify({ ...sampleIntake(), title: s }))),
      fc.tuple(fc.nat(200), fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([at, junk]) => {
        const json = Buffer.from(JSON.stringify(sampleIntake()));
        const i = Math.min(at, json.length);
        return Buffer.concat([json.subarray(0, i), Buffer.from(junk), json.subarray(i)]);
      }),
    );
    await fc.assert(
      fc.asyncProperty(bytes, async (payload) => {
        const before = await caseCount();
        const res = await post('/v1/cases', env.keys.intake!, Buffer.from(payload));
        saneAnswer(res, Buffer.from(payload).toString('hex').slice(0, 200));
        if (res.statusCode >= 400) expect(await caseCount()).toBe(before);
      }),
      { numRuns: 150 },
    );
  });

  it('When the list gets arbitrary query strings, then it never answers 5xx and refusals are JSON errors', async () => {
    await fc.assert(
      fc.asyncProperty(queries, async (query) => {
        const res = await env.app.inject({ method: 'GET', url: `/v1/cases?${query}`, headers: { authorization: `Bearer ${env.keys.supervisor}` } });
        saneAnswer(res, query.slice(0, 200));
      }),
      { numRuns: 300 },
    );
  });
});
