// `./bangnong test [FILE…] [vitest options]`: type-check, lint (tools/lint), then the integration suite,
// then the fault tests; with FILEs, the type-check and only those files (fault test files go to the fault
// configuration). It ends with one line,
// `tests: N passed, N failed`, and exits non-zero unless every run passed.
//
// A run passes only when vitest's exit status AND its JSON report both say so, and the report counts
// at least one test: the status of a child process cannot be rewritten by an exit hook in this one, and
// the report cannot be cut short without being missing. (Both have failed alone: an exit hook in
// vitest's main process once turned a failing suite into status 0.)

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../platform/config.js';

const bin = (name: string) => path.join(REPO_ROOT, 'node_modules', '.bin', name);
const FAULTS_CONFIG = 'test/faults/vitest.config.ts';
const LINT = path.join(REPO_ROOT, 'tools', 'lint', 'node_modules', 'eslint', 'bin', 'eslint.js');
const LINT_CONFIG = path.join(REPO_ROOT, 'tools', 'lint', 'eslint.config.js');

interface Outcome {
  name: string;
  ok: boolean;
  passed: number;
  failed: number;
  skipped: number;
  why?: string;
}

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Reads the counts of vitest's JSON report; a missing or unreadable report is a failure. */
function judge(name: string, status: number, reportFile: string): Outcome {
  let report: { success?: boolean; numPassedTests?: number; numFailedTests?: number; numFailedTestSuites?: number; numPendingTests?: number; numTodoTests?: number; numTotalTests?: number };
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8'));
  } catch {
    return { name, ok: false, passed: 0, failed: 0, skipped: 0, why: `vitest wrote no report (exit status ${status})` };
  }
  const passed = report.numPassedTests ?? 0;
  const failed = report.numFailedTests ?? 0;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const why =
    status !== 0 ? `vitest exited with status ${status}`
    : report.success !== true ? 'the report says the run did not succeed'
    : failed > 0 ? `${failed} tests failed`
    : (report.numFailedTestSuites ?? 0) > 0 ? `${report.numFailedTestSuites} test files failed to run`
    : passed === 0 ? 'no test ran'
    : undefined;
  return { name, ok: why === undefined, passed, failed, skipped, why };
}

async function vitest(name: string, args: string[], scratch: string): Promise<Outcome> {
  const reportFile = path.join(scratch, `${name}.json`);
  const status = await run(bin('vitest'), ['run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`]);
  return judge(name, status, reportFile);
}

const isFile = (arg: string) => !arg.startsWith('-') && (arg.endsWith('.ts') || existsSync(path.resolve(arg)));
const FAULTS_DIR = path.join(REPO_ROOT, 'test', 'faults');
const isFault = (arg: string) => path.resolve(arg) === FAULTS_DIR || path.resolve(arg).startsWith(FAULTS_DIR + path.sep);

async function main(argv: string[]): Promise<number> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'bangnong-test-'));
  const outcomes: Outcome[] = [];
  try {
    if ((await run(bin('tsc'), ['--noEmit', '-p', '.'])) !== 0) {
      outcomes.push({ name: 'type-check', ok: false, passed: 0, failed: 0, skipped: 0, why: 'the type-check failed (see above)' });
    } else if (argv.length === 0 && (await run(process.execPath, [LINT, '--config', LINT_CONFIG, '.'])) !== 0) {
      outcomes.push({ name: 'lint', ok: false, passed: 0, failed: 0, skipped: 0, why: 'ESLint found problems (see above)' });
    } else if (argv.length === 0) {
      // The whole suite; the fault tests load the machine fully, so they run after, and only on green.
      outcomes.push(await vitest('suite', [], scratch));
      if (outcomes[0]!.ok) outcomes.push(await vitest('faults', ['--config', FAULTS_CONFIG], scratch));
    } else {
      const options = argv.filter((a) => !isFile(a));
      const files = argv.filter(isFile);
      const faultFiles = files.filter(isFault);
      const suiteFiles = files.filter((f) => !isFault(f));
      if (suiteFiles.length > 0 || faultFiles.length === 0) outcomes.push(await vitest('suite', [...suiteFiles, ...options], scratch));
      if (faultFiles.length > 0) outcomes.push(await vitest('faults', ['--config', FAULTS_CONFIG, ...faultFiles, ...options], scratch));
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  for (const o of outcomes) if (!o.ok) console.log(`[bangnong test] ${o.name}: ${o.why}`);
  const sum = (k: 'passed' | 'failed' | 'skipped') => outcomes.reduce((n, o) => n + o[k], 0);
  console.log(`tests: ${sum('passed')} passed, ${sum('failed')} failed${sum('skipped') ? `, ${sum('skipped')} skipped` : ''}`);
  return outcomes.every((o) => o.ok) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
