// The citizen's name and phone, per role, on every read: the case, the list, the timeline; in the logs;
// in the webhook to the newspaper; and every unmasked read in the audit log.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogSender, WebhookSender } from '../activities/senders.js';
import { buildApp } from '../api/app.js';
import { OrgDirectory } from '../api/org.js';
import type { Role } from '../domain/case.js';
import { createLogger } from '../platform/logger.js';
import { caseClient } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, eventually, sampleIntake } from './support.js';

const NAME = '王小明';
const PHONE = '13812345678';
const PHONE_MASKED = '138****5678';

/** Every line a logger writes, kept for the test to read. */
function capturedLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger('trace', 'masking-test', stream) };
}

const apiLog = capturedLog();
const workerLog = capturedLog();
const partnerBodies: string[] = [];
let server: http.Server;
let env: TestEnv;
let c: ReturnType<typeof caseClient>;
let caseId: string;
const keys: Record<string, string> = {};
let units: { S1: string; D1: string; S2: string };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      partnerBodies.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  env = await createTestEnv('masking', {
    workerLog: workerLog.logger,
    senders: { main: new LogSender(workerLog.logger), partner: new WebhookSender('partner', `${base}/partner`, 'test-secret-0123456789') },
  });
  c = caseClient(env);
  const [w1] = await c.workstations();
  const all = (await env.request('GET', '/v1/units')).json().units as { id: string; parentId: string | null; kind: string }[];
  const d1 = all.find((u) => u.id === w1!.squadId)!.parentId!;
  const s2 = all.find((u) => u.kind === 'squad' && u.parentId !== d1)!.id;
  units = { S1: w1!.squadId, D1: d1, S2: s2 };
  for (const role of ['intake', 'desk', 'officer', 'supervisor', 'reporter', 'admin'] as Role[]) {
    for (const at of ['S1', 'D1'] as const) keys[`${role}@${at}`] = (await env.principal(role, units[at], `${role}@${at}`)).key;
  }
  // Through an API that logs everything it does, to the captured log.
  const loud = Fastify({ loggerInstance: apiLog.logger as FastifyBaseLogger });
  await buildApp(loud, { db: env.database.db, temporal: env.temporal, taskQueue: env.taskQueue, policy: env.policy, org: await new OrgDirectory(env.database.db).load() });
  const ask = (key: string, method: 'GET' | 'POST', url: string, body?: unknown) => loud.inject({ method, url, payload: body as never, headers: { authorization: `Bearer ${key}` } });

  const filed = await ask(env.keys.intake!, 'POST', '/v1/cases', sampleIntake({ workstationId: w1!.id, description: `油烟扰民，请回电 ${PHONE}（${NAME}）` }));
  expect(filed.statusCode, filed.body).toBe(201);
  caseId = filed.json().id;
  const act = async (key: string, body: Record<string, unknown>) => {
    const res = await ask(key, 'POST', `/v1/cases/${caseId}/actions`, body);
    expect(res.statusCode, res.body).toBe(200);
  };
  await act(env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'cooking_fumes', workstationId: w1!.id });
  await act(env.keys.intake!, { type: 'supplement', text: `补充：${NAME}的电话 138-1234-5678，身份证 310101199001011234` });
  await act(keys['officer@S1']!, { type: 'accept' });
  await act(keys['officer@S1']!, { type: 'resolve', result: `已与${NAME}（${PHONE}）当面沟通，油烟净化器已安装` });
  for (const key of Object.values(keys).concat(env.keys.intake!)) {
    await ask(key, 'GET', `/v1/cases/${caseId}`);
    await ask(key, 'GET', `/v1/cases/${caseId}/events`);
    await ask(key, 'GET', `/v1/cases?unit=${units.S1}`);
  }
  await loud.close();
}, 120_000);

afterAll(async () => {
  await env?.close();
  server?.close();
});

/**
 * What each reader sees of the citizen on this case (lying in S1): all of it where the table gives
 * `citizen.read`, nothing at all for the press, masked for everyone else.
 */
