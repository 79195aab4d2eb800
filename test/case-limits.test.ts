// A case survives a flood of actions (issue 9): past its caps it refuses supplements, evidence, and at last
// every action, with a 409 that names the cap, long before Temporal's history limits would terminate it.
// The caps here are small (the policy's `limits`); the growth of a live history is measured against what
// the defaults assume (domain/policy.ts, DEFAULT_CASE_LIMITS).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CASE_LIMITS, type Policy, caseLimits } from '../domain/policy.js';
import { limitReached } from '../workflows/limits.js';
import { openCase } from '../workflows/lifecycle.js';
import { caseWorkflowId } from '../workflows/messages.js';
import { type Case, caseClient } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, defaultPolicy, intakeFixture } from './support.js';

const KB = 1024;
const limits = { supplements: 5, evidence: 3, actions: 20, historyEvents: 40_000, historyBytes: 400 * KB };

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
let k: Record<string, string>;
let station: Case;

beforeAll(async () => {
  env = await createTestEnv('case_limits', { policy: { ...defaultPolicy(), limits } });
  c = caseClient(env);
  station = (await c.workstations())[0]!;
  await env.principal('officer', station.squadId, 'squadOfficer');
  k = env.keys;
});
afterAll(async () => env?.close());

/** The case's workflow history as Temporal counts it for its limits. */
async function history(id: string): Promise<{ events: number; bytes: number }> {
  const d = await env.temporal.workflow.getHandle(caseWorkflowId(id)).describe();
  return { events: d.historyLength, bytes: d.historySize ?? 0 };
}

const triage = (id: string) => c.ok(id, k.desk!, { type: 'triage', decision: 'in_scope', category: 'illegal_construction', workstationId: station.id });
const supplement = (text = '补充：今晚又在施工') => ({ type: 'supplement', text });

