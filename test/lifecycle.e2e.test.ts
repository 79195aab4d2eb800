// Every path of the lifecycle, end to end through the HTTP contract, on the real Temporal server and
// Postgres. Each path's history is what RECORD_HISTORIES=1 saves for the replay test.

import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorkflowId } from '../workflows/messages.js';
import { type Case, caseClient, recordHistory } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, eventually } from './support.js';

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
let station: Case;
let otherStation: Case;
let k: Record<string, string>;

beforeAll(async () => {
  env = await createTestEnv('lifecycle');
  c = caseClient(env);
  const stations = await c.workstations();
  station = stations[0]!;
  otherStation = stations.find((s) => s.squadId !== station.squadId && s.district !== station.district)!;
  const squad = station.squadId;
  const district = await c.districtOf(squad);
  await env.principal('officer', squad, 'squadOfficer');
  await env.principal('supervisor', squad, 'squadSupervisor');
  await env.principal('supervisor', district, 'districtSupervisor');
  await env.principal('officer', otherStation.squadId, 'strangerOfficer');
  await env.principal('supervisor', otherStation.squadId, 'strangerSupervisor');
  k = env.keys;
});
afterAll(async () => env?.close());

const types = (events: Case[]) => events.map((e) => e.type);

/** Files a case and dispatches it to the test workstation's squad. */
async function dispatched(overrides: Record<string, unknown> = {}): Promise<Case> {
  const filed = await c.file(overrides);
  return c.ok(filed.id, k.desk!, { type: 'triage', decision: 'in_scope', category: 'illegal_construction', workstationId: station.id });
}

