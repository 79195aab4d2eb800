// The live stream (GET /v1/stream) against the running service: events arrive as actions commit, each
// client gets only the cases the authorisation table lets it see within the unit it asked for, an event
// carries no citizen data, a reconnecting client is replayed what it missed, and a stream that ends
// (the client leaves, the app closes) is freed.

import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../api/app.js';
import { OrgDirectory } from '../api/org.js';
import { revokePrincipal } from '../db/queries/principals.js';
import type { Role } from '../domain/case.js';
import { createLogger } from '../platform/logger.js';
import { caseClient } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, eventually, sampleIntake } from './support.js';

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
}

/** A client of the stream, reading its body as it comes. */
interface StreamClient {
  status: number;
  raw: () => string;
  events: SseEvent[];
  /** Resolves once the server has ended the body. */
  ended: Promise<void>;
  close(): void;
}

const NAME = '王小明';
const PHONE = '13812345678';

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
let app: FastifyInstance;
let base: string;
const logLines: string[] = [];
const keys: Record<string, string> = {};
let units: { S1: string; S1b: string; D1: string; S2: string; D2: string };
let stations: { W1: string; W2: string };
const clients: StreamClient[] = [];

async function openStream(key: string, query = '', headers: Record<string, string> = {}): Promise<StreamClient> {
  const abort = new AbortController();
  const res = await fetch(`${base}/v1/stream${query}`, { headers: { authorization: `Bearer ${key}`, ...headers }, signal: abort.signal });
  let text = '';
  let all = '';
  const events: SseEvent[] = [];
  const ended = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          all += `${block}\n\n`;
          const event: SseEvent = {};
          for (const line of block.split('\n')) {
            const m = /^([a-z]+): ?(.*)$/.exec(line);
            if (m) event[m[1] as keyof SseEvent] = m[2];
          }
          if (Object.keys(event).length) events.push(event);
        }
      }
    } catch {
      // aborted by the test
    }
  })();
  const client = { status: res.status, raw: () => all + text, events, ended, close: () => abort.abort() };
  clients.push(client);
  return client;
}

const caseEventsOf = (s: StreamClient, caseId: string) =>
  s.events.filter((e) => e.event === 'case').map((e) => JSON.parse(e.data!) as Record<string, unknown>).filter((n) => n.caseId === caseId);

const waitForTypes = (s: StreamClient, caseId: string, types: string[], what: string) =>
  eventually(async () => caseEventsOf(s, caseId).map((n) => n.type), (seen) => types.every((t) => seen.includes(t)), 20_000, what);

