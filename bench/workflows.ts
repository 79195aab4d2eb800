// The benchmarks' workers run the case workflow and these baselines: the same server, worker and round
// trips as a case, with no case logic. A case's throughput is reported as a ratio to these, measured in
// the same run. Kept out of the production bundle (workflows/index.ts).

import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

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

export { caseWorkflow } from '../workflows/case.js';
