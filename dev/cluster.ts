// The production shape of Temporal, run for real on one machine: the pinned Temporal server built once
// with Go, its schemas set up (or upgraded) on PostgreSQL by temporal-sql-tool, and its four services —
// frontend, history, matching, worker — as separate processes sharing one configuration written from a
// template. `./bangnong cluster`, the cluster fault tests and the cluster benchmarks start it here.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { msToTs } from '@temporalio/common/lib/time.js';
import postgres from 'postgres';
import { REPO_ROOT } from '../platform/config.js';
import { SEARCH_ATTRIBUTES } from '../workflows/messages.js';
import { type Say, ensureGoTool } from './go-tools.js';
import { alive, isPortFree, stopChild } from './services.js';

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
export const CLUSTER_SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type ClusterServiceName = (typeof CLUSTER_SERVICES)[number];

const run = promisify(execFile);

/**
 * The server and its SQL tool. `go install` names them after their folders (`server`, `sql`), names too
 * plain for PATH, so they live in a folder of their own under .tools and are never looked up on PATH.
 */
export async function ensureTemporalServer(say: Say): Promise<{ server: string; sqlTool: string }> {
  const toolsDir = path.join(REPO_ROOT, '.tools', `temporal-server-${TEMPORAL_SERVER_VERSION}`);
  const common = { withoutGo: 'or point TEMPORAL_ADDRESS at an existing Temporal cluster and use `./bangnong up`', pathLookup: false };
  const server = await ensureGoTool(
    { ...common, binary: 'server', label: `the Temporal server ${TEMPORAL_SERVER_VERSION}`, module: `go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION}`, firstBuild: 'about 4 minutes' },
    say,
    toolsDir,
  );
  const sqlTool = await ensureGoTool(
    { ...common, binary: 'sql', label: `temporal-sql-tool ${TEMPORAL_SERVER_VERSION}`, module: `go.temporal.io/server/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`, firstBuild: 'about a minute' },
    say,
    toolsDir,
  );
  return { server, sqlTool };
}

/** Where Temporal keeps its state: a PostgreSQL server and the two databases on it. */
export interface TemporalDatabase {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The main store (executions, shards, queues, membership). */
  database: string;
  /** The visibility store (what `listWorkflowExecutions` and the search attributes read). */
  visibilityDatabase: string;
}

/** TEMPORAL_DATABASE_URL (postgres://user:password@host:port/database) as the server's settings. */
export function temporalDatabaseFromUrl(url: string): TemporalDatabase {
  const u = new URL(url);
  if (!/^postgres(ql)?:$/.test(u.protocol)) throw new Error(`TEMPORAL_DATABASE_URL must be a postgres:// URL, not ${u.protocol}`);
  const database = decodeURIComponent(u.pathname.slice(1)) || 'temporal';
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database,
    visibilityDatabase: `${database}_visibility`,
  };
}

/**
 * Creates the two databases when missing, sets up the schema of a new one (version 0.0) and upgrades both
 * to the schema this server version embeds. Safe to run on every start: an up-to-date schema is left alone.
 */
export async function setupTemporalSchemas(sqlTool: string, db: TemporalDatabase, say: Say): Promise<void> {
  const admin = postgres({ host: db.host, port: db.port, user: db.user, password: db.password, database: 'postgres', max: 1, onnotice: () => {} });
  try {
    for (const name of [db.database, db.visibilityDatabase]) {
      const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
      if (!exists) {
        say(`creating the database ${name}`);
        await admin.unsafe(`create database "${name.replace(/"/g, '""')}"`);
      }
    }
  } finally {
    await admin.end();
  }
  for (const [name, schema] of [
    [db.database, 'postgresql/v12/temporal'],
    [db.visibilityDatabase, 'postgresql/v12/visibility'],
  ] as const) {
    const args = ['--plugin', 'postgres12', '--endpoint', db.host, '--port', String(db.port), '--user', db.user, '--password', db.password, '--database', name];
    const probe = postgres({ host: db.host, port: db.port, user: db.user, password: db.password, database: name, max: 1, onnotice: () => {} });
    let versioned: boolean;
    try {
      const [row] = await probe`select to_regclass('public.schema_version') is not null as present`;
      versioned = Boolean(row?.present);
    } finally {
      await probe.end();
    }
    try {
      if (!versioned) await run(sqlTool, [...args, 'setup-schema', '--version', '0.0']);
      await run(sqlTool, [...args, 'update-schema', '--schema-name', schema]);
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`temporal-sql-tool could not set up ${name} (${schema}): ${(err.stderr || err.message).slice(-1500)}`);
    }
    say(`Temporal schema ${schema} is current in ${name}`);
  }
}

