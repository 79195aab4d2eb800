// Suggestions (人民建议征集) through the API, against the real Temporal and PostgreSQL: filed, acknowledged and
// answered, each answer read back at once; listed apart from complaints, most urgent first; deadlines in
// seconds going overdue and telling the unit; an unanswered one lapsing and its workflow ending; refused
// actions answered 409 with the state; bad bodies 400 naming the field; the citizen's view without personal
// data; a desk of another unit refused as for cases. Each path's history is what RECORD_HISTORIES=1 saves
// for the replay test.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuggestionDeadlines } from '../domain/policy.js';
import { unitIdOf } from '../domain/units.js';
import { suggestionWorkflowId } from '../workflows/suggestion-messages.js';
import { recordWorkflowHistory } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, eventually, sampleIntake } from './support.js';

type Json = Record<string, any>;

const NAME = '李建国';
const PHONE = '13987654321';
const IDEA = {
  channel: 'qr',
  title: '建议在漕宝路菜场门口增设非机动车停放点',
  text: `菜场门口电动车乱停，建议划定停放区域。联系电话 ${PHONE}`,
  location: { address: '闵行区七宝镇漕宝路1号', district: '闵行区', street: '七宝镇' },
  citizen: { name: NAME, phone: PHONE },
};

let env: TestEnv;
/** S1: a squad with a workstation W1; D1: its district; S2: a squad of another district. */
let units: { S1: string; D1: string; S2: string };
let W1: string;
const keys: Record<string, string> = {};

beforeAll(async () => {
  env = await createTestEnv('suggestions');
  // Deadlines in hours by default: the paths that are not about deadlines never meet one.
  setDeadlines({ acknowledge: '1h', answer: '1h', lapse: '2h' });
  const stations = (await env.request('GET', '/v1/workstations')).json().workstations as { id: string; squadId: string }[];
  const all = (await env.request('GET', '/v1/units')).json().units as { id: string; parentId: string | null }[];
  const districtOf = (squad: string) => all.find((u) => u.id === squad)!.parentId!;
  const w1 = stations[0]!;
  const w2 = stations.find((w) => districtOf(w.squadId) !== districtOf(w1.squadId))!;
  units = { S1: w1.squadId, D1: districtOf(w1.squadId), S2: w2.squadId };
  W1 = w1.id;
  for (const [label, role, unit] of [
    ['desk@S1', 'desk', units.S1],
    ['desk@S2', 'desk', units.S2],
    ['supervisor@S1', 'supervisor', units.S1],
    ['supervisor@D1', 'supervisor', units.D1],
    ['officer@S1', 'officer', units.S1],
  ] as const) {
    keys[label] = (await env.principal(role, unit, label)).key;
  }
}, 60_000);
afterAll(async () => env?.close());

/**
 * The deadlines the next suggestions are filed under. The API reads the policy it was built with at each
 * filing, and a suggestion keeps the one it was filed under: so one env serves every path.
 */
function setDeadlines(d: SuggestionDeadlines) {
  env.policy.suggestion = d;
}

