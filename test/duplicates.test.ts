// Duplicate hints and duplicates answered through their original. At triage the desk is proposed the open
// cases of the same category at the same place — within 250 m by coordinates, or at the same address once
// normalised — and not a far one, one of another category or a closed one (GET /v1/cases/:id/duplicates).
// mark_duplicate links both ways: the original lists its duplicates; when the original's citizen is
// answered, each duplicate's citizen gets the answer (without the original citizen's name) and rates it by
// the duplicate's own tracking code. A duplicate marked after the answer gets it at once.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorkflowId } from '../workflows/messages.js';
import { type Case, caseClient, recordHistory } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, eventually } from './support.js';

interface Workstation { id: string; squadId: string; district: string; street: string }

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
let qibao: Workstation;

/** Metres north of a point, in degrees of latitude (a degree is 111,195 m). */
const north = (lat: number, metres: number) => lat + metres / 111_195;
const HERE = { lat: 31.162, lng: 121.353 };
const WASTE = { channel: 'qr', category: 'construction_waste' };
const waste = (title: string, location: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  c.file({ ...WASTE, title, description: `${title}，堆了好几天，影响通行。`, workstationId: qibao.id, location: { district: '闵行区', street: '七宝镇', ...location }, ...extra });

const cases: Record<string, Case> = {};

beforeAll(async () => {
  env = await createTestEnv('duplicates');
  c = caseClient(env);
  const stations = (await env.request('GET', `/v1/workstations?district=${encodeURIComponent('闵行区')}`)).json().workstations as Workstation[];
  qibao = stations.find((w) => w.street === '七宝镇')!;
  // Filed in this order: the hints of a case are the cases filed before it.
  cases.original = await waste('漕宝路88号门口堆放建筑垃圾', { address: '上海市闵行区七宝镇漕宝路88号', ...HERE }, { citizen: { name: '王小明', phone: '13812345678' } });
  cases.otherCategory = await c.file({ channel: 'qr', category: 'street_vending', title: '漕宝路88号门口摊贩占道', description: '摊贩占道经营', workstationId: qibao.id, location: { address: '上海市闵行区七宝镇漕宝路88号', district: '闵行区', street: '七宝镇', ...HERE } });
  cases.far = await waste('漕宝路1200号堆放建筑垃圾', { address: '闵行区漕宝路1200号', lat: north(HERE.lat, 2_000), lng: HERE.lng });
  cases.closed = await waste('漕宝路88号门口又有建筑垃圾', { address: '闵行区漕宝路88号', ...HERE });
  await c.ok(cases.closed.id, env.keys.intake!, { type: 'withdraw', reason: '已清理' });
  cases.near = await waste('漕宝路100号门口堆放建筑垃圾', { address: '闵行区七宝镇漕宝路100号', lat: north(HERE.lat, 170), lng: HERE.lng });
  cases.sameAddress = await waste('漕宝路八十八号门前建筑垃圾', { address: '漕宝路８８號（近虹梅路）' });
  cases.duplicate = await waste('漕宝路90号附近建筑垃圾没人清理', { address: '七宝镇漕宝路90号', lat: north(HERE.lat, 60), lng: HERE.lng }, { citizen: { name: '李大妈', phone: '13900001111' } });
}, 60_000);

afterAll(async () => env?.close());

interface Hint { distanceM?: number; sameAddress: boolean; case: Case }
const hintsOf = async (id: string, key = env.keys.desk!): Promise<Hint[]> => {
  const res = await env.request('GET', `/v1/cases/${id}/duplicates`, { key });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().radiusM).toBe(250);
  return res.json().duplicates;
};

describe('GET /v1/cases/:id/duplicates', () => {
  it('When an open case of the same category lies within 250 m, then it is proposed with its distance, nearest first; a far one, another category and a closed one are not', async () => {
    const hints = await hintsOf(cases.duplicate!.id);
    expect(hints.map((h) => h.case.id)).toEqual([cases.original!.id, cases.near!.id]);
    expect(hints[0]).toMatchObject({ sameAddress: false, case: { title: cases.original!.title, state: 'triage', createdAt: cases.original!.createdAt } });
    expect(hints[0]!.distanceM).toBeGreaterThanOrEqual(59);
    expect(hints[0]!.distanceM).toBeLessThanOrEqual(61);
    expect(hints[1]!.distanceM).toBeGreaterThanOrEqual(109);
    expect(hints[1]!.distanceM).toBeLessThanOrEqual(111);
    const ids = hints.map((h) => h.case.id);
    for (const name of ['far', 'otherCategory', 'closed', 'sameAddress', 'duplicate'] as const) expect(ids, name).not.toContain(cases[name]!.id);
  });

  it('When a case without coordinates has the same address written another way, then the case there is proposed as the same address; the closed one and another category at it are not', async () => {
    const hints = await hintsOf(cases.sameAddress!.id);
    expect(hints.map((h) => h.case.id)).toEqual([cases.original!.id]);
    expect(hints[0]!.sameAddress).toBe(true);
    expect(hints[0]!.distanceM).toBeUndefined();
  });

  it('When the first complaint at a place is looked at, then nothing is proposed: only cases filed before it are', async () => {
    expect(await hintsOf(cases.original!.id)).toEqual([]);
  });

  it('When the case does not exist or the query has a field, then 404 and 400', async () => {
    expect((await env.request('GET', '/v1/cases/no-such-case/duplicates', { key: env.keys.desk })).statusCode).toBe(404);
    const extra = await env.request('GET', `/v1/cases/${cases.duplicate!.id}/duplicates?radius=5000`, { key: env.keys.desk });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().issues.map((i: { path: string }) => i.path)).toEqual(['querystring.radius']);
  });
});

