// The deadline policy with seconds instead of hours: the dev server does not skip time.

import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { unitIdOf } from '../domain/units.js';
import { SEARCH_ATTRIBUTES, caseWorkflowId } from '../workflows/messages.js';
import type { Policy } from '../domain/policy.js';
import { caseClient, recordHistory } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, defaultPolicy, eventually } from './support.js';

let env: TestEnv;
let c: ReturnType<typeof caseClient>;

beforeAll(async () => {
  const base = defaultPolicy();
  const policy: Policy = {
    ...base,
    deadlines: { ...base.deadlines, triage: '1h', acceptance: '2s', escalation: '1h', mediaReview: '2s' },
    urgent: {},
    grace: '2s',
  };
  env = await createTestEnv('deadlines', { policy });
  c = caseClient(env);
});
afterAll(async () => env?.close());

it('When the acceptance deadline passes, then the case is overdue, the squad and the district are told, and after the grace period it escalates by itself', async () => {
  const [station] = await c.workstations();
  const filed = await c.file();
  const d = await c.ok(filed.id, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'street_vending', workstationId: station!.id });
  expect(d).toMatchObject({ state: 'dispatched', overdue: false });
  const dueAt = Date.parse(d.deadlineAt);
  const readAt = Date.now();
  const early = await c.get(d.id);
  expect(readAt, 'this machine was too slow to read the case before its 2 s deadline').toBeLessThan(dueAt);
  expect(early.overdue).toBe(false);

  // With no worker running the case's own timer cannot act, yet supervisors see the case overdue from
  // its deadline on: the API reads the deadline against the clock.
  await env.worker.stop();
  await new Promise((r) => setTimeout(r, Math.max(dueAt - Date.now(), 0) + 200));
  const overdue = await c.get(d.id);
  expect(overdue).toMatchObject({ state: 'dispatched', overdue: true, overdueSince: d.deadlineAt, escalationLevel: 'squad' });
  const listed = await env.request('GET', `/v1/cases?overdue=true&unit=${station!.squadId}`);
  expect(listed.json().cases.map((x: { id: string }) => x.id)).toContain(d.id);
  expect((await c.events(d.id)).map((e) => e.type)).toEqual(['intake', 'triage']);

  // A worker again: the timer records the overdue event and tells people.
  await env.startWorker();
  await eventually(() => c.events(d.id), (events) => events.some((e) => e.type === 'deadline_passed'), 15_000, 'the overdue event');

  const sql = postgres(env.databaseUrl, { max: 1 });
  const told = await sql`select recipient, "to", kind from notifications where case_id = ${d.id} and kind = 'case_overdue' order by id`;
  await sql.end();
  const district = await c.districtOf(station!.squadId);
  expect(told.map((r) => `${r.recipient}@${unitIdOf(String(r.to))}`)).toEqual([`supervisor@${station!.squadId}`, `supervisor@${district}`]);

  const description = await env.temporal.workflow.getHandle(caseWorkflowId(d.id)).describe();
  expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.overdue)).toBe(true);

  const escalated = await eventually(() => c.get(d.id), (v) => v.state === 'escalated', 10_000, 'automatic escalation');
  expect(escalated).toMatchObject({ state: 'escalated', escalationLevel: 'district', assignedUnitId: district, overdue: false, stage: 'escalation' });
  const events = await c.events(d.id);
  expect(events.map((e) => e.type)).toEqual(['intake', 'triage', 'deadline_passed', 'grace_passed']);
  expect(events[2]).toMatchObject({ actor: { role: 'system' }, from: 'dispatched', to: 'dispatched', payload: { clock: 'stage', stage: 'acceptance' } });
  expect(events[3]).toMatchObject({ from: 'dispatched', to: 'escalated', payload: { automatic: true, level: 'district' } });
  await recordHistory(d.id, 'overdue-auto-escalated');
});

it('When a media review is late, then the item is marked overdue and the reviewers are told', async () => {
  const filed = await c.file();
  const explained = await c.ok(filed.id, env.keys.desk!, { type: 'triage', decision: 'explain', explanation: '已说明' });
  expect(explained.state).toBe('resolved');
  await c.ok(filed.id, env.keys.reporter!, { type: 'media_draft', title: '说明', body: '稿件' });
  const late = await eventually(() => c.get(filed.id), (v) => v.media.overdue === true, 10_000, 'media review overdue');
  expect(late.media).toMatchObject({ status: 'in_review', overdue: true });
  const approved = await c.ok(filed.id, env.keys.supervisor!, { type: 'media_review', decision: 'approve' });
  expect(approved.media).toMatchObject({ status: 'approved', overdue: false });
});
