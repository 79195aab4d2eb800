// Bad input is refused at the door with 400 naming what was wrong, and nothing is started or stored:
// unknown fields (never silently dropped with their data), text PostgreSQL cannot store (NUL, lone
// surrogates) and bodies that are not UTF-8. The next good case still flows through.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_TYPES } from '../workflows/lifecycle.js';
import { type Case, caseClient, expectOnlyOneMoreCase, startedSoFar } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, sampleIntake } from './support.js';

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
beforeAll(async () => {
  env = await createTestEnv('input');
  c = caseClient(env);
});
afterAll(async () => env?.close());

const paths = (res: { json(): { issues?: { path: string }[] } }) => (res.json().issues ?? []).map((i) => i.path);

describe('unknown fields', () => {
  it('When an action has a field the contract does not know, then 400 names it and the case is unchanged', async () => {
    const filed = await c.file();
    await c.ok(filed.id, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'street_vending', workstationId: (await c.workstations())[0]!.id });
    await c.ok(filed.id, env.keys.officer!, { type: 'accept' });
    const res = await c.act(filed.id, env.keys.officer!, { type: 'record_evidence', notes: '22:40 仍在施工' });
    expect(res.statusCode).toBe(400);
    expect(paths(res)).toEqual(['body.notes']);
    expect(res.json().error).toContain('body.notes');
    const after: Case = await c.get(filed.id);
    expect(after.evidenceCount).toBe(0);
    expect((await c.events(filed.id)).map((e) => e.type)).toEqual(['intake', 'triage', 'accept']);
  });

  it('When intake carries unknown fields, at the top or nested, then 400 names each and nothing is started', async () => {
    const before = await startedSoFar(env);
    const res = await env.request('POST', '/v1/cases', {
      body: { ...sampleIntake(), priority: 'high', location: { address: '闵行区七宝镇', town: '七宝镇' }, citizen: { name: '王', mobile: '13800000000' } },
    });
    expect(res.statusCode).toBe(400);
    expect(paths(res).sort()).toEqual(['body.citizen.mobile', 'body.location.town', 'body.priority']);
    await expectOnlyOneMoreCase(env, before);
  });

  it('When a query has a parameter the route does not take, then 400 names it', async () => {
    const list = await env.request('GET', '/v1/cases?state=triage&sort=asc');
    expect(list.statusCode).toBe(400);
    expect(paths(list)).toEqual(['querystring.sort']);
    const one = await env.request('GET', '/v1/cases/abc?verbose=1');
    expect(one.statusCode).toBe(400);
    expect(paths(one)).toEqual(['querystring.verbose']);
  });

  it('When an integrator reads the API description, then every request object says it takes no other fields', async () => {
    const spec = (await env.request('GET', '/openapi.json', { key: null })).json();
    expect(spec.components.schemas.CaseIntake.additionalProperties).toBe(false);
    expect(spec.components.schemas.CaseIntake.properties.location.additionalProperties).toBe(false);
    const actions = spec.components.schemas.CaseAction.oneOf ?? spec.components.schemas.CaseAction.anyOf;
    // One body per action of the contract: every one of them is described, and strict.
    expect(actions.length).toBe(ACTION_TYPES.length);
    expect(ACTION_TYPES).toContain('erase_personal_data');
    expect(actions.every((a: { additionalProperties?: boolean }) => a.additionalProperties === false)).toBe(true);
  });
});

describe('attachments', () => {
  it('When an attachment is a javascript:, file: or data: link, or its name is a path, then 400 names it and nothing is started', async () => {
    const before = await startedSoFar(env);
    for (const [attachment, path] of [
      [{ url: 'javascript:alert(1)' }, 'body.attachments.0.url'],
      [{ url: 'file:///etc/passwd' }, 'body.attachments.0.url'],
      [{ url: 'data:text/html,<script>alert(1)</script>' }, 'body.attachments.0.url'],
      [{ url: 'https://files.example/a.jpg', name: '../../etc/passwd' }, 'body.attachments.0.name'],
      [{ url: 'https://files.example/a.jpg', name: '..' }, 'body.attachments.0.name'],
    ] as const) {
      const res = await env.request('POST', '/v1/cases', { body: sampleIntake({ attachments: [attachment] }) });
      expect(res.statusCode, JSON.stringify(attachment)).toBe(400);
      expect(paths(res)).toEqual([path]);
    }
    const fine = await c.file({ attachments: [{ url: 'https://files.example/现场.jpg', name: '现场照片.jpg' }] });
    expect(fine.attachments).toEqual([{ url: 'https://files.example/现场.jpg', name: '现场照片.jpg' }]);
    await expectOnlyOneMoreCase(env, { workflows: before.workflows + 1, rows: before.rows + 1 });
  });
});

describe('text the database cannot store', () => {
  it('When a field holds a NUL or a lone surrogate, then 400 names the field and nothing is started', async () => {
    const before = await startedSoFar(env);
    const nul = await env.request('POST', '/v1/cases', { body: sampleIntake({ title: 'a\u0000b' }) });
    expect(nul.statusCode).toBe(400);
    expect(paths(nul)).toEqual(['body.title']);
    expect(nul.json().error).toMatch(/NUL/);
    const surrogate = await env.request('POST', '/v1/cases', { body: sampleIntake({ description: 'x\ud800y' }) });
    expect(surrogate.statusCode).toBe(400);
    expect(paths(surrogate)).toEqual(['body.description']);
    const nested = await env.request('POST', '/v1/cases', { body: sampleIntake({ location: { address: '\udc00路' } }) });
    expect(paths(nested)).toEqual(['body.location.address']);
    // Paired surrogates are ordinary text (here an emoji) and are kept.
    const emoji = await c.file({ title: '垃圾乱扔 🚮' });
    expect(emoji.title).toBe('垃圾乱扔 🚮');
    await expectOnlyOneMoreCase(env, { workflows: before.workflows + 1, rows: before.rows + 1 });
  });

  it('When the body is not UTF-8, then 400 says so and names the field, rather than storing U+FFFD', async () => {
    const before = await startedSoFar(env);
    const json = Buffer.from(JSON.stringify(sampleIntake({ title: 'TITLE' })));
    const at = json.indexOf('TITLE');
    const bytes = Buffer.concat([json.subarray(0, at), Buffer.from([0xe5, 0xff, 0x41]), json.subarray(at + 5)]);
    const res = await env.app.inject({
      method: 'POST',
      url: '/v1/cases',
      payload: bytes,
      headers: { authorization: `Bearer ${env.keys.intake}`, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(new RegExp(`not valid UTF-8 \\(first bad byte at offset ${at + 1}\\)`));
    expect(paths(res)).toEqual(['body.title']);
    await expectOnlyOneMoreCase(env, before);
  });

  it('When a query or a path holds a NUL, then 400 names it (not a database error)', async () => {
    const q = await env.request('GET', '/v1/cases?q=%00');
    expect(q.statusCode).toBe(400);
    expect(paths(q)).toEqual(['querystring.q']);
    const id = await env.request('GET', '/v1/cases/ab%00cd');
    expect(id.statusCode).toBe(400);
    expect(paths(id)).toEqual(['params.id']);
    const track = await env.request('GET', '/v1/track/BN%00%00%00%00', { key: null });
    expect(track.statusCode).toBe(400);
  });
});
