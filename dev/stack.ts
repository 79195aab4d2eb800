// The whole service as separate processes, the way `./bangnong up` (or `./bangnong cluster`) runs it, for
// the fault tests and the benchmarks: a Temporal dev server on a SQLite file — or, with `cluster`, the
// Temporal server's four services on PostgreSQL — an embedded PostgreSQL, worker and API processes. Each
// part can be killed, stopped and started again.

import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectDatabase, type Database } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { createPrincipal } from '../db/queries/principals.js';
import { CITY, seedOrganisation } from '../db/seed.js';
import { REPO_ROOT, WORKER_NODE_OPTIONS } from '../platform/config.js';
import {
  type DevServer,
  type EmbeddedDatabase,
  ensureTemporalCli,
  freePort,
  startEmbeddedPostgres,
  startTemporalDevServer,
  stopChild,
} from './services.js';
import { loadPolicy } from '../platform/policy-file.js';
import { ROLES, type Role } from '../domain/case.js';
import type { Policy } from '../domain/policy.js';
import { writeWorkflowBundle } from '../platform/bundle.js';
import { type TemporalCluster, ensureTemporalServer, freeClusterPorts, prepareNamespace, setupTemporalSchemas, startTemporalCluster } from './cluster.js';

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Peak resident memory so far (VmHWM), in MB. */
  peakRssMb(): number;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

export interface Stack {
  dir: string;
  temporalAddress: string;
  databaseUrl: string;
  /** Pid of the Temporal dev server, or of the cluster's history service (it changes when the server restarts). */
  temporalPid(): number | undefined;
  /** The Temporal cluster's four services, when the stack runs one. */
  cluster?: TemporalCluster;
  apiUrl: string;
  taskQueue: string;
  policyFile: string;
  policy: Policy;
  keys: Record<Role, string>;
  database: Database;
  workers: ServiceProcess[];
  /** The first API process; `apis` has them all (they share one port, API_REUSE_PORT). */
  api?: ServiceProcess;
  apis: ServiceProcess[];
  startWorker(extraEnv?: Record<string, string>): Promise<ServiceProcess>;
  startApi(): Promise<ServiceProcess>;
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  restartTemporal(): Promise<void>;
  close(): Promise<void>;
}

const say = (m: string) => console.log(`[stack] ${m}`);

