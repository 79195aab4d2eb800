// The workflow bundle workers load: webpack over workflows/index.ts (or another entry, such as the
// benchmarks' baselines), built once by `up`, the test setup and the stacks so workers start fast.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { REPO_ROOT } from './config.js';

export const WORKFLOWS_PATH = path.join(REPO_ROOT, 'workflows', 'index.ts');

/**
 * Workflow interceptors every bundle holds: the deadlines past the calendar (workflows/calendar-watch.ts).
 * The tracing of calls that carry a trace (platform/workflow-tracing.ts) goes in only where traces are
 * wanted (OTEL_EXPORTER_OTLP_ENDPOINT set, or `tracing: true`): the SDK gives each cached workflow its own
 * copy of the bundle's modules, and OpenTelemetry's add about 2.5 MB to the bundle — with them, a worker
 * holding its 100 cached cases peaked at 860 MB instead of under 512 MB. Histories replay either way: the
 * interceptor adds headers and spans, never commands.
 */
export const CALENDAR_WATCH_MODULE = path.join(REPO_ROOT, 'workflows', 'calendar-watch.ts');
export const WORKFLOW_TRACING_MODULE = path.join(REPO_ROOT, 'platform', 'workflow-tracing.ts');

export interface BundleOptions {
  /** Whether the workflows trace (default: when OTEL_EXPORTER_OTLP_ENDPOINT is set). */
  tracing?: boolean;
}

const interceptorModules = (o: BundleOptions) => [CALENDAR_WATCH_MODULE, ...((o.tracing ?? Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT)) ? [WORKFLOW_TRACING_MODULE] : [])];

const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export async function bundleWorkflows(workflowsPath = WORKFLOWS_PATH, o: BundleOptions = {}): Promise<{ code: string }> {
  return bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: interceptorModules(o), logger: silent });
}

/** Bundles the workflows into `file`, for workers started with WORKFLOW_BUNDLE=file. */
export async function writeWorkflowBundle(file: string, workflowsPath = WORKFLOWS_PATH, o: BundleOptions = {}): Promise<string> {
  const { code } = await bundleWorkflows(workflowsPath, o);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, code);
  return file;
}
