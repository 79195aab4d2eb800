// Random action sequences: every action is either applied or refused for a stated reason, and no
// case ever reaches a state the lifecycle does not have. First on the pure state machine (thousands of
// sequences), then through the API on the real workflow (a few dozen).

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, type CaseView, LEVELS, OUTCOMES, STATES } from '../domain/case.js';
import { actionSchema } from '../api/schemas.js';
import { ACTIONS, ACTION_ROLES, ACTION_TYPES, ActionRefused, type ActionType, type CaseAction, type SampleWorld, decide, openCase } from '../workflows/lifecycle.js';
import { type Case, caseClient } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, defaultPolicy, intakeFixture } from './support.js';

const CITY = '310000';
const SQUAD = '310000/310112/310112-abc123';
const OTHER_SQUAD = '310000/310104/310104-def456';

/** A body for each action type, from the action's own sample in the lifecycle table; `ids` gives the case's world. */
function bodyFor(type: ActionType, ids: SampleWorld, pick: number): Record<string, unknown> {
  return { type, ...ACTIONS[type].sample(ids, pick) };
}

const step = fc.record({ type: fc.constantFrom(...ACTION_TYPES), pick: fc.nat(11) });

/** What must hold of every case the lifecycle can produce. */
function assertInvariants(c: CaseView, prev: CaseView | undefined) {
  expect(STATES).toContain(c.state);
  expect(LEVELS).toContain(c.escalationLevel);
  if (c.state === 'closed' || c.state === 'resolved') expect(OUTCOMES).toContain(c.outcome);
  if (c.state === 'closed') expect(c.deadlineAt).toBeUndefined();
  if (['triage', 'joint_triage', 'dispatched', 'investigating', 'escalated'].includes(c.state)) expect(c.deadlineAt).toBeDefined();
  if (c.state === 'investigating') expect(c.assignedOfficerId).toBeDefined();
  if (c.state === 'escalated') expect(c.escalationLevel).not.toBe('squad');
  if (c.media.status === 'published') expect(['approved', 'published']).toContain(prev?.media.status ?? 'published');
  if (prev) expect(c.version).toBe(prev.version + 1);
}

describe('the lifecycle state machine', () => {
  it('When the API reads any action\'s sample body, then it takes it: the samples the properties use are valid requests', () => {
    const ids = { workstationId: 'ws-a', otherWorkstationId: 'ws-b', originalId: 'original' };
    for (const type of ACTION_TYPES) {
      for (let pick = 0; pick < 12; pick++) {
        const parsed = actionSchema.safeParse(bodyFor(type, ids, pick));
        expect(parsed.success, `${type} #${pick}: ${parsed.error?.message}`).toBe(true);
      }
    }
  });

  it('When any sequence of actions is taken, then each is applied or refused, and every state is one the lifecycle has', () => {
    const policy = { ...defaultPolicy(), media: { channels: ['xinmin' as const], reviewChain: ['squad', 'district', 'city'] as ('squad' | 'district' | 'city')[] } };
    const ids = { workstationId: 'ws-a', otherWorkstationId: 'ws-b', originalId: 'original' };
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), fc.boolean(), (steps, xinmin) => {
        let { view: c } = openCase(intakeFixture({ channel: xinmin ? 'xinmin' : 'qr', squadPath: xinmin ? undefined : SQUAD }), policy);
        let t = Date.parse('2026-11-20T02:00:00.000Z');
        for (const s of steps) {
          const body = bodyFor(s.type, ids, s.pick);
          const action = { ...body, squadPath: body.workstationId === 'ws-b' ? OTHER_SQUAD : body.workstationId ? SQUAD : undefined } as CaseAction;
          const actor: Actor = { id: 'actor-1', role: ACTION_ROLES[s.type][0]!, unitPath: CITY };
          t += 60_000;
          try {
            const d = decide(c, action, actor, new Date(t).toISOString(), policy);
            assertInvariants(d.next, c);
            expect(d.event).toMatchObject({ seq: d.next.version, from: c.state, to: d.next.state, type: s.type });
            c = d.next;
          } catch (e) {
            if (!(e instanceof ActionRefused)) throw e;
            expect(['conflict', 'invalid']).toContain(e.kind);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('When the review chain has three levels, then a draft is approved only after squad, district and city', () => {
    const policy = { ...defaultPolicy(), media: { channels: ['xinmin' as const], reviewChain: ['squad', 'district', 'city'] as ('squad' | 'district' | 'city')[] } };
    const { view } = openCase(intakeFixture({ squadPath: SQUAD }), policy);
    const at = '2026-11-20T03:00:00.000Z';
    let c = decide(view, { type: 'triage', decision: 'explain', explanation: 'x' }, { id: 'd', role: 'desk', unitPath: CITY }, at, policy).next;
    c = decide(c, { type: 'media_draft', title: 't', body: 'b' }, { id: 'r', role: 'reporter', unitPath: CITY }, at, policy).next;
    const squadReviewer: Actor = { id: 's', role: 'supervisor', unitPath: SQUAD };
    const districtReviewer: Actor = { id: 'ds', role: 'supervisor', unitPath: '310000/310112' };
    expect(c.media).toMatchObject({ status: 'in_review', reviewLevel: 'squad' });
    c = decide(c, { type: 'media_review', decision: 'approve' }, squadReviewer, at, policy).next;
    expect(c.media).toMatchObject({ status: 'in_review', reviewLevel: 'district' });
    // The squad cannot approve the district's step.
    expect(() => decide(c, { type: 'media_review', decision: 'approve' }, squadReviewer, at, policy)).toThrow(/above your unit/);
    c = decide(c, { type: 'media_review', decision: 'approve' }, districtReviewer, at, policy).next;
    expect(c.media).toMatchObject({ status: 'in_review', reviewLevel: 'city' });
    c = decide(c, { type: 'media_review', decision: 'approve' }, { id: 'cs', role: 'supervisor', unitPath: CITY }, at, policy).next;
    expect(c.media.status).toBe('approved');
  });
});

describe('random action sequences through the API', () => {
  let env: TestEnv;
  let c: ReturnType<typeof caseClient>;
  let ids: { workstationId: string; otherWorkstationId: string; originalId: string };

  beforeAll(async () => {
    env = await createTestEnv('property');
    c = caseClient(env);
    const stations = await c.workstations();
    const original = await c.file();
    ids = { workstationId: stations[0]!.id, otherWorkstationId: stations[50]!.id, originalId: original.id };
  });
  afterAll(async () => env?.close());

  it('When random actions reach a real case, then every answer is 200 or 409 and the read model agrees with the last answer', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 14 }), async (steps) => {
        const filed = await c.file();
        let last: Case = filed;
        for (const s of steps) {
          const role = ACTION_ROLES[s.type].find((r) => r !== 'citizen')!;
          const res = await c.act(filed.id, env.keys[role]!, bodyFor(s.type, ids, s.pick));
          expect([200, 409], `${s.type} in ${last.state}: ${res.body}`).toContain(res.statusCode);
          if (res.statusCode === 409) {
            expect(res.json().state).toBe(last.state);
            expect(res.json().allowed).not.toContain(s.type);
          } else {
            last = res.json();
            expect(STATES).toContain(last.state);
          }
        }
        const stored = await c.get(filed.id);
        expect(stored).toMatchObject({ state: last.state, version: last.version });
        expect((await c.events(filed.id)).length).toBe(last.version);
      }),
      { numRuns: 12 },
    );
  });
});