/** The ports of one service: its gRPC port and the port its ring membership gossips on. */
export interface ServicePorts {
  grpc: number;
  membership: number;
  /** Prometheus metrics of this service (tally). */
  metrics: number;
}

export type ClusterPorts = Record<ClusterServiceName, ServicePorts> & { frontendHttp: number };

/**
 * Fixed ports from a base (the frontend's gRPC port), so a restarted cluster finds its own: base … base+33.
 * Temporal stores membership ports in a smallint column, so they must stay below 32768.
 */
export function portsFrom(base: number): ClusterPorts {
  if (base + 13 > 32767) throw new Error(`the Temporal cluster's ports start at ${base}: Temporal keeps membership ports (base+10 … base+13) as a smallint, so choose a base of at most 32754 (TEMPORAL_CLUSTER_PORT)`);
  const at = (i: number): ServicePorts => ({ grpc: base + i, membership: base + 10 + i, metrics: base + 30 + i });
  return { frontend: at(0), history: at(1), matching: at(2), worker: at(3), frontendHttp: base + 20 };
}

const allPorts = (p: ClusterPorts) => [...CLUSTER_SERVICES.flatMap((name) => [p[name].grpc, p[name].membership, p[name].metrics]), p.frontendHttp];

/** A base whose 34 ports are free, between 20000 and 32700, for tests and benchmarks that run beside anything else. */
export async function freeClusterPorts(): Promise<ClusterPorts> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const ports = portsFrom(20_000 + Math.floor(Math.random() * 12_700));
    let free = true;
    for (const port of allPorts(ports)) if (!(await isPortFree(port))) free = false;
    if (free) return ports;
  }
  throw new Error('found no free run of ports for a Temporal cluster between 20000 and 32754');
}

export interface ClusterSettings {
  db: TemporalDatabase;
  ports: ClusterPorts;
  /** Fixed when the cluster is first set up: history shards cannot change afterwards. */
  historyShards: number;
  logLevel: string;
}

const yamlString = (s: string) => JSON.stringify(s);

/**
 * The server configuration, one folder per service: the same settings, but each process serves its own
 * Prometheus endpoint, so two services on one host do not fight over a port.
 */
export function clusterConfig(s: ClusterSettings, service: ClusterServiceName, dynamicConfigFile: string): string {
  const store = (name: string, maxConns: number) => `      sql:
        pluginName: "postgres12"
        databaseName: ${yamlString(name)}
        connectAddr: ${yamlString(`${s.db.host}:${s.db.port}`)}
        connectProtocol: "tcp"
        user: ${yamlString(s.db.user)}
        password: ${yamlString(s.db.password)}
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: "1h"`;
  const rpc = (name: ClusterServiceName) => `  ${name}:
    rpc:
      grpcPort: ${s.ports[name].grpc}
      membershipPort: ${s.ports[name].membership}
      bindOnIP: "127.0.0.1"${name === 'frontend' ? `\n      httpPort: ${s.ports.frontendHttp}` : ''}`;
  return `# Written by Bangnong (dev/cluster.ts) for the ${service} service; rewritten at every start.
log:
  stdout: true
  level: ${yamlString(s.logLevel)}

persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: ${s.historyShards}
  datastores:
    postgres-default:
${store(s.db.database, 20)}
    postgres-visibility:
${store(s.db.visibilityDatabase, 5)}

global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  metrics:
    prometheus:
      framework: "tally"
      timerType: "histogram"
      listenAddress: "127.0.0.1:${s.ports[service].metrics}"

services:
${CLUSTER_SERVICES.map(rpc).join('\n')}

clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${s.ports.frontend.grpc}"

dcRedirectionPolicy:
  policy: "noop"

dynamicConfigClient:
  filepath: ${yamlString(dynamicConfigFile)}
  pollInterval: "10s"
`;
}

