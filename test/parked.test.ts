// A case whose rows the database refuses is not retried silently for ever: it is parked — logged with
// its case id, counted in /metrics, listed for operators — and its clients are answered at once. Once the
// cause is fixed, an operator's retry brings it into the read model and it goes on as any other case.

import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listParkedCases, retryParkedCase } from '../platform/parked-cases.js';
import { caseParkedQuery, caseWorkflowId } from '../workflows/messages.js';
import { caseClient } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, eventually, sampleIntake } from './support.js';

const logged: Record<string, unknown>[] = [];
const workerLog = pino(
  { level: 'warn' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged.push(JSON.parse(chunk.toString()));
      done();
    },
  }),
);

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
beforeAll(async () => {
  env = await createTestEnv('parked', { workerLog });
  c = caseClient(env);
  // Stands for any row the database will not take (a constraint added by a migration, data it rejects).
  await env.database.sql`alter table cases add constraint no_refused_titles check (title <> '数据库拒收')`;
});
afterAll(async () => env?.close());

it('When the database refuses a case, then it is parked where operators see it, and after the fix and a retry it is recorded and flows on', async () => {
  const started = Date.now();
  const refused = await env.request('POST', '/v1/cases', { body: sampleIntake({ externalId: 'refused-1', title: '数据库拒收' }) });
  expect(refused.statusCode).toBe(500);
  expect(refused.json().error).toMatch(/case \w+ was received and is kept: the database refused to record it \(PostgreSQL error 23514: .*no_refused_titles.*\), so it is parked/);
  // Answered at once, not after the action timeout.
  expect(Date.now() - started).toBeLessThan(10_000);
  const caseId = refused.json().error.match(/case (\w+)/)[1] as string;

  // Not in the read model, but visible to operators: the log, the parked list and /metrics.
  expect((await env.request('GET', `/v1/cases/${caseId}`)).json().state).toBe('triage'); // read from the workflow
  expect(await env.database.sql`select id from cases where id = ${caseId}`).toHaveLength(0);
  expect(logged).toContainEqual(expect.objectContaining({ level: 50, caseId, sqlState: '23514' }));
  const parked = await eventually(() => listParkedCases(env.temporal), (list) => list.some((p) => p.caseId === caseId), 10_000, 'the parked list');
  expect(parked.find((p) => p.caseId === caseId)).toMatchObject({ attempts: 1, reason: expect.stringContaining('23514') });
  const metrics = await eventually(
    async () => (await env.request('GET', '/metrics', { key: null })).body,
    (body) => /^bangnong_cases_parked 1$/m.test(body),
    10_000,
    'the parked gauge',
  );
  expect(metrics).toMatch(/^bangnong_cases_parked 1$/m);

  // Filing it again answers the same, at once; so does an action, which is refused without being taken.
  const again = await env.request('POST', '/v1/cases', { body: sampleIntake({ externalId: 'refused-1', title: '数据库拒收' }) });
  expect(again.statusCode).toBe(500);
  const action = await c.act(caseId, env.keys.intake!, { type: 'supplement', text: '补充' });
  expect(action.statusCode).toBe(500);
  expect(action.json().error).toMatch(/takes no actions while parked/);

  // Other cases are not held up.
  const other = await c.file({ title: '别的投诉' });
  expect((await env.request('GET', `/v1/cases/${other.id}`)).json().title).toBe('别的投诉');

  // The fix, then the operator's retry.
  await env.database.sql`alter table cases drop constraint no_refused_titles`;
  await retryParkedCase(env.temporal, caseId);
  const row = await eventually(() => env.database.sql`select state, title from cases where id = ${caseId}`, (r) => r.length === 1, 10_000, 'the recorded row');
  expect(row[0]).toEqual({ state: 'triage', title: '数据库拒收' });
  expect(await env.temporal.workflow.getHandle(caseWorkflowId(caseId)).query(caseParkedQuery)).toBeUndefined();
  const supplemented = await c.ok(caseId, env.keys.intake!, { type: 'supplement', text: '补充' });
  expect(supplemented.supplementCount).toBe(1);
  expect((await c.events(caseId)).map((e) => e.type)).toEqual(['intake', 'supplement']);
  await eventually(() => listParkedCases(env.temporal), (list) => list.length === 0, 10_000, 'an empty parked list');
});