const shown: Record<string, 'unmasked' | 'masked' | 'hidden'> = {
  'intake@S1': 'unmasked',
  'desk@S1': 'unmasked',
  'desk@D1': 'unmasked',
  'officer@S1': 'unmasked',
  'officer@D1': 'unmasked',
  'supervisor@S1': 'unmasked', // the unit that handles it
  'supervisor@D1': 'masked', // a level above watches, masked
  'reporter@S1': 'hidden',
  'reporter@D1': 'hidden',
};
/** Who sees the citizen unmasked: the table's `citizen.read`. */
const sees: Record<string, boolean> = Object.fromEntries(Object.entries(shown).map(([who, how]) => [who, how === 'unmasked']));

describe('the citizen on every read, per role', () => {
  for (const [who, how] of Object.entries(shown)) {
    const unmasked = how === 'unmasked';
    it(`${who} sees the citizen ${how} on the case, its timeline and the list`, async () => {
      const key = keys[who]!;
      const one = await env.request('GET', `/v1/cases/${caseId}`, { key });
      const events = await env.request('GET', `/v1/cases/${caseId}/events`, { key });
      const list = await env.request('GET', `/v1/cases?unit=${units.S1}`, { key });
      for (const res of [one, events, list]) expect(res.statusCode, `${who}: ${res.body}`).toBe(200);
      const fromList = list.json().cases.find((x: { id: string }) => x.id === caseId);
      if (unmasked) {
        expect(one.json().citizen).toEqual({ name: NAME, phone: PHONE });
        expect(fromList.citizen).toEqual({ name: NAME, phone: PHONE });
        expect(one.json().description).toContain(PHONE);
        expect(events.body).toContain('138-1234-5678');
      } else {
        for (const res of [one, events, list]) {
          expect(res.body).not.toContain(PHONE);
          expect(res.body).not.toContain('138-1234-5678');
          expect(res.body).not.toContain('310101199001011234');
          expect(res.body).not.toContain(NAME);
        }
        const supplement = events.json().events.find((e: { type: string }) => e.type === 'supplement');
        if (how === 'masked') {
          expect(one.json().citizen).toEqual({ name: '王**', phone: PHONE_MASKED });
          expect(fromList.citizen).toEqual({ name: '王**', phone: PHONE_MASKED });
          expect(one.json().description).toBe(`油烟扰民，请回电 ${PHONE_MASKED}（王**）`);
          expect(one.json().resolution).toBe(`已与王**（${PHONE_MASKED}）当面沟通，油烟净化器已安装`);
          expect(supplement.payload.text).toBe(`补充：王**的电话 ${PHONE_MASKED}，身份证 310***********1234`);
        } else {
          // The press: no citizen at all, and not one digit of a number nor a character of the name.
          expect(one.json()).not.toHaveProperty('citizen');
          expect(fromList).not.toHaveProperty('citizen');
          expect(one.json().description).toBe('油烟扰民，请回电 ***********（***）');
          expect(one.json().resolution).toBe('已与***（***********）当面沟通，油烟净化器已安装');
          expect(supplement.payload.text).toBe('补充：***的电话 ***********，身份证 ******************');
          for (const res of [one, events, list]) expect(res.body).not.toContain(PHONE_MASKED);
        }
      }
    });
  }

  it('administrators read no cases at all', async () => {
    const res = await env.request('GET', `/v1/cases/${caseId}`, { key: keys['admin@S1'] });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatch(/^an admin may not case\.read; it takes an intake or a desk/);
  });

  it('the citizen following the case by its tracking code sees no name or phone', async () => {
    const { trackingCode } = (await c.get(caseId)) as { trackingCode: string };
    const res = await env.request('GET', `/v1/track/${trackingCode}`, { key: null });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).not.toContain(PHONE);
    expect(res.body).not.toContain(NAME);
  });
});