const file = async (overrides: Json = {}, key = env.keys.intake): Promise<Json> => {
  const res = await env.request('POST', '/v1/suggestions', { key, body: { ...IDEA, workstationId: W1, externalId: `idea-${Math.random()}`, ...overrides } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
};
const act = (id: string, key: string | undefined, body: Json) => env.request('POST', `/v1/suggestions/${id}/actions`, { key, body });
const get = async (id: string, key = keys['desk@S1']): Promise<Json> => {
  const res = await env.request('GET', `/v1/suggestions/${id}`, { key });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const list = async (query: string, key = keys['desk@S1']): Promise<Json[]> => {
  const res = await env.request('GET', `/v1/suggestions?${query}`, { key });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().suggestions;
};
const messages = (id: string) =>
  env.database.sql<{ recipient: string; to: string; kind: string; body: Json }[]>`select recipient, "to", kind, body from notifications where case_id = ${id} order by id`;
const workflowStatus = async (id: string) => (await env.temporal.workflow.getHandle(suggestionWorkflowId(id)).describe()).status.name;

describe('a suggestion from filing to its answer', () => {
  it('When the QR page files a suggestion and the squad\'s desk acknowledges and answers it, then each answer is what a read finds next, the citizen is told both, and it ends', async () => {
    const externalId = 'qr-idea-0001';
    const filed = await file({ externalId });
    expect(filed).toMatchObject({ state: 'received', stage: 'acknowledge', unitId: units.S1, overdue: false, allowedActions: ['acknowledge'], channel: 'qr', citizen: IDEA.citizen });
    expect(filed.trackingCode).toMatch(/^BS[0-9A-Z]{10}$/);
    expect(Date.parse(filed.deadlineAt) - Date.parse(filed.createdAt)).toBe(3_600_000);
    // Filed again by the channel: the same suggestion, nothing new started.
    const again = await env.request('POST', '/v1/suggestions', { body: { ...IDEA, workstationId: W1, externalId } });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ id: filed.id, trackingCode: filed.trackingCode });

    // Apart from complaints: in the suggestions' list, not in the cases'.
    expect((await list(`unit=${units.S1}`)).map((s) => s.id)).toContain(filed.id);
    const cases = (await env.request('GET', '/v1/cases?limit=200', { key: keys['desk@S1'] })).json().cases as Json[];
    expect(cases.map((x) => x.id)).not.toContain(filed.id);
    expect((await env.request('GET', `/v1/cases/${filed.id}`, { key: keys['desk@S1'] })).statusCode).toBe(404);

    // It is acknowledged before it is answered.
    const early = await act(filed.id, keys['desk@S1'], { type: 'answer', answer: '已采纳' });
    expect(early.statusCode, early.body).toBe(409);
    expect(early.json()).toMatchObject({ state: 'received', allowed: ['acknowledge'] });

    const acknowledged = await act(filed.id, keys['desk@S1'], { type: 'acknowledge', note: '您的建议已转七宝镇中队研究' });
    expect(acknowledged.statusCode, acknowledged.body).toBe(200);
    expect(acknowledged.json()).toMatchObject({ state: 'acknowledged', stage: 'answer', allowedActions: ['answer'], acknowledgement: '您的建议已转七宝镇中队研究' });
    // Read-your-writes: the next read, by anyone who may, finds the step.
    expect(await get(filed.id, keys['supervisor@S1'])).toMatchObject({ state: 'acknowledged', version: 2, acknowledgedBy: { role: 'desk' } });
    const [row] = await env.database.sql`select state, version from suggestions where id = ${filed.id}`;
    expect(row).toEqual({ state: 'acknowledged', version: 2 });

    const twice = await act(filed.id, keys['desk@S1'], { type: 'acknowledge' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ state: 'acknowledged', allowed: ['answer'] });

    const answer = '感谢您的建议。七宝镇中队已会同居委会在菜场东侧划定非机动车停放区，本周内启用。';
    const answered = await act(filed.id, keys['supervisor@S1'], { type: 'answer', answer });
    expect(answered.statusCode, answered.body).toBe(200);
    expect(answered.json()).toMatchObject({ state: 'answered', answer, allowedActions: [], overdue: false });
    expect(answered.json().deadlineAt).toBeUndefined();
    expect((await get(filed.id)).timeline.map((e: Json) => `${e.type}:${e.to}`)).toEqual(['filed:received', 'acknowledge:acknowledged', 'answer:answered']);

    // The citizen was told the acknowledgement and the answer, by the tracking code.
    const told = (await messages(filed.id)).filter((m) => m.recipient === 'citizen');
    expect(told.map((m) => [m.to, m.kind])).toEqual([
      [filed.trackingCode, 'suggestion_acknowledged'],
      [filed.trackingCode, 'suggestion_answered'],
    ]);
    expect(told[1]!.body).toMatchObject({ suggestionId: filed.id, answer });

    // Answered, it ends: nothing waits for it any more, and it takes nothing more.
    await eventually(() => workflowStatus(filed.id), (s) => s === 'COMPLETED', 15_000, 'the suggestion workflow to end');
    const after = await act(filed.id, keys['desk@S1'], { type: 'answer', answer: '再答一次' });
    expect(after.statusCode).toBe(409);
    expect(after.json()).toMatchObject({ state: 'answered', allowed: [] });
    await recordWorkflowHistory(suggestionWorkflowId(filed.id), 'suggestion-answered');
  });

  it('When the citizen follows it by its tracking code, then they see where it stands and the answer, and nothing personal', async () => {
    const filed = await file();
    const path = `/v1/public/suggestions/${filed.trackingCode}`;
    const received = await env.request('GET', path, { key: null });
    expect(received.statusCode, received.body).toBe(200);
    expect(received.json()).toEqual({ trackingCode: filed.trackingCode, kind: 'suggestion', state: 'received', title: IDEA.title, createdAt: filed.createdAt, deadlineAt: filed.deadlineAt, overdue: false });

    await act(filed.id, keys['desk@S1'], { type: 'acknowledge' });
    await act(filed.id, keys['desk@S1'], { type: 'answer', answer: `已采纳。如有疑问请致电 ${PHONE} 联系的市民本人核实。` });
    const answered = (await env.request('GET', path, { key: null })).json();
    expect(Object.keys(answered).sort()).toEqual(['acknowledgedAt', 'answer', 'answeredAt', 'createdAt', 'kind', 'overdue', 'state', 'title', 'trackingCode']);
    expect(answered).toMatchObject({ state: 'answered', overdue: false });
    expect(answered.answer).toContain('已采纳');
    // No name, phone or text of the citizen: the phone written into the answer is masked too.
    const body = JSON.stringify(answered);
    for (const trace of [NAME, PHONE, '菜场门口电动车乱停', IDEA.location.address]) expect(body).not.toContain(trace);
    expect(body).toContain('139****4321');

    const unknown = await env.request('GET', '/v1/public/suggestions/BS0000000000', { key: null });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatch(/no suggestion with tracking code/);
    // A complaint's code is not a suggestion's.
    const complaint = (await env.request('POST', '/v1/cases', { body: sampleIntake() })).json();
    expect((await env.request('GET', `/v1/public/suggestions/${complaint.trackingCode}`, { key: null })).statusCode).toBe(404);
  });
});

describe('deadlines in seconds', () => {
  it('When its steps run late, then it shows overdue at once, its unit\'s desk and supervisors are told, and the overdue ones list first', async () => {
    setDeadlines({ acknowledge: '2s', answer: '2s', lapse: '1h' });
    const late = await file({ title: '建议增加社区健身器材' });
    setDeadlines({ acknowledge: '1h', answer: '1h', lapse: '2h' });
    const calm = await file({ title: '建议延长图书馆开放时间' });
    const done = await file({ title: '建议在公园增设垃圾分类指引' });
    await act(done.id, keys['desk@S1'], { type: 'acknowledge' });
    await act(done.id, keys['desk@S1'], { type: 'answer', answer: '已采纳' });

    // With no worker running its own timer cannot act, yet it shows overdue from its deadline on: the API
    // reads the deadline against the clock.
    await env.worker.stop();
    await new Promise((r) => setTimeout(r, Math.max(Date.parse(late.deadlineAt) - Date.now(), 0) + 100));
    expect(await get(late.id)).toMatchObject({ state: 'received', overdue: true, overdueSince: late.deadlineAt, timeline: [{ type: 'filed' }] });
    const order = (await list(`unit=${units.S1}&limit=200`)).map((s) => s.id).filter((id) => [late.id, calm.id, done.id].includes(id));
    expect(order).toEqual([late.id, calm.id, done.id]);
    expect((await list(`overdue=true&unit=${units.D1}`, keys['supervisor@D1'])).map((s) => s.id)).toContain(late.id);
    expect((await list('overdue=false', keys['desk@S1'])).map((s) => s.id)).not.toContain(late.id);

    // A worker again: its own timer marks it and tells the squad, the desk that acknowledges and the
    // supervisors who watch.
    await env.startWorker();
    await eventually(() => get(late.id), (s) => s.timeline.some((e: Json) => e.type === 'deadline_passed'), 15_000, 'the overdue mark');
    const told = (await messages(late.id)).filter((m) => m.kind === 'suggestion_overdue');
    expect(told.map((m) => `${m.recipient}@${unitIdOf(m.to)}`)).toEqual([`desk@${units.S1}`, `supervisor@${units.S1}`]);
    expect(told[0]!.body).toMatchObject({ stage: 'acknowledge', deadlineAt: late.deadlineAt });

    // Acknowledged late: the answer's clock starts, and it runs out too.
    const acknowledged = (await act(late.id, keys['desk@S1'], { type: 'acknowledge' })).json();
    expect(acknowledged).toMatchObject({ state: 'acknowledged', overdue: false, stage: 'answer' });
    expect(acknowledged.overdueSince).toBeUndefined();
    await eventually(() => messages(late.id), (m) => m.filter((x) => x.kind === 'suggestion_overdue').length === 4, 15_000, 'the answer overdue');
    const answerLate = (await messages(late.id)).filter((m) => m.kind === 'suggestion_overdue').slice(2);
    expect(answerLate.map((m) => m.body.stage)).toEqual(['answer', 'answer']);
    expect(await get(late.id)).toMatchObject({ state: 'acknowledged', overdue: true });

    const answered = (await act(late.id, keys['supervisor@S1'], { type: 'answer', answer: '已在社区广场增设健身器材' })).json();
    expect(answered).toMatchObject({ state: 'answered', overdue: false });
    expect((await get(late.id)).timeline.map((e: Json) => e.type)).toEqual(['filed', 'deadline_passed', 'acknowledge', 'deadline_passed', 'answer']);
    await eventually(() => workflowStatus(late.id), (s) => s === 'COMPLETED', 15_000, 'the suggestion workflow to end');
    await recordWorkflowHistory(suggestionWorkflowId(late.id), 'suggestion-overdue-answered');
  });

  it('When a suggestion is never answered, then it lapses after its cap, its workflow ends and it takes no more actions', async () => {
    setDeadlines({ acknowledge: '1s', answer: '1h', lapse: '3s' });
    const forgotten = await file({ title: '建议在小区门口增设快递柜' });
    setDeadlines({ acknowledge: '1h', answer: '1h', lapse: '2h' });
    await eventually(() => workflowStatus(forgotten.id), (s) => s === 'COMPLETED', 20_000, 'the lapse to end the workflow');
    const lapsed = await get(forgotten.id);
    expect(lapsed).toMatchObject({ state: 'received', overdue: true, allowedActions: [] });
    expect(lapsed.lapsedAt).toBeDefined();
    expect(lapsed.deadlineAt).toBeUndefined();
    expect(lapsed.timeline.map((e: Json) => e.type)).toEqual(['filed', 'deadline_passed', 'lapsed']);
    expect((await messages(forgotten.id)).map((m) => `${m.recipient}:${m.kind}`)).toEqual(['desk:suggestion_overdue', 'supervisor:suggestion_overdue', 'supervisor:suggestion_lapsed']);
    const refused = await act(forgotten.id, keys['desk@S1'], { type: 'acknowledge' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ state: 'received', allowed: [] });
    expect(refused.json().error).toMatch(/lapsed unanswered/);
    // Still overdue for whoever lists the overdue ones, but after the open ones.
    expect((await list(`overdue=true&unit=${units.S1}`)).map((s) => s.id)).toContain(forgotten.id);
    await recordWorkflowHistory(suggestionWorkflowId(forgotten.id), 'suggestion-lapsed');
  });
});

describe('the list', () => {
  it('When the list is read a page at a time, then the pages follow its order, none twice and none left out', async () => {
    const whole = (await list(`unit=${units.S1}&limit=200`)).map((s) => s.id);
    expect(whole.length).toBeGreaterThan(3);
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await env.request('GET', `/v1/suggestions?unit=${units.S1}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { key: keys['desk@S1'] });
      expect(res.statusCode, res.body).toBe(200);
      paged.push(...res.json().suggestions.map((s: Json) => s.id));
      cursor = res.json().next;
    } while (cursor);
    expect(paged).toEqual(whole);
    const bad = await env.request('GET', `/v1/suggestions?cursor=${Buffer.from('{"deadlineAt":"2026-02-30 00:00:00+00","id":"x"}').toString('base64url')}`, { key: keys['desk@S1'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0].path).toBe('querystring.cursor');
  });
});

describe('refusals', () => {
  it('When a body is wrong, then 400 names the field and nothing is filed', async () => {
    const before = (await env.database.sql`select count(*)::int as n from suggestions`)[0]!.n;
    const cases: [Json, string][] = [
      [{ ...IDEA, title: undefined }, 'body.title'],
      [{ ...IDEA, text: '   ' }, 'body.text'],
      [{ ...IDEA, channel: 'fax' }, 'body.channel'],
      [{ ...IDEA, category: 'other' }, 'body.category'],
      [{ ...IDEA, citizen: { name: NAME, email: 'a@b.c' } }, 'body.citizen.email'],
      [{ ...IDEA, workstationId: 'no-such-station' }, 'body.workstationId'],
    ];
    for (const [body, field] of cases) {
      const res = await env.request('POST', '/v1/suggestions', { body });
      expect(res.statusCode, `${field}: ${res.body}`).toBe(400);
      expect(res.json().issues.map((i: Json) => i.path), res.body).toContain(field);
    }
    expect((await env.database.sql`select count(*)::int as n from suggestions`)[0]!.n).toBe(before);

    const filed = await file();
    for (const [body, field] of [
      [{ type: 'adopt' }, 'body.type'],
      [{ type: 'answer' }, 'body.answer'],
      [{ type: 'answer', answer: '' }, 'body.answer'],
      [{ type: 'acknowledge', note: 'x'.repeat(2001) }, 'body.note'],
      [{ type: 'acknowledge', urgent: true }, 'body.urgent'],
    ] as [Json, string][]) {
      const res = await act(filed.id, keys['desk@S1'], body);
      expect(res.statusCode, `${field}: ${res.body}`).toBe(400);
      expect(res.json().issues.map((i: Json) => i.path), res.body).toContain(field);
    }
    expect(await get(filed.id)).toMatchObject({ state: 'received', version: 1 });
  });

  it('When a desk of another unit, an officer or a reporter reaches for it, then 403 as for cases; an unknown id 404', async () => {
    const filed = await file();
    const other = keys['desk@S2'];
    expect((await env.request('GET', `/v1/suggestions/${filed.id}`, { key: other })).statusCode).toBe(403);
    const refused = await act(filed.id, other, { type: 'acknowledge' });
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.json().error).toMatch(/may suggestion\.handle in its own unit or units below it/);
    expect((await env.request('GET', `/v1/suggestions?unit=${units.S1}`, { key: other })).statusCode).toBe(403);
    expect((await list('limit=200', other)).map((s) => s.id)).not.toContain(filed.id);
    for (const key of [keys['officer@S1'], env.keys.reporter]) {
      expect((await env.request('GET', `/v1/suggestions/${filed.id}`, { key })).statusCode).toBe(403);
      expect((await act(filed.id, key, { type: 'acknowledge' })).statusCode).toBe(403);
    }
    // The refusals left it as it was: no step in its history either.
    expect(await get(filed.id)).toMatchObject({ state: 'received', version: 1 });
    const history = await env.temporal.workflow.getHandle(suggestionWorkflowId(filed.id)).fetchHistory();
    expect(history.events!.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);

    expect((await env.request('GET', '/v1/suggestions/nosuchsuggestion', { key: keys['desk@S1'] })).statusCode).toBe(404);
    expect((await act('nosuchsuggestion', keys['desk@S1'], { type: 'acknowledge' })).statusCode).toBe(404);
  });

  it('When the district above reads it, then the citizen is masked; the squad that answers sees them', async () => {
    const filed = await file();
    expect((await get(filed.id, keys['supervisor@S1'])).citizen).toEqual(IDEA.citizen);
    const above = await get(filed.id, keys['supervisor@D1']);
    expect(above.citizen).toEqual({ name: '李**', phone: '139****4321' });
    expect(above.text).not.toContain(PHONE);
    expect(above.trackingCode).not.toBe(filed.trackingCode);
  });
});
