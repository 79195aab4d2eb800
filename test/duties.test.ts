// Workstation duties against the real Temporal and PostgreSQL: officers log liaison visits (400s naming
// the field, an idempotent retry, 403 for another squad's officer, photos told by their bytes); compliance
// per Shanghai week, a visit across Sunday midnight counted in the week it started; the duty schedules
// created at start-up twice leaving one of each, in the Asia/Shanghai time zone; a schedule run triggered
// here flagging the workstation without a visit and not the one with 2 hours, telling the squad's
// supervisor by the signed webhook — twice run, each shortfall recorded and told once; the monthly check
// reading released publicity; `./bangnong duties backfill` for two past weeks; a bad duties policy
// stopping the start, naming the field. The check runs' histories are what RECORD_HISTORIES=1 saves for
// the replay test.

import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebhookSender } from '../activities/senders.js';
import { buildApp } from '../api/app.js';
import { OrgDirectory } from '../api/org.js';
import { previousShanghaiMonth, previousShanghaiWeek, shanghaiDay, shanghaiWeekOf } from '../domain/periods.js';
import { REPO_ROOT } from '../platform/config.js';
import { loadDutiesPolicy } from '../platform/duties-policy.js';
import { DUTY_TIME_ZONE, dutyScheduleId, ensureDutySchedules } from '../platform/schedules.js';
import type { DutyCheckResult } from '../workflows/duties.js';
import { recordWorkflowHistory } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, eventually } from './support.js';

type Json = Record<string, any>;
const SECRET = 'duties-secret-0123456789';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let env: TestEnv;
let server: http.Server;
const received: Json[] = [];
/** S1: a squad with workstations W_ok and W_short; D1 its district, with W_span at another squad; S2 a squad of another district, with W_other. */
const units = {} as Record<'S1' | 'D1' | 'S2', string>;
const paths = {} as Record<'S1' | 'S2', string>;
const ws = {} as Record<'ok' | 'short' | 'span' | 'other', string>;
const keys = {} as Record<'officerS1' | 'officerD1' | 'officerS2' | 'supervisorS1' | 'supervisorD1' | 'deskS1', string>;
const now = new Date();
const lastWeek = previousShanghaiWeek(now);
const twoWeeksAgo = previousShanghaiWeek(lastWeek.start);
const threeWeeksAgo = previousShanghaiWeek(twoWeeksAgo.start);
const lastMonth = previousShanghaiMonth(now);

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  env = await createTestEnv('duties', { senders: { main: new WebhookSender('notify', `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`, SECRET) } });
  const stations = (await env.request('GET', '/v1/workstations')).json().workstations as { id: string; squadId: string }[];
  const all = (await env.request('GET', '/v1/units')).json().units as { id: string; parentId: string | null; path: string }[];
  const unit = (id: string) => all.find((u) => u.id === id)!;
  const bySquad = new Map<string, string[]>();
  for (const w of stations) bySquad.set(w.squadId, [...(bySquad.get(w.squadId) ?? []), w.id]);
  // A squad with two workstations, in a district with another squad's workstation beside them.
  const neighbour = (squad: string) => stations.find((w) => w.squadId !== squad && unit(w.squadId).parentId === unit(squad).parentId);
  const [s1, mine] = [...bySquad.entries()].find(([squad, list]) => list.length >= 2 && neighbour(squad))!;
  const s2 = stations.find((w) => unit(w.squadId).parentId !== unit(s1).parentId)!;
  Object.assign(units, { S1: s1, D1: unit(s1).parentId!, S2: s2.squadId });
  Object.assign(paths, { S1: unit(s1).path, S2: unit(s2.squadId).path });
  Object.assign(ws, { ok: mine[0], short: mine[1], span: neighbour(s1)!.id, other: s2.id });
  keys.officerS1 = (await env.principal('officer', units.S1, '社区联络员甲')).key;
  keys.officerS2 = (await env.principal('officer', units.S2, '别的中队队员')).key;
  keys.officerD1 = (await env.principal('officer', units.D1, '区局队员')).key;
  keys.supervisorS1 = (await env.principal('supervisor', units.S1, '中队长')).key;
  keys.supervisorD1 = (await env.principal('supervisor', units.D1, '区局主管')).key;
  keys.deskS1 = (await env.principal('desk', units.S1, '中队内勤')).key;
}, 60_000);

