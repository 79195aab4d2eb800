// The workflow bundle's entry: every workflow type the worker registers.
export { caseWorkflow } from './case.js';
export { baselineNoopWorkflow, baselineUpdatesWorkflow } from './baselines.js';