/** The dynamic configuration: the dev server's defaults throttle one namespace well below what the machine sustains. */
export const CLUSTER_DYNAMIC_CONFIG = `# Written by Bangnong (dev/cluster.ts); rewritten at every start.
frontend.namespaceRPS:
  - value: 20000
frontend.namespaceBurstRatio:
  - value: 2
frontend.rps:
  - value: 20000
history.persistenceMaxQPS:
  - value: 20000
frontend.persistenceMaxQPS:
  - value: 20000
matching.persistenceMaxQPS:
  - value: 20000
system.enableActivityEagerExecution:
  - value: true
system.enableEagerWorkflowStart:
  - value: true
limit.maxIDLength:
  - value: 255
`;

/** One Temporal service process: it can be stopped, killed and started again with the same configuration. */
export interface ClusterService {
  name: ClusterServiceName;
  pid(): number | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
  kill9(): Promise<void>;
  restart(): Promise<void>;
}

export interface TemporalCluster {
  address: string;
  services: Record<ClusterServiceName, ClusterService>;
  /** Waits until the frontend answers and history and matching serve it. */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions extends ClusterSettings {
  server: string;
  /** Configuration, pid files and logs go here. */
  dir: string;
  say: Say;
  /** Called when a service exits without being asked to (killed, crashed); `./bangnong cluster` starts it again. */
  onUnexpectedExit?: (service: ClusterService, how: string) => void;
}

/** The order a cluster starts in (and stops in reverse): the ring needs history before the others serve. */
const START_ORDER: ClusterServiceName[] = ['history', 'matching', 'frontend', 'worker'];

export async function startTemporalCluster(o: ClusterOptions): Promise<TemporalCluster> {
  const dynamicConfigFile = path.join(o.dir, 'dynamicconfig.yaml');
  mkdirSync(path.join(o.dir, 'logs'), { recursive: true });
  writeFileSync(dynamicConfigFile, CLUSTER_DYNAMIC_CONFIG);
  const address = `127.0.0.1:${o.ports.frontend.grpc}`;

  const service = (name: ClusterServiceName): ClusterService => {
    const configDir = path.join(o.dir, 'config', name);
    mkdirSync(configDir, { recursive: true });
    writeFileSync(path.join(configDir, 'production.yaml'), clusterConfig(o, name, dynamicConfigFile));
    const pidFile = path.join(o.dir, `${name}.pid`);
    const logFile = path.join(o.dir, 'logs', `${name}.log`);
    let child: ChildProcess | undefined;
    let stopping = false;
    const self: ClusterService = {
      name,
      pid: () => (child && child.exitCode === null && child.signalCode === null ? child.pid : undefined),
      async start() {
        await stopLeftover(pidFile, o.say, `Temporal ${name}`);
        for (const port of [o.ports[name].grpc, o.ports[name].membership, o.ports[name].metrics, ...(name === 'frontend' ? [o.ports.frontendHttp] : [])]) {
          if (!(await isPortFree(port))) {
            throw new Error(`port ${port} for the Temporal ${name} is taken. Stop what holds it, or choose another base with TEMPORAL_CLUSTER_PORT.`);
          }
        }
        const out = openSync(logFile, 'a');
        stopping = false;
        child = spawn(o.server, ['--root', o.dir, '--config', path.join('config', name), '--env', 'production', '--allow-no-auth', 'start', '--service', name], {
          stdio: ['ignore', out, out],
        });
        if (child.pid) writeFileSync(pidFile, String(child.pid));
        const started = child;
        started.once('exit', (code, signal) => {
          if (!stopping && child === started) o.onUnexpectedExit?.(self, signal ?? `exit code ${code}`);
        });
        // The worker service serves no gRPC of its own; it is up once it gossips on its membership port.
        await waitForPort(name === 'worker' ? o.ports[name].membership : o.ports[name].grpc, 60_000, () => {
          if (started.exitCode !== null) throw new Error(`the Temporal ${name} exited with code ${started.exitCode}; see ${logFile}`);
        });
      },
      async stop() {
        stopping = true;
        if (child) await stopChild(child, 20_000);
      },
      async kill9() {
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        stopping = true;
        const exited = new Promise((r) => child!.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      },
      async restart() {
        await self.stop();
        await self.start();
      },
    };
    return self;
  };

  const services = Object.fromEntries(CLUSTER_SERVICES.map((name) => [name, service(name)])) as Record<ClusterServiceName, ClusterService>;
  const cluster: TemporalCluster = {
    address,
    services,
    ready: (timeoutMs = 120_000) => waitForCluster(address, timeoutMs),
    async stop() {
      for (const name of [...START_ORDER].reverse()) await services[name].stop().catch(() => undefined);
    },
  };
  try {
    for (const name of START_ORDER) {
      o.say(`starting the Temporal ${name} (metrics http://127.0.0.1:${o.ports[name].metrics}/metrics)`);
      await services[name].start();
    }
    await cluster.ready();
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}

async function waitForPort(port: number, timeoutMs: number, check: () => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    check();
    if (!(await isPortFree(port))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nothing listens on port ${port} after ${timeoutMs / 1000}s`);
}

/**
 * Ready when the frontend answers for history (an unknown workflow is "not found", not "unavailable") and
 * for matching (a task queue can be described).
 */
export async function waitForCluster(address: string, timeoutMs: number, namespace = 'temporal-system'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: '2s' });
      try {
        const service = connection.workflowService;
        await service.describeTaskQueue({ namespace, taskQueue: { name: 'bangnong-readiness' }, taskQueueType: 1 });
        try {
          await service.describeWorkflowExecution({ namespace, execution: { workflowId: 'bangnong-readiness-probe' } });
        } catch (e) {
          if ((e as { code?: number }).code !== 5) throw e; // NOT_FOUND: history answered
        }
        return;
      } finally {
        await connection.close();
      }
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`the Temporal cluster at ${address} was not ready within ${timeoutMs / 1000}s (${String((last as Error)?.message ?? last)}); see its logs`);
}

/**
 * The namespace with its retention, and the case search attributes registered on it (SQL visibility keeps
 * them per namespace). Idempotent: an existing namespace keeps its data and gets the retention set.
 */
export async function prepareNamespace(address: string, namespace: string, retentionDays: number, say: Say): Promise<void> {
  const connection = await Connection.connect({ address });
  const retention = msToTs(retentionDays * 86_400_000);
  try {
    const service = connection.workflowService;
    try {
      await service.registerNamespace({ namespace, workflowExecutionRetentionPeriod: retention, description: 'Bangnong cases' });
      say(`registered the namespace ${namespace} (retention ${retentionDays} days)`);
    } catch (e) {
      if ((e as { code?: number }).code !== 6) throw e; // ALREADY_EXISTS
      await service.updateNamespace({ namespace, config: { workflowExecutionRetentionTtl: retention } });
    }
    // A new namespace takes a moment to reach every frontend's cache.
    for (let i = 0; ; i++) {
      try {
        await service.describeNamespace({ namespace });
        break;
      } catch (e) {
        if (i > 60) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const wanted = Object.values(SEARCH_ATTRIBUTES);
    for (let i = 0; ; i++) {
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
        const missing = wanted.filter((key) => !customAttributes?.[key.name]);
        if (missing.length > 0) {
          await connection.operatorService.addSearchAttributes({
            namespace,
            searchAttributes: Object.fromEntries(missing.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!])),
          });
          say(`registered the search attributes ${missing.map((k) => k.name).join(', ')} on ${namespace}`);
        }
        break;
      } catch (e) {
        // The namespace cache of a just-registered namespace can lag by a few seconds.
        if (i > 30) throw e;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  } finally {
    await connection.close();
  }
}

/** Stops a server process a previous run left behind (its pid file outlived it), so its ports are free again. */
async function stopLeftover(pidFile: string, say: Say, what: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !alive(pid)) return;
  // Only a Temporal server: a recycled pid may now be anything else.
  let command = '';
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!command.includes('--allow-no-auth')) return;
  say(`stopping the ${what} a previous run left behind (pid ${pid})`);
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}
