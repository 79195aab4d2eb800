// The workflow bundle workers load: webpack over workflows/index.ts (or another entry, such as the
// benchmarks' baselines), built once by `up`, the test setup and the stacks so workers start fast.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { REPO_ROOT } from './config.js';

export const WORKFLOWS_PATH = path.join(REPO_ROOT, 'workflows', 'index.ts');

/**
 * Workflow interceptors every bundle holds, whatever the worker's settings, so that any worker may replay
 * any history: the deadlines past the calendar (workflows/calendar-watch.ts) and the tracing of calls that
 * carry a trace (platform/workflow-tracing.ts; the worker registers its span sink, a no-op when untraced).
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [path.join(REPO_ROOT, 'workflows', 'calendar-watch.ts'), path.join(REPO_ROOT, 'platform', 'workflow-tracing.ts')];

const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export async function bundleWorkflows(workflowsPath = WORKFLOWS_PATH): Promise<{ code: string }> {
  return bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES, logger: silent });
}

/** Bundles the workflows into `file`, for workers started with WORKFLOW_BUNDLE=file. */
export async function writeWorkflowBundle(file: string, workflowsPath = WORKFLOWS_PATH): Promise<string> {
  const { code } = await bundleWorkflows(workflowsPath);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, code);
  return file;
}
