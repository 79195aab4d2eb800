import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestEnv, createTestEnv, eventually, sampleIntake } from './support.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv('restart');
});
afterAll(async () => env?.close());

it('When the API and the worker restart, then filed cases are still there and take actions on the new worker', async () => {
  const filed = (await env.request('POST', '/v1/cases', { body: sampleIntake({ externalId: 'restart-1' }) })).json();
  await eventually(() => env.request('GET', `/v1/cases/${filed.id}/events`), (r) => r.json().events?.length === 1);

  await env.worker.stop();
  await env.restartApi();
  // With no worker the case still reads from the read model.
  const whileDown = await env.request('GET', `/v1/cases/${filed.id}`);
  expect(whileDown.json()).toMatchObject({ id: filed.id, state: 'triage', deadlineAt: filed.deadlineAt });

  await env.startWorker();
  const again = await env.request('POST', '/v1/cases', { body: sampleIntake({ externalId: 'restart-1' }) });
  expect(again.statusCode).toBe(200);
  expect(again.json().id).toBe(filed.id);

  // The new worker rebuilds the case from its history and goes on from there.
  const stations = (await env.request('GET', '/v1/workstations')).json().workstations;
  const triaged = await env.request('POST', `/v1/cases/${filed.id}/actions`, {
    key: env.keys.desk,
    body: { type: 'triage', decision: 'in_scope', category: 'night_construction_noise', workstationId: stations[0].id },
  });
  expect(triaged.statusCode).toBe(200);
  expect(triaged.json()).toMatchObject({ state: 'dispatched', category: 'night_construction_noise', assignedUnitId: stations[0].squadId });
  const events = (await env.request('GET', `/v1/cases/${filed.id}/events`)).json().events;
  expect(events.map((e: { type: string }) => e.type)).toEqual(['intake', 'triage']);
});
