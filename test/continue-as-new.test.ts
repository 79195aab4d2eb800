// A long case stays healthy (issue 14): past a share of its history guard it continues as new — a fresh
// run of the same workflow id, carrying the case — at a quiet moment, and nobody outside can tell: the
// timeline is whole, the deadline still fires, an action retried with its Idempotency-Key across the
// continue is applied once, and clients keep addressing the case by its id. Also: an action that leaves
// the next deadline where it was leaves the case's timer alone (the cost of an action).
// The event guard is lowered here (400 events: the case continues past 100, about every 11 actions).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Policy } from '../domain/policy.js';
import { SEARCH_ATTRIBUTES, caseWorkflowId } from '../workflows/messages.js';
import { type Case, HISTORIES_DIR, caseClient, recordHistory } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, defaultPolicy, eventually } from './support.js';

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
let station: Case;

beforeAll(async () => {
  const base = defaultPolicy();
  const policy: Policy = {
    ...base,
    deadlines: { ...base.deadlines, acceptance: '45s' },
    urgent: {},
    grace: '1h',
    limits: { supplements: 1000, evidence: 1000, actions: 1000, historyEvents: 400, historyBytes: 20 * 1024 * 1024 },
  };
  env = await createTestEnv('continue_as_new', { policy });
  c = caseClient(env);
  station = (await c.workstations())[0]!;
  await env.principal('officer', station.squadId, 'squadOfficer');
});
afterAll(async () => env?.close());

const handle = (id: string, runId?: string) => env.temporal.workflow.getHandle(caseWorkflowId(id), runId);
const runId = async (id: string) => (await handle(id).describe()).runId;
const triage = () => ({ type: 'triage', decision: 'in_scope', category: 'illegal_construction', workstationId: station.id });

