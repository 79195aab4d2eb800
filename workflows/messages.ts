// The messages a case workflow answers, defined once for the workflow and its clients.

import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { Actor, CaseView } from './domain.js';
import type { CaseAction } from './lifecycle.js';

export interface CaseActionRequest {
  action: CaseAction;
  actor: Actor;
}

/** Takes one action of the contract; answers the case as it stands after it, once it is in the read model. */
export const caseActionUpdate = defineUpdate<CaseView, [CaseActionRequest]>('caseAction');
export const caseStateQuery = defineQuery<CaseView>('caseState');

/** The failure types an update is refused with; the API maps them to 409, 403 and 400. */
export const REFUSAL_TYPES = {
  conflict: 'ActionNotAllowed',
  forbidden: 'ActionForbidden',
  invalid: 'ActionInvalid',
} as const;

/** Details carried by a refusal, so the client learns the state it met and what it may do there. */
export interface RefusalDetails {
  state: CaseView['state'];
  allowed: string[];
}

// Custom search attributes: supervisors and operators find cases in the Temporal UI and CLI by them.
export const SEARCH_ATTRIBUTES = {
  state: defineSearchAttributeKey('BangnongState', SearchAttributeType.KEYWORD),
  unit: defineSearchAttributeKey('BangnongUnit', SearchAttributeType.KEYWORD),
  deadline: defineSearchAttributeKey('BangnongDeadline', SearchAttributeType.DATETIME),
  overdue: defineSearchAttributeKey('BangnongOverdue', SearchAttributeType.BOOL),
} as const;

export const caseWorkflowId = (caseId: string): string => `case-${caseId}`;
