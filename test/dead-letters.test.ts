// Nothing waits forever: a webhook that stays down past DELIVERY_GIVE_UP_AFTER (2 s here) no longer keeps
// the case's workflow open. Its messages go to the dead-letter list — seen in the API and the metrics —
// the workflow completes, and once the receiver is back the API and the command line redeliver them, signed
// as Standard Webhooks sign and with the same webhook-id as every earlier attempt, so the receiver can tell
// a message it already has.

import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Context, type Info, asyncLocalStorage } from '@temporalio/activity';
import { noopMetricMeter } from '@temporalio/common';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities/index.js';
import { WebhookSender } from '../activities/senders.js';
import { CITY } from '../db/seed.js';
import { REPO_ROOT } from '../platform/config.js';
import { caseWorkflowId } from '../workflows/messages.js';
import { caseClient } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, eventually } from './support.js';

const SECRET = 'whsec_3ZsNpWmDQdCz2aO7L6w1vhQ1UlwzTLxkq9i9g3m0Qxk=';
const GIVE_UP_AFTER_MS = 2_000;

interface Received {
  headers: Record<string, string>;
  raw: string;
  answered: number;
}

let env: TestEnv;
let server: http.Server;
let hookUrl: string;
/** While true the receiver answers 503 to everything. */
let down = true;
const received: Received[] = [];
let adminKey: string;
/** An administrator of a squad other than the one the cases go to. */
let squadAdminKey: string;
let station: { id: string; squadId: string };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const answered = down ? 503 : 204;
      received.push({ headers: req.headers as Record<string, string>, raw, answered });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
  env = await createTestEnv('dead-letters', {
    senders: { main: new WebhookSender('notify', hookUrl, SECRET, 2_000) },
    delivery: { giveUpAfterMs: GIVE_UP_AFTER_MS },
  });
  adminKey = (await env.principal('admin', CITY.id, 'admin@city')).key;
  station = (await caseClient(env).workstations())[0] as never;
  const units: { id: string; kind: string }[] = (await env.request('GET', '/v1/units')).json().units;
  squadAdminKey = (await env.principal('admin', units.find((u) => u.kind === 'squad' && u.id !== station.squadId)!.id, 'admin@squad')).key;
}, 120_000);

afterAll(async () => {
  await env?.close();
  server?.close();
});

const workflowStatus = async (caseId: string) => (await env.temporal.workflow.getHandle(caseWorkflowId(caseId)).describe()).status.name;
const list = (query = '', key = adminKey) => env.request('GET', `/v1/dead-letters${query}`, { key });
const metric = async (name: string) => {
  const text = (await env.request('GET', '/metrics', { key: null })).body;
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
};
/** A case dispatched to the station's squad and withdrawn at once: a message for the squad each time, and its workflow may end. */
async function dispatchedAndWithdrawn(): Promise<{ id: string; assignedUnitPath: string }> {
  const c = caseClient(env);
  const filed = await c.file();
  const dispatched = await c.ok(filed.id, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'cooking_fumes', workstationId: station.id });
  await c.ok(filed.id, env.keys.intake!, { type: 'withdraw', reason: '已自行解决' });
  return dispatched as never;
}

const outbox = async (caseId: string) =>
  env.database.sql<{ id: string; sent_at: string | null; sender: string | null }[]>`select id, sent_at, sender from notifications where case_id = ${caseId} order by id`;