describe('a duplicate answered through its original', () => {
  const ANSWER = '王小明先生您好，您反映的漕宝路88号门口建筑垃圾已由七宝镇中队责令清运完毕。';

  it('When the desk marks the case a duplicate of the one proposed, then both know: the duplicate closes linked to it, and the original lists it', async () => {
    const marked = await c.ok(cases.duplicate!.id, env.keys.desk!, { type: 'mark_duplicate', originalId: cases.original!.id });
    expect(marked).toMatchObject({ state: 'closed', outcome: 'duplicate', duplicateOf: cases.original!.id, answered: false });
    const original = await eventually(() => c.get(cases.original!.id), (o) => (o.duplicates ?? []).includes(cases.duplicate!.id), 15_000, 'the original to list its duplicate');
    expect(original).toMatchObject({ state: 'triage', duplicates: [cases.duplicate!.id] });
    expect((await c.events(cases.original!.id)).map((e) => e.type)).toContain('duplicate_linked');
    // The duplicate waits for the answer: its citizen cannot rate yet.
    const tracked = (await env.request('GET', `/v1/track/${cases.duplicate!.trackingCode}`, { key: null })).json();
    expect(tracked).toMatchObject({ state: 'closed', outcome: 'duplicate', canRate: false });
    expect(tracked.answer).toBeUndefined();
  });

  it("When the original is resolved and its citizen answered, then the duplicate's citizen gets the answer, without the other citizen's name, and rates it by its own tracking code", async () => {
    const id = cases.original!.id;
    await c.ok(id, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'construction_waste', workstationId: qibao.id });
    await c.ok(id, env.keys.officer!, { type: 'accept' });
    await c.ok(id, env.keys.officer!, { type: 'resolve', result: '责令施工方清运建筑垃圾，已清运完毕' });
    const answered = await c.ok(id, env.keys.desk!, { type: 'feedback', message: ANSWER });
    expect(answered).toMatchObject({ state: 'closed', answered: true, feedback: ANSWER });

    const code = cases.duplicate!.trackingCode;
    const tracked = await eventually(
      async () => (await env.request('GET', `/v1/track/${code}`, { key: null })).json(),
      (t) => t.answer !== undefined,
      15_000,
      "the duplicate's answer",
    );
    expect(tracked).toMatchObject({ state: 'closed', outcome: 'duplicate', canRate: true });
    expect(tracked.answer).toBe(ANSWER.replace('王小明', '***'));
    const duplicate = await c.get(cases.duplicate!.id);
    expect(duplicate).toMatchObject({ answered: true, feedback: ANSWER.replace('王小明', '***'), answeredAt: expect.any(String) });
    expect((await c.events(cases.duplicate!.id)).map((e) => e.type)).toContain('original_answered');
    // The duplicate's own citizen is told it, at the duplicate's own tracking code.
    const told = await env.database.sql<{ body: { message: string; outcome: string } }[]>`
      select body from notifications where case_id = ${cases.duplicate!.id} and recipient = 'citizen' and kind = 'case_answered' and "to" = ${code}`;
    expect(told.map((n) => n.body)).toEqual([expect.objectContaining({ outcome: 'duplicate', message: ANSWER.replace('王小明', '***') })]);

    const rated = await env.request('POST', `/v1/track/${code}/rating`, { key: null, body: { rating: 'satisfied' } });
    expect(rated.statusCode, rated.body).toBe(200);
    expect(rated.json()).toMatchObject({ trackingCode: code, rating: 'satisfied' });
    expect((await c.get(cases.duplicate!.id)).rating).toMatchObject({ rating: 'satisfied' });
    // Its own rating, not the original's.
    expect((await c.get(id)).rating).toBeUndefined();
    const again = await env.request('POST', `/v1/track/${code}/rating`, { key: null, body: { rating: 'unsatisfied' } });
    expect(again.statusCode).toBe(409);

    // Rated, the duplicate has nothing left to wait for: its workflow ends.
    await env.temporal.workflow.getHandle(caseWorkflowId(cases.duplicate!.id)).result();
    await recordHistory(cases.duplicate!.id, 'duplicate-answered-through-original');
    await recordHistory(id, 'original-answers-its-duplicate');
  });

  it('When a case is marked a duplicate of an original answered already, then its citizen has the answer at once and may rate it', async () => {
    const late = await waste('漕宝路88号建筑垃圾', { address: '闵行区漕宝路88号' }, { citizen: { name: '赵先生', phone: '13600002222' } });
    const marked = await c.ok(late.id, env.keys.desk!, { type: 'mark_duplicate', originalId: cases.original!.id });
    expect(marked).toMatchObject({ state: 'closed', outcome: 'duplicate', answered: true, feedback: ANSWER.replace('王小明', '***'), allowedActions: expect.arrayContaining(['rate']) });
    const tracked = (await env.request('GET', `/v1/track/${late.trackingCode}`, { key: null })).json();
    expect(tracked).toMatchObject({ answer: ANSWER.replace('王小明', '***'), canRate: true });
    await eventually(() => c.get(cases.original!.id), (o) => o.duplicates?.includes(late.id), 15_000, 'the original to list its second duplicate');
  });
});
