import { afterAll, beforeAll, expect, it } from 'vitest';
import { caseClient } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, eventually } from './support.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv('stats');
});
afterAll(async () => env?.close());

it('When supervisors ask for statistics, then counts by state and channel match the cases, within their unit', async () => {
  const c = caseClient(env);
  const stations = await c.workstations();
  const station = stations[0];
  const other = stations.find((s) => s.squadId !== station!.squadId);
  const k = env.keys;
  const a = await c.file();
  await c.ok(a.id, k.desk!, { type: 'triage', decision: 'in_scope', category: 'cooking_fumes', workstationId: station!.id });
  await c.ok(a.id, k.officer!, { type: 'accept' });
  await c.ok(a.id, k.officer!, { type: 'resolve', result: '已整改' });
  await c.ok(a.id, k.officer!, { type: 'feedback', message: '已整改' });
  const closed = await c.ok(a.id, k.desk!, { type: 'media_waive' });
  const rated = await env.request('POST', `/v1/track/${closed.trackingCode}/rating`, { key: null, body: { rating: 'satisfied' } });
  expect(rated.statusCode).toBe(200);
  const b = await c.file({ channel: 'hotline' });
  await c.ok(b.id, k.desk!, { type: 'triage', decision: 'transfer', department: 'housing' });
  const third = await c.file({ channel: 'hotline' });
  await eventually(() => env.request('GET', `/v1/cases/${third.id}/events`), (r) => r.json().events?.length === 1);

  const byState = (await env.request('GET', '/v1/stats?by=state', { key: k.supervisor })).json();
  const states = Object.fromEntries(byState.groups.map((g: { key: string; total: number }) => [g.key, g.total]));
  expect(states).toEqual({ closed: 1, resolved: 1, triage: 1 });

  const byChannel = (await env.request('GET', '/v1/stats?by=channel', { key: k.supervisor })).json().groups;
  expect(byChannel).toEqual([
    expect.objectContaining({ key: 'hotline', total: 2, open: 2, transferred: 1, resolved: 0, rated: 0 }),
    expect.objectContaining({ key: 'xinmin', total: 1, open: 0, resolved: 1, resolvedAtSquad: 1, escalated: 0, rated: 1, satisfied: 1 }),
  ]);
  expect(byChannel[1].avgHoursToResolution).toBeGreaterThanOrEqual(0);

  // A squad supervisor counts its own squad's cases only, and may not ask for another unit.
  const squadSupervisor = await env.principal('supervisor', station!.squadId, 'squadSupervisor');
  const own = (await env.request('GET', '/v1/stats?by=squad', { key: squadSupervisor.key })).json();
  expect(own).toMatchObject({ unit: station!.squadId, groups: [{ key: station!.squadId, total: 1 }] });
  expect((await env.request('GET', `/v1/stats?unit=${other!.squadId}`, { key: squadSupervisor.key })).statusCode).toBe(403);
  expect((await env.request('GET', '/v1/stats?by=colour', { key: k.supervisor })).statusCode).toBe(400);
});
