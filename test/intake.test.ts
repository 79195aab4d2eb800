import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorkflowId } from '../workflows/messages.js';
import { expectOnlyOneMoreCase, startedSoFar } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, eventually, sampleIntake } from './support.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv('intake');
});
afterAll(async () => env?.close());

describe('intake', () => {
  it('When a channel files a case, then its workflow runs and the case waits in triage with a 24 h deadline, through the API and in Postgres', async () => {
    const before = Date.now();
    const res = await env.request('POST', '/v1/cases', { body: sampleIntake({ externalId: 'xm-1001' }) });
    expect(res.statusCode).toBe(201);
    const filed = res.json();
    expect(filed).toMatchObject({ state: 'triage', channel: 'xinmin', externalId: 'xm-1001', overdue: false, escalationLevel: 'squad' });
    expect(filed.trackingCode).toMatch(/^BN[0-9A-Z]{10}$/);
    const deadline = Date.parse(filed.deadlineAt) - Date.parse(filed.createdAt);
    expect(deadline).toBe(24 * 3600_000);
    expect(Date.parse(filed.createdAt)).toBeGreaterThanOrEqual(before - 1000);

    const description = await env.temporal.workflow.getHandle(caseWorkflowId(filed.id)).describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.type).toBe('caseWorkflow');

    const sql = postgres(env.databaseUrl, { max: 1 });
    const rows = await eventually(
      () => sql`select state, deadline_at, channel, external_id from cases where id = ${filed.id}`,
      (r) => r.length === 1,
      10_000,
      'the read model row',
    );
    expect(rows[0]).toMatchObject({ state: 'triage', channel: 'xinmin', external_id: 'xm-1001' });
    expect(new Date(rows[0]!.deadline_at).toISOString()).toBe(filed.deadlineAt);
    const events = await sql`select seq, type, to_state from case_events where case_id = ${filed.id}`;
    expect(events).toEqual([{ seq: 1, type: 'intake', to_state: 'triage' }]);
    await sql.end();

    const read = await env.request('GET', `/v1/cases/${filed.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ id: filed.id, state: 'triage', deadlineAt: filed.deadlineAt, trackingCode: filed.trackingCode });

    const timeline = await env.request('GET', `/v1/cases/${filed.id}/events`);
    expect(timeline.json().events).toMatchObject([{ seq: 1, type: 'intake', from: null, to: 'triage', actor: { role: 'intake' } }]);
  });

  it('When the same complaint is filed twice, then the second answer is 200 with the same case', async () => {
    const first = await env.request('POST', '/v1/cases', { body: sampleIntake({ externalId: 'xm-dup' }) });
    expect(first.statusCode).toBe(201);
    // Once straight away (the workflow id decides) and once after the read model has it.
    const again = await env.request('POST', '/v1/cases', { body: sampleIntake({ externalId: 'xm-dup', title: 'changed' }) });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: first.json().id, trackingCode: first.json().trackingCode, title: '夜间施工噪音' });
    await eventually(() => env.request('GET', `/v1/cases/${first.json().id}/events`), (r) => r.json().events.length === 1);
    const third = await env.request('POST', '/v1/cases', { body: sampleIntake({ externalId: 'xm-dup' }) });
    expect(third.statusCode).toBe(200);
    expect(third.json().trackingCode).toBe(first.json().trackingCode);
    // The same external id on another channel is another complaint.
    const other = await env.request('POST', '/v1/cases', { body: sampleIntake({ externalId: 'xm-dup', channel: 'hotline' }) });
    expect(other.statusCode).toBe(201);
    expect(other.json().id).not.toBe(first.json().id);
  });

  it('When a QR case names its workstation, then it belongs to that workstation\'s squad', async () => {
    const stations = (await env.request('GET', '/v1/workstations?district=闵行区')).json().workstations;
    expect(stations.length).toBe(12);
    const station = stations[0];
    const res = await env.request('POST', '/v1/cases', { body: sampleIntake({ channel: 'qr', workstationId: station.id }) });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ workstationId: station.id, assignedUnitId: station.squadId, media: { status: 'not_applicable' } });
  });

  it('When the body is malformed, then 400 names every wrong field and no case is started', async () => {
    const before = await startedSoFar(env);
    const res = await env.request('POST', '/v1/cases', { body: { channel: 'fax', title: '', location: {}, urgent: 'yes' } });
    expect(res.statusCode).toBe(400);
    const paths = res.json().issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['body.channel', 'body.title', 'body.description', 'body.location.address', 'body.urgent']));
    expect(res.json().error).toContain('body.channel');

    const unknownStation = await env.request('POST', '/v1/cases', { body: sampleIntake({ workstationId: 'ws-nope' }) });
    expect(unknownStation.statusCode).toBe(400);
    expect(unknownStation.json().issues[0].path).toBe('body.workstationId');

    const notJson = await env.request('POST', '/v1/cases', { body: 'not json', headers: { 'content-type': 'application/json' } });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error).toBeTruthy();
    await expectOnlyOneMoreCase(env, before);
  });

  it('When a case does not exist, then 404 says so', async () => {
    const res = await env.request('GET', '/v1/cases/nosuchcase');
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toContain('nosuchcase');
    expect((await env.request('GET', '/v1/cases/nosuchcase/events')).statusCode).toBe(404);
  });

  it('When a request has no key or an unknown one, then 401; health and docs need none', async () => {
    const none = await env.request('GET', '/v1/units', { key: null });
    expect(none.statusCode).toBe(401);
    expect(none.json().error).toMatch(/Authorization: Bearer/);
    const wrong = await env.request('POST', '/v1/cases', { key: 'bn_not-a-key', body: sampleIntake() });
    expect(wrong.statusCode).toBe(401);
    expect((await env.request('GET', '/healthz', { key: null })).statusCode).toBe(200);
    const ready = await env.request('GET', '/readyz', { key: null });
    expect(ready.json()).toEqual({ status: 'ready', postgres: 'ok', temporal: 'ok', calendar: expect.objectContaining({ coversThrough: expect.any(String) }) });
    const openapi = await env.request('GET', '/openapi.json', { key: null });
    expect(openapi.statusCode).toBe(200);
    expect(Object.keys(openapi.json().paths)).toEqual(expect.arrayContaining(['/v1/cases', '/v1/cases/{id}', '/v1/cases/{id}/actions', '/v1/units']));
    expect((await env.request('GET', '/docs/', { key: null })).statusCode).toBe(200);
  });

  it('When the organisation is listed, then it holds the city, 17 district-level units and the pilot squads', async () => {
    const units = (await env.request('GET', '/v1/units')).json().units as { kind: string; parentId: string | null }[];
    expect(units.filter((u) => u.kind === 'city')).toHaveLength(1);
    expect(units.filter((u) => u.kind === 'district')).toHaveLength(17);
    expect(units.filter((u) => u.kind === 'squad').length).toBeGreaterThan(50);
    expect((await env.request('GET', '/v1/workstations')).json().workstations).toHaveLength(100);
  });
});
