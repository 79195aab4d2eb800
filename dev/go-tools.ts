// Servers the project runs but npm does not carry (the Temporal CLI, MinIO for the S3 tests): the binary
// on PATH if there is one, else the one built before under .tools/bin, else built there now with the Go
// toolchain from the module proxy — minutes the first time, with progress; Go's caches make it quick after.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../platform/config.js';

export type Say = (message: string) => void;

export function onPath(binary: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export interface GoTool {
  /** The binary's name, on PATH and under .tools/bin. */
  binary: string;
  /** What a person calls it: "the Temporal CLI", "MinIO". */
  label: string;
  /** module@version, as `go install` takes it. */
  module: string;
  /** How long the first build takes, for the message: "a few minutes". */
  firstBuild: string;
  /** What to do without Go, besides installing it. */
  withoutGo: string;
  /** Whether a binary of this name on PATH will do (not for names as plain as `server`); default true. */
  pathLookup?: boolean;
}

/** The tool's binary: from PATH, else .tools/bin, else built there now. */
export async function ensureGoTool(tool: GoTool, say: Say, toolsDir = path.join(REPO_ROOT, '.tools', 'bin')): Promise<string> {
  const fromPath = tool.pathLookup === false ? undefined : onPath(tool.binary);
  if (fromPath) return fromPath;
  const local = path.join(toolsDir, tool.binary);
  if (existsSync(local)) return local;
  const go = onPath('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) throw new Error(`${tool.label} is not installed and there is no Go toolchain to build it. Install Go (https://go.dev/dl/), ${tool.withoutGo}.`);
  mkdirSync(toolsDir, { recursive: true });
  say(`Installing ${tool.label} (${tool.module}) with ${go} into ${toolsDir} (${tool.firstBuild} the first time)…`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(go, ['install', tool.module], { env: { ...process.env, GOBIN: toolsDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let downloads = 0;
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      downloads += (text.match(/go: downloading/g) ?? []).length;
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const progress = setInterval(() => say(`  still building ${tool.label}: ${Math.round((Date.now() - started) / 1000)}s, ${downloads} modules downloaded`), 15_000);
    child.on('error', (e) => {
      clearInterval(progress);
      reject(e);
    });
    child.on('exit', (code) => {
      clearInterval(progress);
      if (code === 0) resolve();
      else reject(new Error(`go install ${tool.module} failed (exit ${code}). Check that Go reaches its module proxy (go env GOPROXY).\n${output.slice(-3000)}`));
    });
  });
  say(`Installed ${tool.label} in ${Math.round((Date.now() - started) / 1000)}s.`);
  return local;
}
