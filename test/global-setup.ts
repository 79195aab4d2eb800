// Starts the real services once for the suite: a Temporal dev server (in memory, with the case search
// attributes) and PostgreSQL (embedded, or TEST_DATABASE_URL's server), a migrated and seeded template
// database that every test file clones, and the workflow bundle every test worker loads.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { connectDatabase } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { seedOrganisation } from '../db/seed.js';
import { REPO_ROOT } from '../platform/config.js';
import { type DevServer, type EmbeddedDatabase, ensureTemporalCli, freePort, startEmbeddedPostgres, startTemporalDevServer } from '../platform/dev-services.js';
import { bundleWorkflows } from '../worker/worker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    /** A Postgres URL whose database name is TEMPLATE_DB; test files clone it. */
    postgresAdminUrl: string;
    workflowBundlePath: string;
    temporalCli: string;
  }
}

export const TEMPLATE_DB = 'bangnong_test_template';
const say = (m: string) => console.log(`[test setup] ${m}`);

export default async function setup(project: TestProject) {
  const dataDir = path.join(REPO_ROOT, '.data', 'test');
  mkdirSync(dataDir, { recursive: true });
  const started = Date.now();

  const binary = await ensureTemporalCli(say);
  const [temporal, pg, bundle] = await Promise.all([
    freePort().then((port): Promise<DevServer> => startTemporalDevServer({ binary, port, logFile: path.join(dataDir, 'temporal.log') })),
    process.env.TEST_DATABASE_URL
      ? Promise.resolve(undefined)
      : freePort().then((port): Promise<EmbeddedDatabase> => startEmbeddedPostgres({ dir: path.join(dataDir, 'postgres'), port, database: 'postgres', say })),
    bundleWorkflows(),
  ]);
  const bundlePath = path.join(dataDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  const adminUrl = process.env.TEST_DATABASE_URL ?? pg!.urlFor('postgres');
  const templateUrl = withDatabase(adminUrl, TEMPLATE_DB);
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${TEMPLATE_DB} with (force)`);
  await admin.unsafe(`create database ${TEMPLATE_DB}`);
  await admin.end();
  await migrateDatabase(templateUrl);
  const database = connectDatabase(templateUrl, { max: 1 });
  await seedOrganisation(database.db);
  await database.close();

  project.provide('temporalAddress', temporal.address);
  project.provide('postgresAdminUrl', templateUrl);
  project.provide('workflowBundlePath', bundlePath);
  project.provide('temporalCli', binary);
  say(`Temporal ${temporal.address}, Postgres ${pg ? 'embedded' : 'TEST_DATABASE_URL'}, ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);

  return async () => {
    await temporal.stop();
    await pg?.stop();
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