describe('the case lifecycle through the API', () => {
  it('When an officer resolves on site and the citizen is answered, then the case closes as resolved', async () => {
    const d = await dispatched();
    expect(d).toMatchObject({ state: 'dispatched', stage: 'acceptance', assignedUnitId: station.squadId, escalationLevel: 'squad' });
    const accepted = await c.ok(d.id, k.squadOfficer!, { type: 'accept' });
    expect(accepted).toMatchObject({ state: 'investigating', assignedOfficerId: env.principalIds.squadOfficer, stage: 'investigation' });
    await c.ok(d.id, k.squadOfficer!, { type: 'arrive', note: '到达现场' });
    const evidence = await c.ok(d.id, k.squadOfficer!, { type: 'record_evidence', note: '违建约 10 平方米', attachments: [{ url: 'https://files.example/p1.jpg' }] });
    expect(evidence.evidenceCount).toBe(1);
    const resolved = await c.ok(d.id, k.squadOfficer!, { type: 'resolve', result: '当场责令拆除，已拆除' });
    expect(resolved).toMatchObject({ state: 'resolved', outcome: 'resolved', stage: 'feedback', resolution: '当场责令拆除，已拆除' });
    const answered = await c.ok(d.id, k.squadOfficer!, { type: 'feedback', message: '您反映的违建已拆除' });
    expect(answered).toMatchObject({ state: 'resolved', answered: true });
    const closed = await c.ok(d.id, k.desk!, { type: 'media_waive', reason: '不做报道' });
    expect(closed).toMatchObject({ state: 'closed', outcome: 'resolved', media: { status: 'waived' } });
    expect(closed.closedAt).toBeTruthy();
    expect(closed.deadlineAt).toBeUndefined();

    const events = await c.events(d.id);
    expect(types(events)).toEqual(['intake', 'triage', 'accept', 'arrive', 'record_evidence', 'resolve', 'feedback', 'media_waive']);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(events[5]).toMatchObject({ from: 'investigating', to: 'resolved', actor: { id: env.principalIds.squadOfficer, role: 'officer' } });

    // The disposal result goes to the partner platform, and the citizen gets the answer.
    const sql = postgres(env.databaseUrl, { max: 1 });
    const sent = await eventually(
      () => sql`select recipient, kind, sent_at from notifications where case_id = ${d.id} order by id`,
      (rows) => rows.length > 0 && rows.every((r) => r.sent_at !== null),
      10_000,
      'notifications delivered',
    );
    await sql.end();
    expect(sent.map((r) => `${r.recipient}:${r.kind}`)).toEqual(expect.arrayContaining(['partner:disposal_result', 'citizen:case_answered', 'supervisor:case_dispatched']));
    await recordHistory(d.id, 'resolved-on-site');
  });

  it('When the squad and the district cannot solve it, then it escalates level by level and the city resolves it', async () => {
    const d = await dispatched();
    await c.ok(d.id, k.squadOfficer!, { type: 'accept' });
    const atDistrict = await c.ok(d.id, k.squadOfficer!, { type: 'escalate', reason: '涉及多个部门，需区局协调' });
    expect(atDistrict).toMatchObject({ state: 'escalated', escalationLevel: 'district', assignedUnitId: await c.districtOf(station.squadId), stage: 'escalation' });
    expect(atDistrict.assignedOfficerId).toBeUndefined();
    // The squad no longer holds it.
    expect((await c.act(d.id, k.squadSupervisor!, { type: 'escalate', reason: 'x' })).statusCode).toBe(403);
    const atCity = await c.ok(d.id, k.districtSupervisor!, { type: 'escalate', reason: '需市局统筹' });
    expect(atCity).toMatchObject({ state: 'escalated', escalationLevel: 'city', assignedUnitId: '310000' });
    const further = await c.act(d.id, k.supervisor!, { type: 'escalate', reason: 'x' });
    expect(further.statusCode).toBe(409);
    expect(further.json()).toMatchObject({ state: 'escalated', allowed: expect.not.arrayContaining(['escalate']) });
    const resolved = await c.ok(d.id, k.supervisor!, { type: 'resolve', result: '市局协调相关部门联合执法' });
    expect(resolved).toMatchObject({ state: 'resolved', outcome: 'resolved', escalationLevel: 'city' });
    await c.ok(d.id, k.supervisor!, { type: 'feedback', message: '已由市局协调处理' });
    expect(await c.ok(d.id, k.supervisor!, { type: 'media_waive' })).toMatchObject({ state: 'closed', outcome: 'resolved' });
    expect(types(await c.events(d.id))).toEqual(['intake', 'triage', 'accept', 'escalate', 'escalate', 'resolve', 'feedback', 'media_waive']);
    await recordHistory(d.id, 'escalated-to-city');
  });

  it('When the district returns a case down with instructions, then the squad takes it again and resolves it', async () => {
    const d = await dispatched();
    await c.ok(d.id, k.squadOfficer!, { type: 'accept' });
    await c.ok(d.id, k.squadOfficer!, { type: 'escalate', reason: '需区局协调' });
    const back = await c.ok(d.id, k.districtSupervisor!, { type: 'return_down', instructions: '联系房管部门后再次上门' });
    expect(back).toMatchObject({ state: 'dispatched', escalationLevel: 'squad', assignedUnitId: station.squadId, instructions: '联系房管部门后再次上门', stage: 'acceptance' });
    await c.ok(d.id, k.squadOfficer!, { type: 'accept' });
    await c.ok(d.id, k.squadOfficer!, { type: 'resolve', result: '按区局指示处理完毕' });
    await c.ok(d.id, k.squadOfficer!, { type: 'feedback', message: '已处理' });
    expect(await c.ok(d.id, k.desk!, { type: 'media_waive' })).toMatchObject({ state: 'closed', outcome: 'resolved' });
    await recordHistory(d.id, 'returned-down');
  });

  it('When the desk asks for joint judgement, then the squad supervisor co-decides and the case is dispatched', async () => {
    const filed = await c.file();
    const joint = await c.ok(filed.id, k.desk!, { type: 'triage', decision: 'joint', workstationId: station.id, note: '是否属城管职责需共同研判' });
    expect(joint).toMatchObject({ state: 'joint_triage', stage: 'triage', assignedUnitId: station.squadId });
    const stranger = await c.act(filed.id, k.strangerSupervisor!, { type: 'joint_decision', decision: 'in_scope', category: 'facade_damage' });
    expect(stranger.statusCode).toBe(403);
    const decided = await c.ok(filed.id, k.squadSupervisor!, { type: 'joint_decision', decision: 'in_scope', category: 'facade_damage' });
    expect(decided).toMatchObject({ state: 'dispatched', category: 'facade_damage', assignedUnitId: station.squadId });
    await recordHistory(filed.id, 'joint-triage');
  });

  it('When a complaint is for another department, then it is transferred and still ends with an answer to the citizen', async () => {
    const filed = await c.file();
    const transferred = await c.ok(filed.id, k.desk!, { type: 'triage', decision: 'transfer', department: 'police', note: '涉及治安' });
    expect(transferred).toMatchObject({ state: 'resolved', outcome: 'transferred', department: 'police', stage: 'feedback', answered: false });
    await c.ok(filed.id, k.desk!, { type: 'feedback', message: '已移送公安部门处理' });
    const closed = await c.ok(filed.id, k.desk!, { type: 'media_waive' });
    expect(closed).toMatchObject({ state: 'closed', outcome: 'transferred' });
    await recordHistory(filed.id, 'transferred');
  });

  it('When a complaint needs only an explanation, then the citizen is answered and the case closes at once (no media item outside xinmin)', async () => {
    const filed = await c.file({ channel: 'qr', workstationId: station.id });
    expect(filed.media.status).toBe('not_applicable');
    const explained = await c.ok(filed.id, k.desk!, { type: 'triage', decision: 'explain', explanation: '该行为不属于违法，已向市民说明' });
    expect(explained).toMatchObject({ state: 'resolved', outcome: 'explained' });
    const closed = await c.ok(filed.id, k.desk!, { type: 'feedback', message: '已电话说明' });
    expect(closed).toMatchObject({ state: 'closed', outcome: 'explained', answered: true });
    await recordHistory(filed.id, 'explained');
  });

  it('When a media draft is returned, redrafted and approved, then only the approved item is published and the case closes', async () => {
    const d = await dispatched();
    const asked = await c.ok(d.id, k.reporter!, { type: 'media_join_request', note: '希望跟拍' });
    expect(asked.media).toMatchObject({ accompany: 'requested', reporterId: env.principalIds.reporter });
    // Reporters see nothing of the citizen, not even masked.
    expect(asked.citizen).toBeUndefined();
    expect((await c.ok(d.id, k.squadSupervisor!, { type: 'media_join_decision', approve: true })).media.accompany).toBe('approved');
    await c.ok(d.id, k.squadOfficer!, { type: 'accept' });
    await c.ok(d.id, k.squadOfficer!, { type: 'resolve', result: '已拆除' });
    const early = await c.act(d.id, k.reporter!, { type: 'media_publish' });
    expect(early.statusCode).toBe(409);
    expect(early.json().allowed).toContain('media_draft');
    const drafted = await c.ok(d.id, k.reporter!, { type: 'media_draft', title: '违建当天拆除', body: '初稿' });
    expect(drafted.media).toMatchObject({ status: 'in_review', reviewLevel: 'squad' });
    expect(drafted.media.deadlineAt).toBeTruthy();
    const noComments = await c.act(d.id, k.squadSupervisor!, { type: 'media_review', decision: 'return' });
    expect(noComments.statusCode).toBe(400);
    const returned = await c.ok(d.id, k.squadSupervisor!, { type: 'media_review', decision: 'return', comments: '请核实拆除面积' });
    expect(returned.media).toMatchObject({ status: 'returned', comments: '请核实拆除面积' });
    await c.ok(d.id, k.reporter!, { type: 'media_draft', title: '违建当天拆除', body: '修改稿：约 10 平方米违建当天拆除' });
    const approved = await c.ok(d.id, k.squadSupervisor!, { type: 'media_review', decision: 'approve' });
    expect(approved.media.status).toBe('approved');
    await c.ok(d.id, k.squadOfficer!, { type: 'feedback', message: '已拆除' });
    const published = await c.ok(d.id, k.reporter!, { type: 'media_publish', url: 'https://xinmin.example/news/1' });
    expect(published).toMatchObject({ state: 'closed', outcome: 'resolved', media: { status: 'published', url: 'https://xinmin.example/news/1' } });
    const sql = postgres(env.databaseUrl, { max: 1 });
    const told = await sql`select kind from notifications where case_id = ${d.id} and recipient = 'reporter' order by created_at, id`;
    await sql.end();
    expect(told.map((r) => r.kind)).toEqual(expect.arrayContaining(['media_join_approved', 'media_returned', 'media_approved']));
    await recordHistory(d.id, 'media-returned-approved-published');
  });

  it('When the citizen rates the answer unsatisfied, then a supervisor reopens it and it is resolved again', async () => {
    const d = await dispatched();
    await c.ok(d.id, k.squadOfficer!, { type: 'accept' });
    await c.ok(d.id, k.squadOfficer!, { type: 'resolve', result: '已劝离' });
    await c.ok(d.id, k.squadOfficer!, { type: 'feedback', message: '已处理' });
    const closed = await c.ok(d.id, k.desk!, { type: 'media_waive' });
    expect(closed.state).toBe('closed');

    const tracked = await env.request('GET', `/v1/track/${closed.trackingCode}`, { key: null });
    expect(tracked.statusCode).toBe(200);
    expect(tracked.json()).toMatchObject({ state: 'closed', outcome: 'resolved', answer: '已处理', canRate: true });
    expect(JSON.stringify(tracked.json())).not.toContain('13812345678');
    const rated = await env.request('POST', `/v1/track/${closed.trackingCode}/rating`, { key: null, body: { rating: 'unsatisfied', comment: '问题依旧' } });
    expect(rated.statusCode, rated.body).toBe(200);
    const again = await env.request('POST', `/v1/track/${closed.trackingCode}/rating`, { key: null, body: { rating: 'satisfied' } });
    expect(again.statusCode).toBe(409);

    const reopened = await c.ok(d.id, k.squadSupervisor!, { type: 'reopen', reason: '市民不满意，重新处置' });
    expect(reopened).toMatchObject({ state: 'dispatched', reopenCount: 1, answered: false, escalationLevel: 'squad' });
    expect(reopened.rating).toBeUndefined();
    expect(reopened.outcome).toBeUndefined();
    await c.ok(d.id, k.squadOfficer!, { type: 'accept' });
    await c.ok(d.id, k.squadOfficer!, { type: 'resolve', result: '再次上门，已彻底整改' });
    const reclosed = await c.ok(d.id, k.squadOfficer!, { type: 'feedback', message: '已彻底整改' });
    expect(reclosed).toMatchObject({ state: 'closed', outcome: 'resolved', reopenCount: 1 });
    await recordHistory(d.id, 'unsatisfied-reopened-resolved');
  });

  it('When the citizen withdraws, then the case closes as withdrawn, its workflow ends, and later actions get 409', async () => {
    const filed = await c.file();
    const withdrawn = await c.ok(filed.id, k.intake!, { type: 'withdraw', reason: '已自行解决' });
    expect(withdrawn).toMatchObject({ state: 'closed', outcome: 'withdrawn' });
    await recordHistory(filed.id, 'withdrawn');
    const handle = env.temporal.workflow.getHandle(caseWorkflowId(filed.id));
    expect((await handle.result()).state).toBe('closed');
    const late = await c.act(filed.id, k.desk!, { type: 'triage', decision: 'explain', explanation: 'x' });
    expect(late.statusCode).toBe(409);
    // A finished case takes one action still: erasing the citizen's personal data (test/erasure.test.ts).
    expect(late.json()).toMatchObject({ state: 'closed', allowed: ['erase_personal_data'] });
  });

  it('When the desk marks a duplicate, then it closes linked to its original', async () => {
    const original = await c.file();
    const copy = await c.file();
    const self = await c.act(copy.id, k.desk!, { type: 'mark_duplicate', originalId: copy.id });
    expect(self.statusCode).toBe(400);
    const missing = await c.act(copy.id, k.desk!, { type: 'mark_duplicate', originalId: 'nope' });
    expect(missing.statusCode).toBe(400);
    await eventually(() => c.get(original.id), (v) => v.id === original.id);
    const dup = await c.ok(copy.id, k.desk!, { type: 'mark_duplicate', originalId: original.id });
    expect(dup).toMatchObject({ state: 'closed', outcome: 'duplicate', duplicateOf: original.id });
    await recordHistory(copy.id, 'duplicate');
  });

  it('When an action does not fit the state, the actor or the body, then 409, 403 and 400 say why, and nothing is recorded', async () => {
    const filed = await c.file();
    const conflict = await c.act(filed.id, k.officer!, { type: 'accept' });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ state: 'triage', allowed: ['triage', 'media_waive', 'withdraw', 'mark_duplicate', 'supplement', 'erase_personal_data'] });
    expect(conflict.json().error).toMatch(/dispatched/);
    const role = await c.act(filed.id, k.reporter!, { type: 'triage', decision: 'explain', explanation: 'x' });
    expect(role.statusCode).toBe(403);
    expect(role.json().error).toMatch(/reporter may not triage/);
    const bad = await c.act(filed.id, k.desk!, { type: 'triage', decision: 'transfer' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues).toEqual([{ path: 'body.department', message: 'a transfer names the competent department' }]);
    const unknown = await c.act(filed.id, k.desk!, { type: 'dance' });
    expect(unknown.statusCode).toBe(400);
    const noStation = await c.act(filed.id, k.desk!, { type: 'triage', decision: 'in_scope', category: 'other' });
    expect(noStation.statusCode).toBe(400);
    expect(noStation.json().error).toMatch(/workstation/);
    const missingCase = await c.act('nosuchcase', k.desk!, { type: 'withdraw' });
    expect(missingCase.statusCode).toBe(404);

    const d = await c.ok(filed.id, k.desk!, { type: 'triage', decision: 'in_scope', category: 'other', workstationId: station.id });
    const stranger = await c.act(d.id, k.strangerOfficer!, { type: 'accept' });
    expect(stranger.statusCode).toBe(403);
    expect(stranger.json().error).toMatch(/outside your unit/);
    // Nor may it read the case; the squad's own officer may.
    expect((await env.request('GET', `/v1/cases/${d.id}`, { key: k.strangerOfficer! })).statusCode).toBe(403);
    expect((await env.request('GET', `/v1/cases/${d.id}/events`, { key: k.strangerOfficer! })).statusCode).toBe(403);
    expect((await env.request('GET', `/v1/cases/${d.id}`, { key: k.squadOfficer! })).json().id).toBe(d.id);
    expect(types(await c.events(d.id))).toEqual(['intake', 'triage']);
  });

  it('When a client retries an action with the same Idempotency-Key, then it is applied once', async () => {
    const filed = await c.file();
    const body = { type: 'supplement', text: '补充：每晚 23 点后' };
    const first = await c.act(filed.id, k.intake!, body, { 'idempotency-key': 'req-42' });
    const second = await c.act(filed.id, k.intake!, body, { 'idempotency-key': 'req-42' });
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(second.json().supplementCount).toBe(1);
    expect(types(await c.events(filed.id))).toEqual(['intake', 'supplement']);
    await recordHistory(filed.id, 'supplemented');
  });

  it('When the squad refuses a reporter\'s request to accompany, then the reporter is told and the case goes on without them', async () => {
    const d = await dispatched();
    await c.ok(d.id, k.reporter!, { type: 'media_join_request', note: '希望跟拍' });
    const refused = await c.ok(d.id, k.squadOfficer!, { type: 'media_join_decision', approve: false, note: '涉及隐私，不宜跟拍' });
    expect(refused.media).toMatchObject({ accompany: 'refused', status: 'none' });
    const again = await c.act(d.id, k.reporter!, { type: 'media_join_request' });
    expect(again.statusCode).toBe(409);
    await c.ok(d.id, k.squadOfficer!, { type: 'accept' });
    const resolved = await c.ok(d.id, k.squadOfficer!, { type: 'resolve', result: '已劝离' });
    expect(resolved.state).toBe('resolved');
    const sql = postgres(env.databaseUrl, { max: 1 });
    const told = await sql`select recipient, kind from notifications where case_id = ${d.id} and kind = 'media_join_refused'`;
    await sql.end();
    expect(told).toEqual([{ recipient: 'reporter', kind: 'media_join_refused' }]);
    await recordHistory(d.id, 'accompany-refused');
  });

  it('When a supervisor reassigns a case, then another squad takes it on a fresh acceptance clock', async () => {
    const d = await dispatched();
    const moved = await c.ok(d.id, k.supervisor!, { type: 'reassign', workstationId: otherStation.id, reason: '属地调整' });
    expect(moved).toMatchObject({ state: 'dispatched', assignedUnitId: otherStation.squadId, stage: 'acceptance' });
    expect(Date.parse(moved.deadlineAt)).toBeGreaterThan(Date.parse(d.deadlineAt));
    expect((await c.ok(d.id, k.strangerOfficer!, { type: 'accept' })).assignedOfficerId).toBe(env.principalIds.strangerOfficer);
    // The squad it left can no longer act on it.
    expect((await c.act(d.id, k.squadOfficer!, { type: 'arrive' })).statusCode).toBe(403);
    await recordHistory(d.id, 'reassigned');
  });

  it('When supervisors list cases, then they filter by unit and state and page with a cursor', async () => {
    const district = await c.districtOf(station.squadId);
    await dispatched();
    await dispatched();
    await dispatched();
    const res = await env.request('GET', `/v1/cases?unit=${district}&state=dispatched,investigating&limit=2`, { key: k.supervisor! });
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page.cases.length).toBe(2);
    expect(page.next).toBeTruthy();
    expect(page.cases.every((x: Case) => ['dispatched', 'investigating'].includes(x.state) && x.assignedUnitPath.includes(district))).toBe(true);
    const next = await env.request('GET', `/v1/cases?unit=${district}&state=dispatched,investigating&limit=2&cursor=${page.next}`, { key: k.supervisor! });
    expect(next.statusCode, next.body).toBe(200);
    expect(next.json().cases.map((x: Case) => x.id)).not.toContain(page.cases[0].id);
    // Below the city, a principal lists only its own unit's cases: those that lie in its squad, wherever
    // they are handled now (an escalated one included), and no other.
    const inside = await dispatched();
    const elsewhere = await c.file();
    await c.ok(elsewhere.id, k.desk!, { type: 'triage', decision: 'in_scope', category: 'illegal_construction', workstationId: otherStation.id });
    const atCity = await c.file();
    const own = ((await env.request('GET', '/v1/cases?limit=200', { key: k.squadOfficer! })).json().cases as Case[]).map((x) => x.id);
    expect(own).toContain(inside.id);
    expect(own).not.toContain(elsewhere.id);
    expect(own).not.toContain(atCity.id);
    // Exactly the cases whose squad (as the workflow recorded it in the case's view) is this one.
    const sql = postgres(env.databaseUrl, { max: 1 });
    const rows = await sql<{ id: string; squad: string | null }[]>`select id, split_part(view->>'squadPath', '/', 3) as squad from cases`;
    await sql.end();
    expect(rows.length).toBeLessThan(200);
    expect(own.sort()).toEqual(rows.filter((r) => r.squad === station.squadId).map((r) => r.id).sort());
    expect((await env.request('GET', `/v1/cases?unit=${otherStation.squadId}`, { key: k.squadOfficer! })).statusCode).toBe(403);
    expect((await env.request('GET', '/v1/cases?unit=nowhere')).statusCode).toBe(400);
    expect((await env.request('GET', '/v1/cases?state=flying')).statusCode).toBe(400);
    expect((await env.request('GET', '/v1/cases?cursor=garbage')).statusCode).toBe(400);
  });
});