afterAll(async () => {
  for (const kind of ['weekly_visits', 'monthly_publicity'] as const) await env?.temporal.schedule.getHandle(dutyScheduleId(env.taskQueue, kind)).delete().catch(() => undefined);
  await env?.close();
  server?.close();
});

const visit = (o: Json = {}) => ({
  workstationId: ws.ok,
  startedAt: new Date(lastWeek.start.getTime() + 2 * DAY + 9 * HOUR).toISOString(),
  endedAt: new Date(lastWeek.start.getTime() + 2 * DAY + 11 * HOUR).toISOString(),
  activities: ['patrol', 'legal_publicity'],
  note: '巡查小区，发放普法宣传材料',
  ...o,
});
const log = (body: Json, key = keys.officerS1, idempotencyKey?: string) =>
  env.request('POST', '/v1/duty-visits', { key, body, headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {} });
const refusedAt = (res: { statusCode: number; json(): Json; body: string }, status: number, field?: string) => {
  expect(res.statusCode, res.body).toBe(status);
  if (field) expect(res.json().issues.map((i: Json) => i.path), res.body).toContain(field);
};
function multipart(bytes: Buffer, filename: string) {
  const boundary = `----bangnong${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  return { payload: Buffer.concat([head, bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}
const upload = (visitId: string, key: string, bytes: Buffer, filename: string) => {
  const { payload, contentType } = multipart(bytes, filename);
  return env.app.inject({ method: 'POST', url: `/v1/duty-visits/${visitId}/photos`, payload, headers: { authorization: `Bearer ${key}`, 'content-type': contentType } });
};
const shortfalls = async (query: string, key = keys.supervisorD1): Promise<Json[]> => {
  const res = await env.request('GET', `/v1/duty-shortfalls?${query}`, { key });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().shortfalls;
};
const rows = (kind: string, periodStart: Date) =>
  env.database.sql<{ id: string; subject_id: string }[]>`select id, subject_id from duty_shortfalls where kind = ${kind} and period_start = ${periodStart.toISOString()}`;
const messagesFor = (shortfall: string) => env.database.sql<{ id: string; recipient: string; to: string; sent_at: string | null }[]>`select * from notifications where case_id = ${shortfall}`;

describe('logging a visit', () => {
  let logged: Json;

  it('When a squad officer logs a 2-hour visit, then it is recorded and read back at once, in the log of the squad and its district', async () => {
    const res = await log(visit(), keys.officerS1, 'visit-ok-1');
    expect(res.statusCode, res.body).toBe(201);
    logged = res.json();
    expect(logged).toMatchObject({ workstationId: ws.ok, squadId: units.S1, districtId: units.D1, minutes: 120, activities: ['patrol', 'legal_publicity'], note: '巡查小区，发放普法宣传材料', officer: { name: '社区联络员甲' }, photos: [] });
    expect((await env.request('GET', `/v1/duty-visits/${logged.id}`, { key: keys.supervisorD1 })).json()).toEqual(logged);
    const mine = (await env.request('GET', `/v1/duty-visits?workstation=${ws.ok}`, { key: keys.officerS1 })).json().visits;
    expect(mine.map((v: Json) => v.id)).toEqual([logged.id]);
    expect((await env.request('GET', `/v1/duty-visits?unit=${units.D1}`, { key: keys.supervisorD1 })).json().visits.map((v: Json) => v.id)).toContain(logged.id);
  });

  it('When the same visit is sent again with its Idempotency-Key, then it answers 200 with the same visit, and there is one', async () => {
    const again = await log(visit(), keys.officerS1, 'visit-ok-1');
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().id).toBe(logged.id);
    const [count] = await env.database.sql<{ n: number }[]>`select count(*)::int as n from duty_visits where workstation_id = ${ws.ok}`;
    expect(count!.n).toBe(1);
  });

  it('When a visit is wrong, then it answers 400 naming the field, and nothing is recorded', async () => {
    const start = Date.parse(visit().startedAt);
    refusedAt(await log(visit({ endedAt: new Date(start - HOUR).toISOString() })), 400, 'body.endedAt');
    refusedAt(await log(visit({ endedAt: new Date(start).toISOString() })), 400, 'body.endedAt');
    const long = await log(visit({ endedAt: new Date(start + 13 * HOUR).toISOString() }));
    refusedAt(long, 400, 'body.endedAt');
    expect(long.json().error).toMatch(/at most 12 hours/);
    const future = await log(visit({ startedAt: new Date(Date.now() + HOUR).toISOString(), endedAt: new Date(Date.now() + 3 * HOUR).toISOString() }));
    refusedAt(future, 400, 'body.endedAt');
    expect(future.json().error).toMatch(/future/);
    refusedAt(await log(visit({ workstationId: 'no-such-workstation' })), 400, 'body.workstationId');
    refusedAt(await log(visit({ activities: ['karaoke'] })), 400, 'body.activities.0');
    refusedAt(await log(visit({ activities: [] })), 400, 'body.activities');
    refusedAt(await log(visit({ startedAt: '2026-11-18 09:00' })), 400, 'body.startedAt');
    refusedAt(await log(visit({ officer: 'someone-else' })), 400);
    const [count] = await env.database.sql<{ n: number }[]>`select count(*)::int as n from duty_visits`;
    expect(count!.n).toBe(1);
  });

  it('When another squad\'s officer (or a supervisor) logs a visit at the workstation, then 403', async () => {
    const other = await log(visit(), keys.officerS2);
    expect(other.statusCode, other.body).toBe(403);
    expect(other.json().error).toMatch(/may duty\.log in its own unit/);
    expect((await log(visit(), keys.supervisorS1)).statusCode).toBe(403);
    // …and it reads neither the visit nor the squad's log.
    expect((await env.request('GET', `/v1/duty-visits/${logged.id}`, { key: keys.officerS2 })).statusCode).toBe(403);
    expect((await env.request('GET', `/v1/duty-visits?unit=${units.S1}`, { key: keys.officerS2 })).statusCode).toBe(403);
    expect((await env.request('GET', '/v1/duty-visits', { key: keys.officerS2 })).json().visits).toEqual([]);
  });

  it('When the officer adds a photo, then it is kept once, told by its bytes, and shown to those who may read the visit', async () => {
    const jpeg = await sharp(randomBytes(64 * 48 * 3), { raw: { width: 64, height: 48, channels: 3 } }).resize(1600, 1200).jpeg().toBuffer();
    const added = await upload(logged.id, keys.officerS1, jpeg, '现场.jpg');
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({ name: '现场.jpg', type: 'image/jpeg', size: jpeg.length });
    expect((await upload(logged.id, keys.officerS1, jpeg, '现场.jpg')).json().id).toBe(added.json().id);
    expect((await upload(logged.id, keys.officerS1, Buffer.from('<html><script>alert(1)</script></html>'), 'photo.jpg')).statusCode).toBe(415);
    expect((await upload(logged.id, keys.officerS2, jpeg, 'x.jpg')).statusCode).toBe(403);
    const read = await env.app.inject({ method: 'GET', url: added.json().url, headers: { authorization: `Bearer ${keys.supervisorD1}` } });
    expect(read.statusCode).toBe(200);
    expect(read.headers['content-type']).toBe('image/jpeg');
    expect(read.rawPayload.equals(jpeg)).toBe(true);
    const preview = await env.app.inject({ method: 'GET', url: added.json().previewUrl, headers: { authorization: `Bearer ${keys.supervisorD1}` } });
    expect((await sharp(preview.rawPayload).metadata()).width).toBe(1280);
    expect((await env.app.inject({ method: 'GET', url: added.json().url, headers: { authorization: `Bearer ${keys.officerS2}` } })).statusCode).toBe(403);
    expect((await env.request('GET', `/v1/duty-visits/${logged.id}`, { key: keys.officerS1 })).json().photos).toHaveLength(1);
  });
});

describe('compliance', () => {
  it('When a visit runs from Sunday 23:00 to Monday 01:00, then it counts whole in the week it started, not in the next', async () => {
    const sunday23 = new Date(twoWeeksAgo.end.getTime() - HOUR);
    const res = await log(visit({ workstationId: ws.span, startedAt: sunday23.toISOString(), endedAt: new Date(sunday23.getTime() + 2 * HOUR).toISOString(), activities: ['community_meeting'] }), keys.officerD1);
    expect(res.statusCode, res.body).toBe(201);
    const read = async (week: Date) => {
      const body = (await env.request('GET', `/v1/duty-compliance?week=${shanghaiDay(week)}`, { key: keys.supervisorD1 })).json();
      return body.workstations.find((w: Json) => w.id === ws.span);
    };
    expect(await read(twoWeeksAgo.start)).toMatchObject({ visits: 1, minutes: 120, complies: true });
    expect(await read(lastWeek.start)).toMatchObject({ visits: 0, minutes: 0, complies: false });
  });

  it('When a supervisor reads last week, then each workstation shows its visits, minutes and whether it complies', async () => {
    const res = await env.request('GET', `/v1/duty-compliance?week=${shanghaiDay(new Date(lastWeek.start.getTime() + 3 * DAY))}`, { key: keys.supervisorD1 });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.weeks).toEqual([{ start: lastWeek.start.toISOString(), end: lastWeek.end.toISOString() }]);
    expect(body.thresholds).toEqual({ weekly: { minVisits: 1, minMinutes: 120 }, monthly: { minReleased: 1 } });
    const byId = new Map(body.workstations.map((w: Json) => [w.id, w]));
    expect(byId.get(ws.ok)).toMatchObject({ visits: 1, minutes: 120, complies: true });
    expect(byId.get(ws.short)).toMatchObject({ visits: 0, minutes: 0, complies: false });
    expect(byId.has(ws.other)).toBe(false); // another district's
    expect((await env.request('GET', `/v1/duty-compliance?week=2026-02-30`, { key: keys.supervisorD1 })).json().issues[0].path).toBe('querystring.week');
    expect((await env.request('GET', `/v1/duty-compliance?week=2026-11-02&month=2026-11`, { key: keys.supervisorD1 })).statusCode).toBe(400);
    expect((await env.request('GET', `/v1/duty-compliance?unit=${units.S2}`, { key: keys.supervisorS1 })).statusCode).toBe(403);
  });
});

describe('the duty schedules', () => {
  const policy = loadDutiesPolicy();
  let weeklyRun: { workflowId: string };
  let monthlyRun: { workflowId: string };

  /** Triggers a schedule and waits for the run it starts (the next of its recent actions). */
  async function triggerAndWait(kind: 'weekly_visits' | 'monthly_publicity'): Promise<{ workflowId: string; result: DutyCheckResult }> {
    const handle = env.temporal.schedule.getHandle(dutyScheduleId(env.taskQueue, kind));
    const before = (await handle.describe()).info.recentActions.length;
    await handle.trigger();
    const actions = await eventually(async () => (await handle.describe()).info.recentActions, (a) => a.length > before, 20_000, 'the triggered run');
    const { workflowId } = actions.at(-1)!.action.workflow;
    const result = (await env.temporal.workflow.getHandle(workflowId).result()) as DutyCheckResult;
    return { workflowId, result };
  }

  it('When the schedules are made sure of at start-up twice, then there is one of each, in the Asia/Shanghai time zone', async () => {
    const first = await ensureDutySchedules(env.temporal, { taskQueue: env.taskQueue, policy });
    const second = await ensureDutySchedules(env.temporal, { taskQueue: env.taskQueue, policy });
    expect(first.map((r) => r.outcome)).toEqual(['created', 'created']);
    expect(second.map((r) => r.outcome)).toEqual(['updated', 'updated']);
    const ids = [dutyScheduleId(env.taskQueue, 'weekly_visits'), dutyScheduleId(env.taskQueue, 'monthly_publicity')];
    const listed = await eventually(
      async () => {
        const found: string[] = [];
        for await (const s of env.temporal.schedule.list()) if (s.scheduleId.startsWith(`${env.taskQueue}-`)) found.push(s.scheduleId);
        return found.sort();
      },
      (found) => found.length >= 2,
      20_000,
      'the schedules in the list',
    );
    expect(listed).toEqual([...ids].sort());
    const weekly = await env.temporal.schedule.getHandle(ids[0]!).describe();
    expect(weekly.spec.timezone).toBe(DUTY_TIME_ZONE);
    expect(weekly.spec.calendars?.[0]).toMatchObject({ dayOfWeek: [{ start: 'MONDAY' }], hour: [{ start: 6 }], minute: [{ start: 0 }] });
    expect(weekly.action).toMatchObject({ workflowType: 'dutyCheckWorkflow', taskQueue: env.taskQueue });
    // The next run is Monday 06:00 in Shanghai.
    const next = weekly.info.nextActionTimes[0]!;
    expect(shanghaiWeekOf(next).start.getTime() + 6 * HOUR).toBe(next.getTime());
  });

  it('When the weekly schedule runs, then the workstation without a visit is flagged and the one with 2 hours is not, and the squad\'s supervisor is told', async () => {
    const run = await triggerAndWait('weekly_visits');
    weeklyRun = run;
    expect(run.result).toMatchObject({ kind: 'weekly_visits', period: { start: lastWeek.start.toISOString(), end: lastWeek.end.toISOString() } });
    expect(run.result.checked).toBeGreaterThanOrEqual(3);
    const flagged = (await rows('weekly_visits', lastWeek.start)).map((r) => r.subject_id);
    expect(flagged).toContain(ws.short);
    expect(flagged).toContain(ws.span); // its visit counts in the week before
    expect(flagged).not.toContain(ws.ok);
    const id = `weekly_visits:${ws.short}:${shanghaiDay(lastWeek.start)}`;
    const told = await eventually(async () => received.filter((m) => m.caseId === id), (m) => m.length === 1, 20_000, 'the supervisor\'s message');
    expect(told[0]).toMatchObject({ recipient: 'supervisor', to: paths.S1, kind: 'duty_shortfall', body: { kind: 'weekly_visits', subjectId: ws.short, visits: 0, minutes: 0, minMinutes: 120 } });
    // The squad's supervisor sees it; another squad's officer does not.
    expect((await shortfalls('kind=weekly_visits', keys.supervisorS1)).map((s) => s.id)).toContain(id);
    expect((await shortfalls('', keys.officerS2)).map((s) => s.subjectId)).not.toContain(ws.short);
    await recordWorkflowHistory(weeklyRun.workflowId, 'duty-weekly-check');
  });

  it('When the same week is checked again, then each shortfall is recorded once and told once', async () => {
    const before = (await rows('weekly_visits', lastWeek.start)).length;
    const again = await triggerAndWait('weekly_visits');
    expect(again.result.created).toBe(0);
    expect(again.result.short).toBe(before);
    expect(await rows('weekly_visits', lastWeek.start)).toHaveLength(before);
    const id = `weekly_visits:${ws.short}:${shanghaiDay(lastWeek.start)}`;
    const messages = await messagesFor(id);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ recipient: 'supervisor', to: paths.S1 });
    expect(messages[0]!.sent_at).not.toBeNull();
    await new Promise((r) => setTimeout(r, 500));
    expect(received.filter((m) => m.caseId === id)).toHaveLength(1);
  });

  it('When the monthly schedule runs, then a squad with a released item is not flagged, and one whose item was taken down in the month is', async () => {
    const released = new Date(lastMonth.start.getTime() + 10 * DAY);
    const item = (squad: string, squadPath: string, takenDown?: Date) => ({
      id: randomUUID(),
      squad_id: squad,
      district_id: squadPath.split('/')[1]!,
      unit_path: squadPath,
      title: '普法进社区短视频',
      state: takenDown ? 'taken_down' : 'released',
      view: '{}',
      created_at: released.toISOString(),
      updated_at: released.toISOString(),
      released_at: released.toISOString(),
      taken_down_at: takenDown?.toISOString() ?? null,
      version: 3,
    });
    await env.database.sql`insert into publicity_items ${env.database.sql([item(units.S1, paths.S1), item(units.S2, paths.S2, new Date(released.getTime() + DAY))])}`;
    const run = await triggerAndWait('monthly_publicity');
    monthlyRun = run;
    expect(run.result.period).toEqual({ start: lastMonth.start.toISOString(), end: lastMonth.end.toISOString() });
    const flagged = (await rows('monthly_publicity', lastMonth.start)).map((r) => r.subject_id);
    expect(flagged).toContain(units.S2);
    expect(flagged).not.toContain(units.S1);
    const id = `monthly_publicity:${units.S2}:${shanghaiDay(lastMonth.start)}`;
    await eventually(async () => received.filter((m) => m.caseId === id), (m) => m.length === 1, 20_000, 'the S2 supervisor\'s message');
    const month = (await env.request('GET', `/v1/duty-compliance?month=${shanghaiDay(lastMonth.start).slice(0, 7)}`, { key: env.keys.supervisor })).json();
    expect(month.squads.find((s: Json) => s.id === units.S1)).toMatchObject({ released: 1, complies: true });
    expect(month.squads.find((s: Json) => s.id === units.S2)).toMatchObject({ released: 0, complies: false });
    await recordWorkflowHistory(monthlyRun.workflowId, 'duty-monthly-check');
  });

  it('When the schedule itself is backfilled for a past Monday, then that run checks the week before that Monday (its scheduled time, not now)', async () => {
    const monday = previousShanghaiWeek(threeWeeksAgo.start).start; // four weeks ago
    const checked = previousShanghaiWeek(monday);
    const handle = env.temporal.schedule.getHandle(dutyScheduleId(env.taskQueue, 'weekly_visits'));
    await handle.backfill({ start: monday, end: new Date(monday.getTime() + 7 * HOUR), overlap: 'ALLOW_ALL' });
    const flagged = await eventually(async () => (await rows('weekly_visits', checked.start)).map((r) => r.subject_id), (r) => r.includes(ws.short), 20_000, 'the backfilled run\'s shortfalls');
    expect(flagged).toContain(ws.ok);
    expect(await rows('weekly_visits', monday)).toHaveLength(0);
  });

  it('When `./bangnong duties backfill` is run for two past weeks, then those weeks\' shortfalls are recorded', async () => {
    const from = shanghaiDay(threeWeeksAgo.start);
    const to = shanghaiDay(new Date(twoWeeksAgo.end.getTime() - DAY));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/duties.ts', 'backfill', '--from', from, '--to', to, '--kind', 'weekly'], {
      cwd: REPO_ROOT,
      env: { ...process.env, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: env.taskQueue, LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });
    expect(stdout).toContain(`week of ${from}:`);
    expect(stdout).toContain(`week of ${shanghaiDay(twoWeeksAgo.start)}:`);
    for (const week of [threeWeeksAgo, twoWeeksAgo]) {
      const flagged = (await rows('weekly_visits', week.start)).map((r) => r.subject_id);
      expect(flagged).toContain(ws.short);
      expect(flagged).toContain(ws.ok);
    }
    // The visit of Sunday 23:00 counts in two weeks ago.
    expect((await rows('weekly_visits', twoWeeksAgo.start)).map((r) => r.subject_id)).not.toContain(ws.span);
    expect((await rows('weekly_visits', threeWeeksAgo.start)).map((r) => r.subject_id)).toContain(ws.span);
    const listed = await shortfalls(`unit=${units.S1}&kind=weekly_visits&from=${from}&to=${shanghaiDay(twoWeeksAgo.end)}`);
    expect(new Set(listed.map((s) => s.periodStart))).toEqual(new Set([threeWeeksAgo.start.toISOString(), twoWeeksAgo.start.toISOString()]));
  });
});

describe('the duties policy', () => {
  it('When policy/duties.json has a wrong or unknown field, then the start stops, naming it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'duties-'));
    const file = path.join(dir, 'duties.json');
    const good = JSON.parse(JSON.stringify(loadDutiesPolicy()));
    writeFileSync(file, JSON.stringify({ ...good, weekly: { ...good.weekly, minMinutes: '2h' } }));
    expect(() => loadDutiesPolicy(file)).toThrow(/weekly\.minMinutes/);
    writeFileSync(file, JSON.stringify({ ...good, monthly: { ...good.monthly, minReleaseed: 1 } }));
    expect(() => loadDutiesPolicy(file)).toThrow(/monthly: Unrecognized key: "minReleaseed"/);
    const before = process.env.DUTIES_POLICY_FILE;
    process.env.DUTIES_POLICY_FILE = file;
    try {
      const app = Fastify();
      await expect(buildApp(app, { db: env.database.db, temporal: env.temporal, taskQueue: env.taskQueue, policy: env.policy, org: await new OrgDirectory(env.database.db).load() })).rejects.toThrow(/duties policy .*minReleaseed/s);
      await app.close().catch(() => undefined);
    } finally {
      if (before === undefined) delete process.env.DUTIES_POLICY_FILE;
      else process.env.DUTIES_POLICY_FILE = before;
    }
  });
});
