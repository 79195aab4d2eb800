// The workflow bundle workers load: webpack over workflows/index.ts (or another entry, such as the
// benchmarks' baselines), built once by `up`, the test setup and the stacks so workers start fast.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { REPO_ROOT } from './config.js';

export const WORKFLOWS_PATH = path.join(REPO_ROOT, 'workflows', 'index.ts');

const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export async function bundleWorkflows(workflowsPath = WORKFLOWS_PATH): Promise<{ code: string }> {
  return bundleWorkflowCode({ workflowsPath, logger: silent });
}

/** Bundles the workflows into `file`, for workers started with WORKFLOW_BUNDLE=file. */
export async function writeWorkflowBundle(file: string, workflowsPath = WORKFLOWS_PATH): Promise<string> {
  const { code } = await bundleWorkflows(workflowsPath);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, code);
  return file;
}