function readPeakRss(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Whether process `pid` holds a listening TCP socket on `port` (from /proc: Linux). */
export function listensOn(pid: number | undefined, port: number): boolean {
  if (!pid) return false;
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[1]!.endsWith(`:${hexPort}`) && f[3] === '0A') inodes.add(f[9]!);
    }
  }
  if (inodes.size === 0) return false;
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        return m !== null && inodes.has(m[1]!);
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} not ready within ${timeoutMs / 1000}s`);
}

export async function startStack(o: {
  name: string;
  policy?: (p: Policy) => Policy;
  logLevel?: string;
  workerEnv?: Record<string, string>;
  /** The workflows the workers run: the case workflow by default (the benchmarks add their baselines). */
  workflowsPath?: string;
  /** Runs the Temporal server's four services on the embedded PostgreSQL instead of the dev server. */
  cluster?: boolean;
}): Promise<Stack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `bangnong-${o.name}-`));
  // Readable by the postgres user the embedded server runs as when this process is root.
  chmodSync(dir, 0o755);
  const pgPort = await freePort();
  const apiPort = await freePort();
  const pgOptions = { dir: path.join(dir, 'postgres'), port: pgPort, database: 'bangnong', say };
  let pg: EmbeddedDatabase | undefined = await startEmbeddedPostgres(pgOptions);
  const databaseUrl = pg.url;
  let temporal: DevServer | undefined;
  let cluster: TemporalCluster | undefined;
  let restartTemporal: () => Promise<void>;
  if (o.cluster) {
    const { server, sqlTool } = await ensureTemporalServer(say);
    const db = { host: '127.0.0.1', port: pgPort, user: 'bangnong', password: 'bangnong', database: 'temporal', visibilityDatabase: 'temporal_visibility' };
    await setupTemporalSchemas(sqlTool, db, say);
    const running = await startTemporalCluster({ server, dir: path.join(dir, 'temporal'), db, ports: await freeClusterPorts(), historyShards: 4, logLevel: 'warn', say });
    cluster = running;
    await prepareNamespace(running.address, 'default', 1, say);
    restartTemporal = async () => {
      await running.stop();
      for (const name of ['history', 'matching', 'frontend', 'worker'] as const) await running.services[name].start();
      await running.ready();
    };
  } else {
    const binary = await ensureTemporalCli(say);
    const temporalOptions = { binary, dbFile: path.join(dir, 'temporal.sqlite'), port: await freePort(), logFile: path.join(dir, 'temporal.log') };
    temporal = await startTemporalDevServer(temporalOptions);
    restartTemporal = async () => {
      await temporal!.stop();
      temporal = await startTemporalDevServer(temporalOptions);
    };
  }
  const temporalAddress = () => cluster?.address ?? temporal!.address;
  await migrateDatabase(databaseUrl);
  const database = connectDatabase(databaseUrl, { max: 5 });
  await seedOrganisation(database.db);
  const keys = {} as Record<Role, string>;
  for (const role of ROLES) keys[role] = (await createPrincipal(database.db, { name: `${role}`, role, unitId: CITY.id })).key;

  const base = loadPolicy(path.join(REPO_ROOT, 'policy', 'deadlines.json'), path.join(REPO_ROOT, 'policy', 'calendar.json'));
  const policy = o.policy ? o.policy(base) : base;
  const { calendar, ...rest } = policy;
  const policyFile = path.join(dir, 'deadlines.json');
  const calendarFile = path.join(dir, 'calendar.json');
  writeFileSync(policyFile, JSON.stringify(rest));
  writeFileSync(calendarFile, JSON.stringify(calendar));
  const taskQueue = `stack-${o.name}`;
  const bundle = await writeWorkflowBundle(path.join(dir, 'workflow-bundle.js'), o.workflowsPath);
  mkdirSync(path.join(dir, 'logs'), { recursive: true });

  const env = (extra: Record<string, string> = {}) => ({
    ...process.env,
    NODE_ENV: 'production',
    CI: '1',
    LOG_LEVEL: o.logLevel ?? 'warn',
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress(),
    TEMPORAL_TASK_QUEUE: taskQueue,
    API_PORT: String(apiPort),
    POLICY_FILE: policyFile,
    CALENDAR_FILE: calendarFile,
    WORKFLOW_BUNDLE: bundle,
    // The load drives the API with one key per role, far past a client's rate limit.
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_PUBLIC_PER_MINUTE: '1000000',
    // The API processes share one port: each must accept the form tokens another signed.
    FORM_TOKEN_SECRET: `stack-${o.name}-form-token-secret-0123456789`,
    ...extra,
  });

  let serial = 0;
  const spawnService = (name: string, entry: string, extra?: Record<string, string>): ServiceProcess => {
    const log = path.join(dir, 'logs', `${name}-${++serial}.log`);
    const out = openSync(log, 'a');
    // PROFILE_DIR=… writes a V8 CPU profile of each service when it stops (open it in Chrome DevTools).
    const profile = process.env.PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE_DIR}`] : [];
    const nodeOptions = entry === 'worker/main.ts' ? WORKER_NODE_OPTIONS : [];
    const child = spawn(process.execPath, [...profile, ...nodeOptions, '--import', 'tsx', entry], { cwd: REPO_ROOT, env: env(extra), stdio: ['ignore', out, out] });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, readPeakRss(child.pid))), 500);
    child.once('exit', () => clearInterval(sampler));
    return {
      name,
      child,
      peakRssMb: () => Math.max(peak, readPeakRss(child.pid)),
      stop: () => stopChild(child, 30_000),
      kill9: async () => {
        if (child.exitCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      },
    };
  };

  const stack: Stack = {
    dir,
    get temporalAddress() {
      return temporalAddress();
    },
    databaseUrl,
    temporalPid: () => (cluster ? cluster.services.history.pid() : temporal!.process.pid),
    cluster,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    taskQueue,
    policyFile,
    policy,
    keys,
    database,
    workers: [],
    api: undefined,
    apis: [],
    async startWorker(extra) {
      const w = spawnService('worker', 'worker/main.ts', { ...o.workerEnv, ...extra });
      stack.workers.push(w);
      // Ready once the Temporal server lists it as a poller of the task queue.
      const { Connection } = await import('@temporalio/client');
      const connection = await Connection.connect({ address: temporalAddress() });
      try {
        await waitFor(
          'worker',
          async () => {
            const res = await connection.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: 1 });
            return res.pollers.some((p) => p.identity?.includes(`bangnong-worker-${w.child.pid}@`));
          },
          90_000,
        );
      } finally {
        await connection.close();
      }
      return w;
    },
    async startApi() {
      const api = spawnService('api', 'api/server.ts', { API_REUSE_PORT: 'true' });
      stack.api ??= api;
      stack.apis.push(api);
      // Ready when this process itself listens (others may share the port already) and the port answers.
      await waitFor('API', async () => {
        if (api.child.exitCode !== null) throw new Error(`the API exited with code ${api.child.exitCode}; see ${dir}/logs`);
        return listensOn(api.child.pid, apiPort) && (await fetch(`${stack.apiUrl}/healthz`)).ok;
      }, 60_000);
      return api;
    },
    async stopPostgres() {
      await pg?.stop();
      pg = undefined;
    },
    async startPostgres() {
      pg = await startEmbeddedPostgres(pgOptions);
    },
    restartTemporal: () => restartTemporal(),
    async close() {
      await Promise.all([...stack.apis.map((a) => a.stop()), ...stack.workers.map((w) => w.stop())]);
      await database.close().catch(() => undefined);
      await (cluster ? cluster.stop() : temporal!.stop());
      await pg?.stop();
      // KEEP_STACK=1 keeps the servers' data and the services' logs for a look afterwards.
      if (process.env.KEEP_STACK) say(`kept ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** A minimal HTTP client of the contract, for load: JSON in, status and JSON out. */
export async function call(stack: Stack, method: 'GET' | 'POST', url: string, key: string | undefined, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.apiUrl}${url}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = { raw: text };
  }
  return { status: res.status, json };
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` at once. */
export async function pool<T>(n: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}