/** `node cli/dead-letters.ts …` as `./bangnong dead-letters …` runs it, with the workers' settings. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cli/dead-letters.ts', ...args],
      { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: env.databaseUrl, NOTIFY_WEBHOOK_URL: hookUrl, NOTIFY_WEBHOOK_SECRET: SECRET, LOG_LEVEL: 'silent' }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('a webhook that stays down', () => {
  let caseId: string;
  let ids: string[];

  it('When the receiver answers 503 past DELIVERY_GIVE_UP_AFTER, then the messages go to the dead-letter list and the case workflow completes', async () => {
    const filed = await dispatchedAndWithdrawn();
    caseId = filed.id;
    // Closed, but its messages are still being retried: the workflow waits for them.
    expect(await workflowStatus(caseId)).toBe('RUNNING');
    await eventually(() => workflowStatus(caseId), (s) => s === 'COMPLETED', 30_000, 'the case workflow to complete without its messages');

    const rows = await outbox(caseId);
    ids = rows.map((r) => r.id);
    expect(ids.length).toBeGreaterThan(1);
    expect(rows.every((r) => r.sent_at === null)).toBe(true);

    const res = await list(`?caseId=${caseId}`);
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json();
    expect(page.deadLetters.map((d: { id: string }) => d.id).sort()).toEqual(ids);
    for (const d of page.deadLetters) {
      expect(d).toMatchObject({ caseId, sender: 'notify', status: 'waiting', unitPath: filed.assignedUnitPath, redeliveryAttempts: 0 });
      expect(d.error).toBe(`notify webhook ${hookUrl} answered 503 for notification ${d.id}`);
      expect(d.attempts).toBeGreaterThanOrEqual(2);
      expect(Date.parse(d.deadAt) - Date.parse(d.firstAttemptAt)).toBeGreaterThanOrEqual(GIVE_UP_AFTER_MS - 1_000);
      expect(d.body).toBeUndefined();
    }
    expect(page.next).toBeUndefined();

    expect(await metric('bangnong_dead_letters_waiting')).toBe(ids.length);
    expect(await metric('bangnong_dead_letters_moved_total')).toBe(ids.length);

    // Every attempt at a message carried the same webhook-id, and each was signed.
    for (const id of ids) {
      const tries = received.filter((r) => r.headers['webhook-id'] === id);
      expect(tries.length, id).toBeGreaterThanOrEqual(2);
      for (const t of tries) expect(new Webhook(SECRET).verify(t.raw, t.headers)).toMatchObject({ id, caseId });
    }
  }, 60_000);

  it('When the list is read, then one page leads to the next, one dead letter shows its message, and the wrong caller or input is refused', async () => {
    const first = (await list(`?caseId=${caseId}&limit=1`)).json();
    expect(first.deadLetters).toHaveLength(1);
    expect(first.next).toEqual(expect.any(String));
    const second = (await list(`?caseId=${caseId}&limit=1&cursor=${first.next}`)).json();
    expect(second.deadLetters[0]?.id ?? null).not.toBe(first.deadLetters[0].id);

    const one = await env.request('GET', `/v1/dead-letters/${ids[0]}`, { key: adminKey });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toMatchObject({ id: ids[0], caseId, status: 'waiting', body: expect.any(Object) });
    // The message as administrators see it: no citizen's phone.
    expect(one.body).not.toContain('13812345678');

    expect((await env.request('GET', '/v1/dead-letters/no-such-message', { key: adminKey })).json()).toEqual({ error: 'no dead letter no-such-message: GET /v1/dead-letters lists them' });
    // Another squad's administrator does not see them; other roles never see the list.
    const squad = await env.request('GET', `/v1/dead-letters/${ids[0]}`, { key: squadAdminKey });
    expect(squad.statusCode).toBe(403);
    expect((await list(`?caseId=${caseId}`, squadAdminKey)).json().deadLetters).toEqual([]);
    const supervisor = await list('', env.keys.supervisor!);
    expect(supervisor.statusCode).toBe(403);
    expect(supervisor.json().error).toMatch(/a supervisor may not delivery\.manage; it takes an admin/);
    const bad = await list('?status=lost');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/status/);
    expect((await list('?cursor=nonsense')).json().error).toMatch(/cursor is not one this API gave out/);
  });

  it('When a redelivery is asked while the receiver is still down, then it fails, says why and stays waiting', async () => {
    const res = await env.request('POST', `/v1/dead-letters/${ids[0]}/redeliver`, { key: adminKey });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ delivered: false, error: expect.stringMatching(/answered 503/), deadLetter: { id: ids[0], status: 'waiting', redeliveryAttempts: 1 } });
    const run = await cli(['redeliver', '--all', '--case', caseId]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/failed again, stays on the list: notify webhook .* answered 503/);
    expect(run.stdout).toMatch(new RegExp(`0 delivered, 1 failed again, ${ids.length} still waiting`));
    expect(await metric('bangnong_dead_letters_waiting')).toBe(ids.length);
  }, 60_000);

  it('When the receiver is back, then redelivery sends each message once, signed, with the webhook-id of its first attempt, and the list and metric empty', async () => {
    down = false;
    const before = received.length;
    const one = await env.request('POST', `/v1/dead-letters/${ids[0]}/redeliver`, { key: adminKey });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toMatchObject({ delivered: true, deadLetter: { id: ids[0], status: 'redelivered', redeliveredAt: expect.any(String) } });
    const again = await env.request('POST', `/v1/dead-letters/${ids[0]}/redeliver`, { key: adminKey });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatch(/was redelivered at .*: nothing to do/);

    const rest = ids.slice(1);
    if (rest.length > 0) {
      const listed = await cli(['list', '--case', caseId]);
      expect(listed.code, listed.stderr).toBe(0);
      for (const id of rest) expect(listed.stdout).toContain(id);
      expect(listed.stdout).not.toContain(ids[0]);
      const byCli = await cli(['redeliver', rest[0]!]);
      expect(byCli.code, byCli.stderr).toBe(0);
      expect(byCli.stdout).toBe(`${rest[0]}: delivered\n`);
    }
    const all = await env.request('POST', '/v1/dead-letters/redeliver', { key: adminKey, body: { caseId } });
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json()).toMatchObject({ failed: [], skipped: [], waiting: 0 });
    expect(all.json().delivered.sort()).toEqual(rest.slice(1).sort());

    const delivered = received.slice(before).filter((r) => r.answered === 204);
    expect(delivered.map((r) => r.headers['webhook-id']).sort()).toEqual(ids);
    for (const r of delivered) {
      const message = new Webhook(SECRET).verify(r.raw, r.headers) as { id: string };
      expect(message.id).toBe(r.headers['webhook-id']);
    }
    expect((await outbox(caseId)).every((r) => r.sent_at !== null && r.sender === 'notify')).toBe(true);
    expect((await list(`?caseId=${caseId}`)).json().deadLetters).toEqual([]);
    expect((await list(`?caseId=${caseId}&status=redelivered`)).json().deadLetters).toHaveLength(ids.length);
    expect(await metric('bangnong_dead_letters_waiting')).toBe(0);
    expect(await metric('bangnong_dead_letters_moved_total')).toBe(ids.length);
    expect((await cli([])).stdout).toBe('no dead letters: every message was delivered\n');
  }, 90_000);
});

describe('the delivery activity retried after a crash', () => {
  it('When the attempt past the bound runs twice, then each message is tried and dead-lettered once, and a dead letter is not sent again', async () => {
    down = true;
    const filed = await dispatchedAndWithdrawn();
    const rows = await eventually(() => outbox(filed.id), (r) => r.length > 1, 15_000, 'the outbox');
    const ids = rows.map((r) => r.id);
    // The case's own workflow delivers these too: this test's worker is stopped first, so only the calls below do.
    await env.worker.stop();
    const activities = createActivities({
      db: env.database.db,
      senders: { main: new WebhookSender('notify', hookUrl, SECRET, 2_000) },
      log: pino({ level: 'silent' }),
      store: undefined as never,
      delivery: { giveUpAfterMs: GIVE_UP_AFTER_MS },
    });
    const longAgo = Date.now() - 10 * GIVE_UP_AFTER_MS;
    const info = { attempt: 7, scheduledTimestampMs: longAgo, currentAttemptScheduledTimestampMs: Date.now() } as unknown as Info;
    const logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
    const run = () =>
      asyncLocalStorage.run(new Context(info, new Promise<never>(() => {}), new AbortController().signal, () => {}, undefined, logger, noopMetricMeter, {}), () =>
        activities.deliverNotifications({ caseId: filed.id, ids }),
      );
    const before = received.length;
    expect(await run()).toBe(0);
    // One try per sender on the attempt that gives up: the rest of its messages follow the first's failure.
    expect(received.slice(before)).toHaveLength(1);
    const moved = (await list(`?caseId=${filed.id}`)).json().deadLetters;
    expect(moved.map((d: { id: string }) => d.id).sort()).toEqual(ids);
    expect(moved.every((d: { attempts: number }) => d.attempts === 7)).toBe(true);

    const after = received.length;
    expect(await run()).toBe(0);
    expect(received.length).toBe(after);
    expect((await list(`?caseId=${filed.id}`)).json().deadLetters).toEqual(moved);
    await env.startWorker();
  }, 60_000);
});
