import Fastify, { type FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../api/app.js';
import { isUnavailable } from '../api/plugins/errors.js';
import { OrgDirectory } from '../api/org.js';
import { connectDatabase } from '../db/client.js';
import { freePort } from '../dev/services.js';
import { type TestEnv, createTestEnv, sampleIntake } from './support.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv('api_errors');
});
afterAll(async () => env?.close());

it('When Postgres is unreachable, then requests get 503 saying to retry, and /readyz names what is down', async () => {
  const org = await new OrgDirectory(env.database.db).load();
  // A pool pointed at a port nobody listens on: every query is refused.
  const dead = connectDatabase(`postgres://x:y@127.0.0.1:${await freePort()}/none`, { max: 1 });
  const app = Fastify({ loggerInstance: pino({ level: 'silent' }) as FastifyBaseLogger });
  await buildApp(app, { db: dead.db, temporal: env.temporal, taskQueue: env.taskQueue, policy: env.policy, org });
  const list = await app.inject({ method: 'GET', url: '/v1/cases', headers: { authorization: 'Bearer bn_whatever' } });
  expect(list.statusCode).toBe(503);
  expect(list.json().error).toMatch(/unavailable; retry/);
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  expect(ready.statusCode).toBe(503);
  expect(ready.json()).toMatchObject({ status: 'not ready', temporal: 'ok' });
  expect(ready.json().postgres).not.toBe('ok');
  await app.close();
  await dead.close();
});

it('When a route does not exist, then 404 names it', async () => {
  const res = await env.request('GET', '/v2/nothing');
  expect(res.statusCode).toBe(404);
  expect(res.json()).toEqual({ error: 'no route GET /v2/nothing' });
});

it('When no worker answers a case within the action timeout, then the action gets 503 saying what to do, in time, and the same request applies once a worker is back', async () => {
  const org = await new OrgDirectory(env.database.db).load();
  const app = Fastify({ loggerInstance: pino({ level: 'silent' }) as FastifyBaseLogger });
  await buildApp(app, { db: env.database.db, temporal: env.temporal, taskQueue: env.taskQueue, policy: env.policy, org, actionTimeoutMs: 1500 });
  const headers = { authorization: `Bearer ${env.keys.intake}` };
  // Intake records the case itself, so it is answered with no worker running.
  await env.worker.stop();
  try {
    const filed = await app.inject({ method: 'POST', url: '/v1/cases', headers, payload: sampleIntake() });
    expect(filed.statusCode, filed.body).toBe(201);
    const started = Date.now();
    const late = await app.inject({ method: 'POST', url: `/v1/cases/${filed.json().id}/actions`, headers: { ...headers, 'idempotency-key': 'late-1' }, payload: { type: 'supplement', text: '补充' } });
    expect(late.statusCode).toBe(503);
    expect(late.json().error).toMatch(/did not answer within 1.5s.*retry with the same Idempotency-Key/);
    expect(Date.now() - started).toBeLessThan(5_000);
    await env.startWorker();
    // The client does what the 503 says: retries with the same key. A worker just started may first need
    // longer than 1.5 s (on a loaded machine) to pick the case up; each retry is the same request.
    const retry = () => app.inject({ method: 'POST', url: `/v1/cases/${filed.json().id}/actions`, headers: { ...headers, 'idempotency-key': 'late-1' }, payload: { type: 'supplement', text: '补充' } });
    let retried = await retry();
    for (let attempt = 1; retried.statusCode === 503 && attempt < 10; attempt++) retried = await retry();
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json().supplementCount).toBe(1);
  } finally {
    if (env.worker.instance.getState() !== 'RUNNING') await env.startWorker();
    await app.close();
  }
});

it('When a query fails because the server or the connection is away, then the answer is 503 (retry), and only then', () => {
  const failed = (cause: object) => Object.assign(new Error('Failed query: select …'), { name: 'DrizzleQueryError', cause });
  // Seen while PostgreSQL stops under load: each must tell the client to retry, none is a 500.
  for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'CONNECTION_CLOSED', 'CONNECT_TIMEOUT', '57P01', '57P03', '08006', '53300']) {
    expect(isUnavailable(failed({ code })), code).toBe(true);
  }
  // A refusal of the request itself is not an outage.
  for (const code of ['22021', '23505', '42P01']) expect(isUnavailable(failed({ code })), code).toBe(false);
  expect(isUnavailable(new Error('bug'))).toBe(false);
});
