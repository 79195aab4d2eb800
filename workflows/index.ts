// The workflow bundle's entry: every workflow type the worker registers.
export { caseErasureWorkflow, caseWorkflow } from './case.js';
export { suggestionWorkflow } from './suggestion.js';
export { publicityTakeDownWorkflow, publicityWorkflow } from './publicity.js';
export { dutyCheckWorkflow } from './duties.js';
