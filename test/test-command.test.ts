// The test of the test command: `./bangnong test FILE` must exit non-zero when a test fails, and zero
// only when every test that ran passed. CI trusts that status; it once said 0 for a failing suite.

import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../platform/config.js';

const FIXTURE = 'test/fixtures/test-command.fixture.ts';

/** Runs `./bangnong test …` as a person would, with the fixtures included; answers its status and output. */
function bangnongTest(args: string[]): Promise<{ status: number | null; output: string }> {
  // The outer vitest's own variables would make the inner one think it is a worker of this run.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && !k.startsWith('__VITEST')));
  return new Promise((resolve, reject) => {
    const child = spawn('./bangnong', ['test', ...args], { cwd: REPO_ROOT, env: { ...env, BANGNONG_TEST_FIXTURES: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (status) => resolve({ status, output }));
  });
}

describe('./bangnong test', () => {
  it('When a test fails, then the command exits non-zero and its closing line counts the failure; when the same file passes, it exits 0', async () => {
    const [failing, passing, empty] = await Promise.all([
      bangnongTest([FIXTURE]),
      bangnongTest([FIXTURE, '-t', 'passes']),
      bangnongTest(['test/fixtures/no-such-file.fixture.ts']),
    ]);

    expect(failing.output).toContain('fails on purpose');
    expect(failing.output).toMatch(/^tests: 1 passed, 1 failed$/m);
    expect(failing.status, failing.output).toBe(1);

    expect(passing.output).toMatch(/^tests: 1 passed, 0 failed, 1 skipped$/m);
    expect(passing.status, passing.output).toBe(0);

    // A run that ran no test is no pass either.
    expect(empty.output).toMatch(/^tests: 0 passed, 0 failed$/m);
    expect(empty.status, empty.output).not.toBe(0);
  }, 240_000);
});
