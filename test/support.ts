// A real environment for one test file: its own database cloned from the seeded template, its own
// task queue and worker on the suite's Temporal server, and the API built in-process (app.inject).

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import postgres from 'postgres';
import { inject } from 'vitest';
import { buildApp } from '../api/app.js';
import { OrgDirectory } from '../api/org.js';
import { type Database, connectDatabase } from '../db/client.js';
import { createPrincipal } from '../db/queries/principals.js';
import { CITY } from '../db/seed.js';
import { REPO_ROOT } from '../platform/config.js';
import { loadPolicy } from '../platform/policy-file.js';
import type { SenderRouting } from '../activities/senders.js';
import type { DeliverySettings } from '../platform/config.js';
import type { CaseIntake, Role } from '../domain/case.js';
import type { Policy } from '../domain/policy.js';
import { createCaseWorker } from '../worker/worker.js';
import { withDatabase } from './global-setup.js';
import type { DispatchPolicy } from '../platform/dispatch-policy.js';

export const defaultPolicy = (): Policy => loadPolicy(`${REPO_ROOT}/policy/deadlines.json`, `${REPO_ROOT}/policy/calendar.json`);

export interface TestEnv {
  databaseUrl: string;
  database: Database;
  temporal: Client;
  taskQueue: string;
  policy: Policy;
  app: FastifyInstance;
  worker: { instance: Worker; stop(): Promise<void> };
  keys: Record<string, string>;
  /** Ids of the principals behind `keys`. */
  principalIds: Record<string, string>;
  request(method: 'GET' | 'POST', url: string, options?: { key?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  /** Starts a fresh worker (after `worker.stop()`), as a restarted process would. */
  startWorker(): Promise<void>;
  /** Rebuilds the API from scratch, as a restarted process would. */
  restartApi(): Promise<void>;
  principal(role: Role, unitId: string, name?: string): Promise<{ id: string; key: string }>;
  close(): Promise<void>;
}

export interface TestEnvOptions {
  policy?: Policy;
  senders?: SenderRouting;
  /** How long the worker retries a message before the dead-letter list; by default DELIVERY_GIVE_UP_AFTER's 24 h. */
  delivery?: DeliverySettings;
  /** Principals to create besides one per role at the city: name → role + unit. */
  principals?: Record<string, { role: Role; unitId: string }>;
  /** The worker's logger (silent by default), for tests that read what it logs. */
  workerLog?: pino.Logger;
  /** Smart dispatch's policy (auto-dispatch on, say); by default policy/dispatch.json. */
  dispatchPolicy?: DispatchPolicy;
}

const quietLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
// The SDK's own log (and the workflows' case transitions) only when asked for: TEST_LOG_LEVEL=info.
Runtime.install({ logger: new DefaultLogger(process.env.TEST_LOG_LEVEL ? 'INFO' : 'ERROR') });

export async function createTestEnv(name: string, options: TestEnvOptions = {}): Promise<TestEnv> {
  const suffix = `${name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const templateUrl = inject('postgresAdminUrl');
  const dbName = `bn_${suffix}`;
  const admin = postgres(withDatabase(templateUrl, 'postgres'), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${dbName} template ${inject('templateDatabase')}`);
  await admin.end();
  const databaseUrl = withDatabase(templateUrl, dbName);
  const database = connectDatabase(databaseUrl, { max: 10 });

  const address = inject('temporalAddress');
  const temporal = new Client({ connection: await Connection.connect({ address }), namespace: 'default' });
  const nativeConnection = await NativeConnection.connect({ address });
  const bundle = { code: readFileSync(inject('workflowBundlePath'), 'utf8') };
  const taskQueue = `test-${suffix}`;
  const policy = options.policy ?? defaultPolicy();

  const keys: Record<string, string> = {};
  const principalIds: Record<string, string> = {};
  const principal = async (role: Role, unitId: string, label = `${role}@${unitId}`) => {
    const { principal: p, key } = await createPrincipal(database.db, { name: label, role, unitId });
    keys[label] = key;
    principalIds[label] = p.id;
    return { id: p.id, key };
  };
  for (const role of ['intake', 'desk', 'officer', 'supervisor', 'reporter'] as const) {
    const p = await principal(role, CITY.id, role);
    keys[role] = p.key;
  }
  for (const [label, p] of Object.entries(options.principals ?? {})) await principal(p.role, p.unitId, label);

  let app!: FastifyInstance;
  const buildApi = async () => {
    app = Fastify({ loggerInstance: quietLog as FastifyBaseLogger });
    await buildApp(app, { db: database.db, temporal, taskQueue, policy, org: await new OrgDirectory(database.db).load(), actionTimeoutMs: 20_000, senders: options.senders, dispatchPolicy: options.dispatchPolicy });
    await app.ready();
  };
  await buildApi();

  const worker = { instance: undefined as unknown as Worker, stop: async () => {} };
  const startWorker = async () => {
    const instance = await createCaseWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      db: database.db,
      log: options.workerLog ?? quietLog,
      senders: options.senders,
      delivery: options.delivery,
      workflowBundle: bundle,
    });
    const running = instance.run();
    worker.instance = instance;
    worker.stop = async () => {
      if (instance.getState() === 'RUNNING') instance.shutdown();
      await running;
    };
  };
  await startWorker();

  const env: TestEnv = {
    databaseUrl,
    database,
    temporal,
    taskQueue,
    policy,
    get app() {
      return app;
    },
    worker,
    keys,
    principalIds,
    principal,
    startWorker,
    restartApi: async () => {
      await app.close();
      await buildApi();
    },
    request: (method, url, o = {}) => {
      const key = o.key === undefined ? keys.intake : o.key;
      return app.inject({
        method,
        url,
        payload: o.body as never,
        headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...o.headers },
      });
    },
    close: async () => {
      await worker.stop();
      await app.close();
      await nativeConnection.close();
      await temporal.connection.close();
      await database.close();
      // On a shared server (TEST_DATABASE_URL) nothing else clears a test file's database away.
      if (process.env.TEST_DATABASE_URL) {
        const admin = postgres(withDatabase(templateUrl, 'postgres'), { max: 1, onnotice: () => {} });
        await admin.unsafe(`drop database if exists ${dbName} with (force)`);
        await admin.end();
      }
    },
  };
  return env;
}

/** Polls until `fn` returns a value that passes `ok`, or fails with the last value seen. */
export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
}

/** A complaint as the workflow receives it, filed at the city on 2026-11-20 02:00 UTC, for pure tests. */
export const intakeFixture = (overrides: Partial<CaseIntake> = {}): CaseIntake => ({
  id: 'case1',
  trackingCode: 'BN0000000000',
  channel: 'xinmin',
  title: 't',
  description: 'd',
  urgent: false,
  location: { address: 'a' },
  attachments: [],
  receivedAt: '2026-11-20T02:00:00.000Z',
  filedBy: { id: 'intake', role: 'intake', unitPath: CITY.id },
  ...overrides,
});

export const sampleIntake = (overrides: Record<string, unknown> = {}) => ({
  channel: 'xinmin',
  title: '夜间施工噪音',
  description: '工地每晚十一点后仍在施工，影响居民休息',
  location: { address: '闵行区七宝镇漕宝路1号', district: '闵行区', street: '七宝镇' },
  citizen: { name: '王小明', phone: '13812345678' },
  ...overrides,
});