describe('per-case limits, through the API', () => {
  it('When a case has taken its 5 supplements, then the 6th answers 409 naming the cap and changes nothing, and the case goes on to its resolution', async () => {
    const filed = await c.file();
    for (let i = 0; i < 5; i++) await c.ok(filed.id, k.intake!, supplement());
    const before = { view: await c.get(filed.id), events: await c.events(filed.id), history: await history(filed.id) };
    expect(before.view.supplementCount).toBe(5);

    const refused = await c.act(filed.id, k.intake!, supplement());
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ state: 'triage', limit: { name: 'supplements', max: 5, count: 5 } });
    expect(refused.json().error).toBe(
      `case ${filed.id} has 5 supplements, the most one case takes: further material goes in a new complaint that refers to case ${filed.id} (one supplement carries up to 50 attachments)`,
    );
    expect(refused.json().allowed).toContain('triage');
    expect(refused.json().allowed).not.toContain('supplement');
    // Nothing of it is kept: not in the case, not in its timeline, not in the workflow's history.
    expect(await c.get(filed.id)).toEqual(before.view);
    expect(await c.events(filed.id)).toEqual(before.events);
    expect(await history(filed.id)).toEqual(before.history);

    await triage(filed.id);
    await c.ok(filed.id, k.squadOfficer!, { type: 'accept' });
    for (let i = 0; i < 3; i++) await c.ok(filed.id, k.squadOfficer!, { type: 'record_evidence', note: `现场照片 ${i + 1}` });
    const fourth = await c.act(filed.id, k.squadOfficer!, { type: 'record_evidence', note: '现场照片 4' });
    expect(fourth.statusCode).toBe(409);
    expect(fourth.json()).toMatchObject({ state: 'investigating', limit: { name: 'evidence', max: 3, count: 3 } });
    expect(fourth.json().error).toMatch(/has 3 evidence records, the most one case takes: attach further evidence to the resolution/);
    expect(fourth.json().allowed).toEqual(expect.arrayContaining(['resolve', 'escalate']));
    expect(fourth.json().allowed).not.toContain('record_evidence');

    const resolved = await c.ok(filed.id, k.squadOfficer!, { type: 'resolve', result: '已责令停工', attachments: [{ url: 'https://files.example/p4.jpg' }] });
    expect(resolved).toMatchObject({ state: 'resolved', supplementCount: 5, evidenceCount: 3 });
    expect((await c.ok(filed.id, k.squadOfficer!, { type: 'feedback', message: '已责令停工' })).answered).toBe(true);
    expect((await c.events(filed.id)).map((e) => e.type)).toEqual([
      'intake',
      ...Array(5).fill('supplement'),
      'triage',
      'accept',
      ...Array(3).fill('record_evidence'),
      'resolve',
      'feedback',
    ]);
  });

  it('When a case has 20 events in its timeline, then every action past them is refused with the overall cap, and a state that does not allow the action still says so first', async () => {
    const filed = await c.file();
    await triage(filed.id);
    await c.ok(filed.id, k.squadOfficer!, { type: 'accept' });
    let view: Case = await c.get(filed.id);
    while (view.version < 20) view = await c.ok(filed.id, k.supervisor!, { type: 'reassign', officerId: env.principalIds.squadOfficer, reason: '换人' });
    expect(view).toMatchObject({ version: 20, state: 'investigating' });

    for (const [key, body] of [
      [k.supervisor!, { type: 'reassign', officerId: env.principalIds.squadOfficer }],
      [k.squadOfficer!, { type: 'resolve', result: '已处理' }],
      [k.intake!, supplement()],
    ] as const) {
      const refused = await c.act(filed.id, key, body);
      expect(refused.statusCode, body.type).toBe(409);
      expect(refused.json()).toMatchObject({ state: 'investigating', allowed: ['erase_personal_data'], limit: { name: 'actions', max: 20, count: 20 } });
      expect(refused.json().error).toBe(
        `case ${filed.id} has 20 events in its timeline, the most one case keeps, so it takes no more actions: what remains to be done goes in a new case that refers to it`,
      );
    }
    const notNow = await c.act(filed.id, k.squadOfficer!, { type: 'accept' });
    expect(notNow.statusCode).toBe(409);
    expect(notNow.json()).toEqual({ error: 'only a dispatched case can be accepted', state: 'investigating', allowed: ['erase_personal_data'] });
    expect((await c.get(filed.id)).version).toBe(20);
    // Erasing the citizen's personal data is their right: no cap stops it.
    const erased = await c.ok(filed.id, k.supervisor!, { type: 'erase_personal_data', reason: '市民申请删除个人信息' });
    expect(erased).toMatchObject({ version: 21, state: 'investigating' });
    expect(erased.citizen).toBeUndefined();
  });

  it('When large actions fill the history, then supplements stop at half the byte guard and the lifecycle goes on until the whole of it', async () => {
    // Every answer is the whole case, so a 10,000-character description costs some 30 KB on every action.
    const filed = await c.file({ description: '述'.repeat(10_000) });
    let refused;
    for (let i = 0; i < limits.supplements && !refused; i++) {
      const res = await c.act(filed.id, k.intake!, supplement('补'.repeat(10_000)));
      if (res.statusCode !== 200) refused = res;
    }
    expect(refused?.statusCode).toBe(409);
    expect(refused!.json()).toMatchObject({ state: 'triage', limit: { name: 'historyBytes', max: 200 * KB } });
    expect(refused!.json().limit.count).toBeGreaterThanOrEqual(200 * KB);
    expect(refused!.json().error).toMatch(/MB of workflow history, half of what one case may use, so it takes no more supplements and keeps the rest for its handling/);
    expect((await c.get(filed.id)).supplementCount).toBeLessThan(limits.supplements);

    await triage(filed.id);
    await c.ok(filed.id, k.squadOfficer!, { type: 'accept' });
    let stopped;
    for (let i = 0; i < 20 && !stopped; i++) {
      const res = await c.act(filed.id, k.supervisor!, { type: 'reassign', officerId: env.principalIds.squadOfficer });
      if (res.statusCode !== 200) stopped = res;
    }
    expect(stopped?.statusCode).toBe(409);
    expect(stopped!.json()).toMatchObject({ allowed: ['erase_personal_data'], limit: { name: 'historyBytes', max: 400 * KB } });
    expect(stopped!.json().error).toMatch(/MB of workflow history, the most one case may use \(0\.4 MB\), so it takes no more actions/);
    // Past the guard by one action at most.
    expect((await history(filed.id)).bytes).toBeLessThan(400 * KB + 64 * KB);
  });

  it('When a case takes supplements, then its history grows by what the default caps assume: at most 10 events, 3 KB for a short one and 33 KB for 10,000 characters', async () => {
    const growth = async (id: string, n: number, body: Record<string, unknown>) => {
      const before = await history(id);
      for (let i = 0; i < n; i++) await c.ok(id, k.intake!, body);
      const after = await history(id);
      return { events: (after.events - before.events) / n, bytes: (after.bytes - before.bytes) / n };
    };
    const short = await growth((await c.file()).id, 5, supplement());
    const long = await growth((await c.file()).id, 4, supplement('补'.repeat(10_000)));
    expect(short.events).toBeLessThanOrEqual(10);
    expect(long.events).toBeLessThanOrEqual(10);
    expect(short.bytes).toBeLessThan(3 * KB);
    expect(long.bytes).toBeGreaterThan(30 * KB);
    expect(long.bytes).toBeLessThan(33 * KB);
    // The defaults' worst case, every action at 10,000 characters, stays a third of Temporal's 50 MB and a tenth of its 51,200 events.
    expect(DEFAULT_CASE_LIMITS.actions * long.bytes).toBeLessThan(50 * KB * KB / 3);
    expect(DEFAULT_CASE_LIMITS.actions * long.events).toBeLessThan(51_200 / 10);
  });
});

describe('per-case limits, as the validator reckons them', () => {
  const policy: Policy = defaultPolicy();
  const { view } = openCase(intakeFixture(), policy);
  const used = (historyLength: number, historySize = 0) => ({ historyLength, historySize });

  it('When a case was filed before the caps (no limits in its input), then it gets the defaults, and the policy file says the same', () => {
    expect(caseLimits({ ...policy, limits: undefined })).toEqual(DEFAULT_CASE_LIMITS);
    expect(policy.limits).toEqual(DEFAULT_CASE_LIMITS);
  });

  it('When the history passes half its guards, then supplements and evidence are refused and the lifecycle goes on until the whole guard', () => {
    const limits = DEFAULT_CASE_LIMITS;
    expect(limitReached(view, 'supplement', limits, used(19_999))).toBeUndefined();
    expect(limitReached(view, 'supplement', limits, used(20_000))).toEqual({ name: 'historyEvents', max: 20_000, count: 20_000 });
    expect(limitReached(view, 'record_evidence', limits, used(100, 10 * KB * KB))).toEqual({ name: 'historyBytes', max: 10 * KB * KB, count: 10 * KB * KB });
    expect(limitReached(view, 'triage', limits, used(39_999, 20 * KB * KB - 1))).toBeUndefined();
    expect(limitReached(view, 'triage', limits, used(40_000))).toEqual({ name: 'historyEvents', max: 40_000, count: 40_000 });
    expect(limitReached(view, 'withdraw', limits, used(100, 20 * KB * KB))).toMatchObject({ name: 'historyBytes', max: 20 * KB * KB });
  });
});