beforeAll(async () => {
  env = await createTestEnv('stream');
  c = caseClient(env);
  const ws = await c.workstations();
  const all = (await env.request('GET', '/v1/units')).json().units as { id: string; parentId: string | null; kind: string }[];
  const parentOf = (id: string) => all.find((u) => u.id === id)!.parentId!;
  const w1 = ws[0]!;
  const d1 = parentOf(w1.squadId);
  const w2 = ws.find((w) => parentOf(w.squadId) !== d1)!;
  const s1b = all.find((u) => u.kind === 'squad' && u.parentId === d1 && u.id !== w1.squadId)!.id;
  units = { S1: w1.squadId, S1b: s1b, D1: d1, S2: w2.squadId, D2: parentOf(w2.squadId) };
  stations = { W1: w1.id, W2: w2.id };
  const who: [Role, keyof typeof units][] = [
    ['supervisor', 'D1'],
    ['supervisor', 'D2'],
    ['officer', 'S1'],
    ['officer', 'S1b'],
    ['officer', 'S2'],
    ['reporter', 'D1'],
  ];
  for (const [role, at] of who) keys[`${role}@${at}`] = (await env.principal(role, units[at], `${role}@${at}`)).key;

  // An app of its own that listens on a port (inject does not stream) and whose log the test reads.
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  app = Fastify({ loggerInstance: createLogger('debug', 'stream-test', sink) as FastifyBaseLogger });
  await buildApp(app, { db: env.database.db, temporal: env.temporal, taskQueue: env.taskQueue, policy: env.policy, org: await new OrgDirectory(env.database.db).load() });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);

afterAll(async () => {
  for (const s of clients) s.close();
  await app?.close();
  await env?.close();
});

describe('the live stream of case events', () => {
  let caseA: string;
  let firstOfA: string;

  it('When cases in two districts move, then each district supervisor sees its own as they happen, and an officer of another squad sees nothing of them', async () => {
    const d1 = await openStream(keys['supervisor@D1']!, `?unit=${units.D1}`);
    const d2 = await openStream(keys['supervisor@D2']!);
    const sibling = await openStream(keys['officer@S1b']!);
    for (const s of [d1, d2, sibling]) {
      expect(s.status).toBe(200);
      await eventually(async () => s.events[0], (e) => e?.event === 'ready', 5_000, 'the ready event');
      expect(s.events[0]!.retry).toBe('3000');
    }

    const a = await c.file({ workstationId: stations.W1, externalId: 'stream-a' });
    const b = await c.file({ workstationId: stations.W2, externalId: 'stream-b' });
    caseA = a.id;
    for (const [x, w, officer] of [[a, stations.W1, 'officer@S1'], [b, stations.W2, 'officer@S2']] as const) {
      await c.ok(x.id, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'cooking_fumes', workstationId: w });
      await c.ok(x.id, keys[officer]!, { type: 'accept' });
    }

    await waitForTypes(d1, a.id, ['triage', 'accept'], "district 1's supervisor hearing case A's triage and acceptance");
    await waitForTypes(d2, b.id, ['triage', 'accept'], "district 2's supervisor hearing case B's");
    const seen = caseEventsOf(d1, a.id);
    expect(seen.map((n) => n.seq)).toEqual([...seen.map((n) => n.seq as number)].sort((x, y) => x - y));
    const accept = seen.find((n) => n.type === 'accept')!;
    expect(accept).toMatchObject({ caseId: a.id, from: 'dispatched', channel: 'xinmin', assignedUnitPath: expect.stringContaining(units.S1) });
    const acceptEvent = d1.events.find((e) => e.data && JSON.parse(e.data).type === 'accept' && JSON.parse(e.data).caseId === a.id)!;
    expect(acceptEvent.id).toBe(`${a.id}:${accept.seq}`);
    firstOfA = `${a.id}:${seen[0]!.seq}`;

    expect(caseEventsOf(d1, b.id)).toEqual([]);
    expect(caseEventsOf(d2, a.id)).toEqual([]);
    expect(sibling.events.filter((e) => e.event === 'case')).toEqual([]);
    for (const s of [d1, d2, sibling]) s.close();
  });

  it("When a reporter streams its district, then an event carries the case's place and state and nothing of the citizen", async () => {
    const reporter = await openStream(keys['reporter@D1']!, `?unit=${units.D1}`);
    expect(reporter.status).toBe(200);
    await eventually(async () => reporter.events.length, (n) => n > 0, 5_000, 'the ready event');
    await c.ok(caseA, keys['officer@S1']!, { type: 'arrive' });
    await waitForTypes(reporter, caseA, ['arrive'], 'the reporter hearing the arrival');
    const [event] = caseEventsOf(reporter, caseA);
    expect(Object.keys(event!).sort()).toEqual(['assignedUnitPath', 'at', 'caseId', 'channel', 'deadlineAt', 'from', 'overdue', 'seq', 'squadPath', 'to', 'type']);
    for (const secret of [NAME, PHONE, sampleIntake().title as string, sampleIntake().description as string]) expect(reporter.raw()).not.toContain(secret);
    reporter.close();
  });

  it('When a client reconnects with Last-Event-ID, then it is first sent the events it missed', async () => {
    const again = await openStream(keys['supervisor@D1']!, `?unit=${units.D1}`, { 'last-event-id': firstOfA });
    await waitForTypes(again, caseA, ['triage', 'accept', 'arrive'], 'the replayed events of case A');
    expect(caseEventsOf(again, caseA).map((n) => `${caseA}:${n.seq}`)).not.toContain(firstOfA);
    again.close();
  });

  it('When a supervisor asks for a unit outside its own, then 403; for an unknown unit, 400', async () => {
    const outside = await openStream(keys['supervisor@D1']!, `?unit=${units.D2}`);
    expect(outside.status).toBe(403);
    await outside.ended;
    expect(JSON.parse(outside.raw() || '{}')).toMatchObject({ error: expect.stringContaining(`unit ${units.D2}`) });
    const unknown = await openStream(keys['supervisor@D1']!, '?unit=nowhere');
    expect(unknown.status).toBe(400);
  });

  it('When a client goes away, then its stream is freed', async () => {
    const opened = () => logLines.filter((l) => l.includes('live stream opened')).length;
    const closed = () => logLines.filter((l) => l.includes('live stream closed')).length;
    const before = { opened: opened(), closed: closed() };
    const s = await openStream(keys['supervisor@D1']!);
    await eventually(async () => opened(), (n) => n === before.opened + 1, 5_000, 'the stream opened');
    s.close();
    const line = await eventually(async () => logLines.filter((l) => l.includes('live stream closed')), (l) => l.length === before.closed + 1, 5_000, 'the stream freed');
    expect(JSON.parse(line.at(-1)!).streams).toBe(JSON.parse(logLines.filter((l) => l.includes('live stream opened')).at(-1)!).streams - 1);
  });

  it("When a principal is revoked, then its open stream ends at once and it is not let in again; another's stream stays open", async () => {
    const victim = await env.principal('supervisor', units.D1, 'revoked supervisor');
    const s = await openStream(victim.key);
    const other = await openStream(keys['supervisor@D2']!);
    for (const x of [s, other]) await eventually(async () => x.events.length, (n) => n > 0, 5_000, 'the ready event');
    expect(await revokePrincipal(env.database.db, { principalId: victim.id })).toBe(true);
    await expect(Promise.race([s.ended.then(() => 'ended'), new Promise((r) => setTimeout(() => r('still open'), 5_000))])).resolves.toBe('ended');
    expect((await openStream(victim.key)).status).toBe(401);
    await expect(Promise.race([other.ended.then(() => 'ended'), new Promise((r) => setTimeout(() => r('still open'), 500))])).resolves.toBe('still open');
    other.close();
  });

  it('When the app closes, then its open streams end', async () => {
    const s = await openStream(keys['supervisor@D1']!);
    await eventually(async () => s.events.length, (n) => n > 0, 5_000, 'the ready event');
    await app.close();
    await expect(Promise.race([s.ended.then(() => 'ended'), new Promise((r) => setTimeout(() => r('still open'), 5_000))])).resolves.toBe('ended');
  });
});