describe('the audit log', () => {
  it('holds every unmasked read, with who read which case how, and none of the masked ones', async () => {
    const res = await env.request('GET', `/v1/audit?caseId=${caseId}&limit=200`, { key: env.keys.supervisor });
    expect(res.statusCode, res.body).toBe(200);
    const entries = res.json().entries as { principalId: string; operation: string; caseIds: string[] }[];
    const readers = new Set(entries.map((e) => e.principalId));
    for (const [who, unmasked] of Object.entries(sees)) {
      expect(readers.has(env.principalIds[who]!), `${who} in the audit log`).toBe(unmasked);
    }
    const officer = entries.filter((e) => e.principalId === env.principalIds['officer@S1']).map((e) => e.operation).sort();
    // Its two actions' answers (accept, resolve), and twice each read (the loud API above and this test's).
    expect(officer).toEqual(['case.action', 'case.action', 'case.events', 'case.events', 'case.list', 'case.list', 'case.read', 'case.read']);
    expect(entries.every((e) => e.caseIds.includes(caseId))).toBe(true);
  });

  it('a district supervisor reads the entries of its own district only; an officer not at all', async () => {
    const district = await env.request('GET', `/v1/audit?caseId=${caseId}&limit=200`, { key: keys['supervisor@D1'] });
    expect(district.statusCode, district.body).toBe(200);
    const paths = (district.json().entries as { unitPath: string }[]).map((e) => e.unitPath);
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) expect(p.split('/')).toContain(units.D1);
    const elsewhere = await env.request('GET', `/v1/audit?unit=${units.S2}`, { key: keys['supervisor@D1'] });
    expect(elsewhere.statusCode).toBe(403);
    expect((await env.request('GET', '/v1/audit', { key: keys['officer@S1'] })).statusCode).toBe(403);
  });
});

describe('out of the service', () => {
  it('the logs of the API and the worker never carry the citizen\'s phone or name', async () => {
    expect(apiLog.lines.length).toBeGreaterThan(20);
    expect(apiLog.lines.some((l) => l.includes(caseId))).toBe(true);
    for (const line of [...apiLog.lines, ...workerLog.lines]) {
      expect(line).not.toContain(PHONE);
      expect(line).not.toContain(NAME);
    }
  });

  it('the disposal result POSTed to the newspaper has the phone masked', async () => {
    const [body] = await eventually(async () => partnerBodies, (b) => b.length > 0, 20_000, 'the partner webhook');
    const message = JSON.parse(body!);
    expect(message.kind).toBe('disposal_result');
    expect(message.body.result).toBe(`已与王**（${PHONE_MASKED}）当面沟通，油烟净化器已安装`);
    expect(body).not.toContain(PHONE);
    expect(body).not.toContain(NAME);
  });

  it('a pino line with a citizen in it, or a failed query carrying one, is masked by the logger itself', () => {
    const log = capturedLog();
    log.logger.info({ caseId: 'x', intake: { citizen: { name: NAME, phone: PHONE } }, phone: PHONE }, 'filed');
    const failed = new DrizzleQueryError('insert into cases (view) values ($1)', [JSON.stringify({ citizen: { name: NAME, phone: PHONE } })], new Error('refused'));
    log.logger.error({ caseId: 'x', err: failed }, 'the database refused the case');
    expect(log.lines).toHaveLength(2);
    for (const line of log.lines) {
      expect(line).not.toContain(PHONE);
      expect(line).toContain('[masked]');
    }
    expect(log.lines[1]).toContain('Failed query: insert into cases');
  });

  it('the tracking code is not shown to a reader who sees the citizen masked', async () => {
    const full = (await env.request('GET', `/v1/cases/${caseId}`, { key: keys['officer@S1'] })).json().trackingCode as string;
    const masked = (await env.request('GET', `/v1/cases/${caseId}`, { key: keys['reporter@S1'] })).json().trackingCode as string;
    expect(full).toMatch(/^BN\w+$/);
    expect(masked).toBe(`BN${'*'.repeat(full.length - 2)}`);
  });
});
