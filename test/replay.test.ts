// Replays the saved histories of every lifecycle path (test/histories, recorded from the end-to-end
// tests with RECORD_HISTORIES=1) against today's workflow code: a change that would break cases
// already running fails here. After an intended change, guard it with patched() and re-record.

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { HISTORIES_DIR } from './lifecycle.helpers.js';

const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();

describe('replay of committed histories', () => {
  it('has a history for every lifecycle path', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'resolved-on-site.json',
        'escalated-to-city.json',
        'returned-down.json',
        'joint-triage.json',
        'transferred.json',
        'explained.json',
        'media-returned-approved-published.json',
        'unsatisfied-reopened-resolved.json',
        'withdrawn.json',
        'duplicate.json',
        'overdue-auto-escalated.json',
      ]),
    );
  });

  it.each(files)('When %s is replayed on the current workflow code, then it is deterministic', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')));
    expect(history.events?.length).toBeGreaterThan(3);
    const workflowBundle = { code: readFileSync(inject('workflowBundlePath'), 'utf8') };
    await Worker.runReplayHistory({ workflowBundle }, history, `replay-${file}`);
  });
});
