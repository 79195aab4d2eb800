// The benchmarks' workers run the case workflow and these baselines: the same server, worker and round
// trips as a case, with no case logic. A case's throughput is reported as a ratio to these, measured in
// the same run. Kept out of the production bundle (workflows/index.ts).

import { allHandlersFinished, condition, defineUpdate, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities/index.js';

export const baselineStepUpdate = defineUpdate<number, [string]>('baselineStep');

/** Starts and ends: what a bare `client.workflow.start` costs the server and the worker. */
export async function baselineNoopWorkflow(): Promise<void> {}

/** Takes `steps` updates that change nothing, then ends: a lifecycle's round trips without its work. */
export async function baselineUpdatesWorkflow(steps: number): Promise<number> {
  let taken = 0;
  setHandler(baselineStepUpdate, () => ++taken);
  await condition(() => taken >= steps);
  return taken;
}

// The same options as the case's projection (workflows/case.ts).
const { baselineWrite } = proxyLocalActivities<activities.Activities>({
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

/**
 * The floor for a case action: each update writes one row through a local activity and answers after it,
 * as a case action answers after its projection — the round trips and the durable write, no case logic.
 */
export async function baselineWriteWorkflow(steps: number): Promise<number> {
  let taken = 0;
  const id = workflowInfo().workflowId;
  setHandler(baselineStepUpdate, async () => {
    const step = ++taken;
    await baselineWrite({ id, step });
    return step;
  });
  await condition(() => taken >= steps && allHandlersFinished());
  return taken;
}

export { caseWorkflow } from '../workflows/case.js';