/** The history of one run (the latest without a run id), as the Temporal CLI prints it. */
function runHistory(id: string, run?: string): { events: { eventType: string }[] } {
  const args = ['workflow', 'show', '--address', inject('temporalAddress'), '-w', caseWorkflowId(id), '--output', 'json', ...(run ? ['-r', run] : [])];
  return JSON.parse(execFileSync(inject('temporalCli'), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
}
const count = (h: { events: { eventType: string }[] }, type: string) => h.events.filter((e) => e.eventType === type).length;
/** Upserts of the case's own search attributes (a patch marker upserts Temporal's TemporalChangeVersion too). */
const caseUpserts = (h: { events: { eventType: string }[] }) =>
  h.events.filter((e) => e.eventType === 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES' && JSON.stringify(e).includes(SEARCH_ATTRIBUTES.state.name)).length;

/** With RECORD_HISTORIES=1, keeps a finished run (the one that continued as new) for the replay test. */
function recordRun(id: string, run: string, name: string) {
  const file = path.join(HISTORIES_DIR, `${name}.json`);
  if (process.env.RECORD_HISTORIES !== '1' || existsSync(file)) return;
  mkdirSync(HISTORIES_DIR, { recursive: true });
  writeFileSync(file, JSON.stringify(runHistory(id, run), null, 2));
}

describe('the cost of an action', () => {
  it('When supplements leave the deadline where it was, then the case keeps its one timer; a triage that moves it starts one more', async () => {
    const filed = await c.file();
    for (let i = 0; i < 5; i++) await c.ok(filed.id, env.keys.intake!, { type: 'supplement', text: `补充 ${i + 1}` });
    const quiet = runHistory(filed.id);
    expect(count(quiet, 'EVENT_TYPE_TIMER_STARTED')).toBe(1);
    expect(count(quiet, 'EVENT_TYPE_TIMER_CANCELED')).toBe(0);
    // The state did not change either: the search attributes were set at the start and never upserted.
    expect(caseUpserts(quiet)).toBe(0);

    const dispatched = await c.ok(filed.id, env.keys.desk!, triage());
    expect(dispatched.deadlineAt).not.toBe(filed.deadlineAt);
    const moved = runHistory(filed.id);
    expect(count(moved, 'EVENT_TYPE_TIMER_STARTED')).toBe(2);
    expect(count(moved, 'EVENT_TYPE_TIMER_CANCELED')).toBe(1);
    expect(caseUpserts(moved)).toBe(1);
    await recordHistory(filed.id, 'supplements-keep-the-timer');
  });
});

describe('a long case continues as new', () => {
  it('When a dispatched case takes 40 supplements, then it continues as new on the way, its timeline holds every event in order, and its acceptance deadline still fires', async () => {
    const filed = await c.file();
    const firstRun = await runId(filed.id);
    const dispatched = await c.ok(filed.id, env.keys.desk!, triage());
    let view: Case = dispatched;
    for (let i = 0; i < 40; i++) view = await c.ok(filed.id, env.keys.intake!, { type: 'supplement', text: `第${i + 1}次补充` });
    expect(view).toMatchObject({ state: 'dispatched', supplementCount: 40, version: 42, overdue: false, deadlineAt: dispatched.deadlineAt });

    // Several runs by now: the first ended continued-as-new, and the case is still addressed by its id alone.
    expect(await runId(filed.id)).not.toBe(firstRun);
    expect((await handle(filed.id, firstRun).describe()).status.name).toBe('CONTINUED_AS_NEW');
    const current = await handle(filed.id).describe();
    expect(current.status.name).toBe('RUNNING');
    expect(current.historyLength).toBeLessThan(150);
    expect(current.typedSearchAttributes.get(SEARCH_ATTRIBUTES.state)).toBe('dispatched');
    expect(current.typedSearchAttributes.get(SEARCH_ATTRIBUTES.deadline)?.toISOString()).toBe(dispatched.deadlineAt);

    // The deadline set before the continues fires in a later run.
    const events = await eventually(() => c.events(filed.id), (e) => e.some((x) => x.type === 'deadline_passed'), 75_000, 'the acceptance deadline');
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 43 }, (_, i) => i + 1));
    expect(events.map((e) => e.type)).toEqual(['intake', 'triage', ...Array(40).fill('supplement'), 'deadline_passed']);
    expect(events.slice(2, 42).map((e) => e.payload.text)).toEqual(Array.from({ length: 40 }, (_, i) => `第${i + 1}次补充`));
    const late = await c.get(filed.id);
    expect(late).toMatchObject({ state: 'dispatched', overdue: true, supplementCount: 40, version: 43 });
    expect(Date.parse(late.overdueSince)).toBeGreaterThanOrEqual(Date.parse(dispatched.deadlineAt));
    const overdue = await handle(filed.id).describe();
    expect(overdue.typedSearchAttributes.get(SEARCH_ATTRIBUTES.overdue)).toBe(true);

    // And the case goes on to its answer.
    await c.ok(filed.id, env.keys.squadOfficer!, { type: 'accept' });
    const resolved = await c.ok(filed.id, env.keys.squadOfficer!, { type: 'resolve', result: '已责令停工' });
    expect(resolved).toMatchObject({ state: 'resolved', version: 45 });
    recordRun(filed.id, firstRun, 'continued-as-new-first-run');
    await recordHistory(filed.id, 'continued-as-new-later-run');
  }, 150_000);

  it('When actions are retried with their Idempotency-Key after the case continued as new, then each is answered with the case and applied once', async () => {
    const filed = await c.file();
    const firstRun = await runId(filed.id);
    const key = (name: string) => ({ 'idempotency-key': `${filed.id}-${name}` });
    const supplemented = await c.act(filed.id, env.keys.intake!, { type: 'supplement', text: '第一次补充' }, key('supplement'));
    expect(supplemented.statusCode).toBe(200);
    const triaged = await c.act(filed.id, env.keys.desk!, triage(), key('triage'));
    expect(triaged.statusCode).toBe(200);
    // The same request again, in the same run: Temporal itself answers it once.
    expect((await c.act(filed.id, env.keys.desk!, triage(), key('triage'))).json()).toMatchObject({ state: 'dispatched', version: 3 });

    let view: Case = triaged.json();
    while ((await runId(filed.id)) === firstRun) view = await c.ok(filed.id, env.keys.intake!, { type: 'supplement', text: '补充' });
    const before = { view: await c.get(filed.id), events: await c.events(filed.id) };
    expect(before.view.version).toBe(view.version);

    // In the new run: the triage again would be refused (the case is dispatched) and the supplement applied again — neither is.
    const again = await c.act(filed.id, env.keys.desk!, triage(), key('triage'));
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ state: 'dispatched', version: before.view.version });
    const supplementAgain = await c.act(filed.id, env.keys.intake!, { type: 'supplement', text: '第一次补充' }, key('supplement'));
    expect(supplementAgain.statusCode, supplementAgain.body).toBe(200);
    expect(supplementAgain.json()).toMatchObject({ supplementCount: before.view.supplementCount, version: before.view.version });
    expect(await c.get(filed.id)).toEqual(before.view);
    expect(await c.events(filed.id)).toEqual(before.events);

    // A new key is a new action.
    const fresh = await c.act(filed.id, env.keys.intake!, { type: 'supplement', text: '新的补充' }, key('another'));
    expect(fresh.json()).toMatchObject({ supplementCount: before.view.supplementCount + 1, version: before.view.version + 1 });
  }, 120_000);
});
