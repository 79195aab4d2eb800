// Replays the saved histories of every lifecycle path (test/histories, recorded from the end-to-end
// tests with RECORD_HISTORIES=1) against today's workflow code: a change that would break cases
// already running fails here. After an intended change, guard it with patched() and record the new
// paths (recording never overwrites a history that is there).

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '../platform/config.js';
import { HISTORIES_DIR } from './lifecycle.helpers.js';

const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();

/**
 * Every name a test records with recordHistory(…, 'name') or recordWorkflowHistory(…, 'name') (the erasure's
 * and the suggestions' workflows): each path a test walks must have its history. The replay takes each
 * history's workflow type from the history itself.
 */
function recordedPaths(): string[] {
  const testDir = path.join(REPO_ROOT, 'test');
  const names = readdirSync(testDir)
    .filter((f) => f.endsWith('.test.ts'))
    .flatMap((f) => [...readFileSync(path.join(testDir, f), 'utf8').matchAll(/record(?:Workflow)?History\([\w.!()]+,\s*'([^']+)'\)/g)].map((m) => m[1]!));
  return [...new Set(names)].sort();
}

describe('replay of committed histories', () => {
  it('When a test walks a lifecycle path, then a history of that path is committed', () => {
    const paths = recordedPaths();
    expect(paths).toEqual(expect.arrayContaining(['resolved-on-site', 'overdue-auto-escalated', 'reassigned', 'supplemented', 'accompany-refused']));
    const missing = paths.filter((name) => !files.includes(`${name}.json`));
    expect(missing, 'record them: RECORD_HISTORIES=1 ./bangnong test test/lifecycle.e2e.test.ts test/deadlines.test.ts').toEqual([]);
  });

  it.each(files)('When %s is replayed on the current workflow code, then it is deterministic', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')));
    expect(history.events?.length).toBeGreaterThan(3);
    const workflowBundle = { code: readFileSync(inject('workflowBundlePath'), 'utf8') };
    await Worker.runReplayHistory({ workflowBundle }, history, `replay-${file}`);
  });
});
