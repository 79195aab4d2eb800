// Starts the real services once for the suite: a Temporal dev server (in memory, with the case search
// attributes) and PostgreSQL (embedded, or TEST_DATABASE_URL's server), a migrated and seeded template
// database that every test file clones, and the workflow bundle every test worker loads.
//
// The servers run in a child process (test/suite-services.ts), never in vitest's own: see that file for why.
// Each run keeps its files in a folder of its own under .data/test, so runs can go on side by side
// (the suite runs the test command itself, test/test-command.test.ts).

import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { connectDatabase } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { seedOrganisation } from '../db/seed.js';
import { alive } from '../dev/services.js';
import { REPO_ROOT } from '../platform/config.js';
import { bundleWorkflows } from '../platform/bundle.js';
import type { Services, ServicesMessage } from './suite-services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    /** A Postgres URL of the template database; test files clone it. */
    postgresAdminUrl: string;
    templateDatabase: string;
    workflowBundlePath: string;
    temporalCli: string;
  }
}

const TEST_DIR = path.join(REPO_ROOT, '.data', 'test');
const say = (m: string) => console.log(`[test setup] ${m}`);

/** Removes the folders of earlier runs whose test process is gone (killed before its teardown). */
function removeStaleRuns() {
  if (!existsSync(TEST_DIR)) return;
  for (const name of readdirSync(TEST_DIR)) {
    const pidFile = path.join(TEST_DIR, name, 'owner.pid');
    if (!name.startsWith('run-') || !existsSync(pidFile)) continue;
    if (!alive(Number(readFileSync(pidFile, 'utf8')))) rmSync(path.join(TEST_DIR, name), { recursive: true, force: true });
  }
}

/** Starts test/suite-services.ts and waits for its servers; relays its progress lines. */
function startServices(runDir: string): Promise<{ child: ChildProcess; services: Services }> {
  const child = fork(path.join(REPO_ROOT, 'test', 'suite-services.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BANGNONG_TEST_RUN_DIR: runDir },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.on('message', (m: ServicesMessage) => {
      if ('say' in m) say(m.say);
      else if ('ready' in m) resolve({ child, services: m.ready });
      else reject(new Error(`the test services did not start: ${m.failed}`));
    });
    child.on('exit', (code) => reject(new Error(`the test services process exited (code ${code}) before its servers were ready`)));
  });
}

async function stopServices(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.send('stop');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

export default async function setup(project: TestProject) {
  removeStaleRuns();
  const runDir = path.join(TEST_DIR, `run-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(path.join(runDir, 'owner.pid'), String(process.pid));
  const started = Date.now();

  // With the tracing interceptor: the observability test's worker traces, and every other test runs through its pass-through.
  const [{ child, services }, bundle] = await Promise.all([startServices(runDir), bundleWorkflows(undefined, { tracing: true })]);
  const bundlePath = path.join(runDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  const templateDatabase = `bangnong_test_template_${randomBytes(4).toString('hex')}`;
  const adminUrl = services.postgresAdminUrl;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${templateDatabase}`);
  const templateUrl = withDatabase(adminUrl, templateDatabase);
  await migrateDatabase(templateUrl);
  const database = connectDatabase(templateUrl, { max: 1 });
  await seedOrganisation(database.db);
  await database.close();

  project.provide('temporalAddress', services.temporalAddress);
  project.provide('postgresAdminUrl', templateUrl);
  project.provide('templateDatabase', templateDatabase);
  project.provide('workflowBundlePath', bundlePath);
  project.provide('temporalCli', services.temporalCli);
  say(`Temporal ${services.temporalAddress}, Postgres ${process.env.TEST_DATABASE_URL ? 'TEST_DATABASE_URL' : 'embedded'}, ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);

  return async () => {
    if (process.env.TEST_DATABASE_URL) await admin.unsafe(`drop database if exists ${templateDatabase} with (force)`).catch(() => {});
    await admin.end();
    await stopServices(child);
    if (!process.env.KEEP_TEST_DATA) rmSync(runDir, { recursive: true, force: true });
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
