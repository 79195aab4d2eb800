// The messages a case workflow answers, defined once for the workflow and its clients.

import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { Actor, CaseView } from '../domain/case.js';
import type { CaseLimitReached } from '../domain/policy.js';
import type { CaseAction, OriginalAnswer } from './lifecycle.js';

export interface CaseActionRequest {
  action: CaseAction;
  actor: Actor;
}

/** Takes one action of the contract; answers the case as it stands after it, once it is in the read model. */
export const caseActionUpdate = defineUpdate<CaseView, [CaseActionRequest]>('caseAction');
export const caseStateQuery = defineQuery<CaseView>('caseState');

/**
 * A case marked a duplicate tells its original (`mark_duplicate`), so the original lists it and answers it
 * with its own answer; `actor` is who marked it. An original that is itself a duplicate passes it on.
 */
export interface DuplicateLink {
  duplicateId: string;
  actor: Actor;
}
export const duplicateLinkedSignal = defineSignal<[DuplicateLink]>('duplicateLinked');
/** The original's answer for a case marked its duplicate; without a message, it closed unanswered. */
export const originalAnsweredSignal = defineSignal<[OriginalAnswer]>('originalAnswered');

/** An operator's word that a parked projection may be tried again (after fixing what the database refused). */
export const retryProjectionSignal = defineSignal<[]>('retryProjection');

/** Why the read model does not have the case: the database refused its projection, so it is parked. */
export interface ParkedProjection {
  reason: string;
  since: string;
  attempts: number;
}
export const caseParkedQuery = defineQuery<ParkedProjection | undefined>('caseParked');

/** The activity's failure type when the database refuses a case's rows (not an outage: a retry cannot help). */
export const PROJECTION_REJECTED = 'ProjectionRejected';
/** An update's failure type when its case is parked: the change is kept, but the read model cannot show it. */
export const CASE_NOT_RECORDED = 'CaseNotRecorded';

/** What a client is told about a parked case, by the workflow (its updates) and the API (intake). */
export const parkedCaseMessage = (caseId: string, what: string, reason: string): string =>
  `case ${caseId} ${what}: the database refused to record it (${reason}), so it is parked for an operator (./bangnong parked)`;

/** The failure types an update is refused with; the API maps them to 409, 403, 400 and 409. */
export const REFUSAL_TYPES = {
  conflict: 'ActionNotAllowed',
  forbidden: 'ActionForbidden',
  invalid: 'ActionInvalid',
  limit: 'CaseActionLimit',
} as const;

/** Details carried by a refusal, so the client learns the state it met and what it may do there. */
export interface RefusalDetails {
  state: CaseView['state'];
  allowed: string[];
  /** The cap the action met, when the case has taken as much as one case takes. */
  limit?: CaseLimitReached;
}

// Custom search attributes: supervisors and operators find cases in the Temporal UI and CLI by them.
export const SEARCH_ATTRIBUTES = {
  state: defineSearchAttributeKey('BangnongState', SearchAttributeType.KEYWORD),
  unit: defineSearchAttributeKey('BangnongUnit', SearchAttributeType.KEYWORD),
  deadline: defineSearchAttributeKey('BangnongDeadline', SearchAttributeType.DATETIME),
  overdue: defineSearchAttributeKey('BangnongOverdue', SearchAttributeType.BOOL),
  /** Set while the case's projection is parked; operators list them with `./bangnong parked`. */
  parked: defineSearchAttributeKey('BangnongParked', SearchAttributeType.BOOL),
} as const;

export const caseWorkflowId = (caseId: string): string => `case-${caseId}`;
/** The short workflow that erases the personal data of a case whose own workflow has finished. */
export const caseErasureWorkflowId = (caseId: string): string => `case-${caseId}-erasure`;
