// MinIO, a real S3-compatible server, for the tests of the S3 file store (test/files-s3.test.ts): the
// `minio` on PATH, else built once with Go into .tools/bin (as dev/services.ts builds the Temporal CLI),
// and started on free loopback ports with its data in a directory of the caller's.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { type Say, ensureGoTool } from './go-tools.js';
import { freePort, stopChild } from './services.js';

/** A pseudo-version of github.com/minio/minio that builds from the module proxy with no `replace` trouble. */
export const MINIO_VERSION = 'v0.0.0-20260212201848-7aac2a2c5b7c';
export const MINIO_MODULE = `github.com/minio/minio@${MINIO_VERSION}`;

/**
 * The `minio` server: from PATH, else the one installed under .tools/bin, else installed there now with the
 * Go toolchain (about 5 minutes on 2 cores the first time; Go's caches make later installs quick).
 */
export function ensureMinio(say: Say, toolsDir?: string): Promise<string> {
  return ensureGoTool(
    { binary: 'minio', label: 'MinIO', module: MINIO_MODULE, firstBuild: 'about 5 minutes', withoutGo: 'or put a `minio` server binary on PATH' },
    say,
    toolsDir,
  );
}

export interface Minio {
  /** http://127.0.0.1:PORT, the S3 API. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `minio server` on free loopback ports, its data and log in `dir`, and waits until it is live. */
export async function startMinio(o: { binary: string; dir: string; accessKeyId?: string; secretAccessKey?: string; timeoutMs?: number }): Promise<Minio> {
  const accessKeyId = o.accessKeyId ?? 'bangnong';
  const secretAccessKey = o.secretAccessKey ?? 'bangnong-test-secret';
  const [port, consolePort] = [await freePort(), await freePort()];
  const dataDir = path.join(o.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const logFile = path.join(o.dir, 'minio.log');
  const out = openSync(logFile, 'a');
  const child = spawn(o.binary, ['server', dataDir, '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, '--quiet'], {
    env: { ...process.env, MINIO_ROOT_USER: accessKeyId, MINIO_ROOT_PASSWORD: secretAccessKey, MINIO_UPDATE: 'off', MINIO_BROWSER: 'off' },
    stdio: ['ignore', out, out],
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const timeoutMs = o.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`MinIO exited with code ${child.exitCode}; see ${logFile}`);
    try {
      const res = await fetch(`${endpoint}/minio/health/live`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) break;
      last = `status ${res.status}`;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`MinIO did not answer on ${endpoint} within ${timeoutMs / 1000}s (${String(last)}); see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { endpoint, accessKeyId, secretAccessKey, process: child, stop: () => stopChild(child) };
}
