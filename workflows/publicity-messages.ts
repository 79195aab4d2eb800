// The messages a publicity item's workflow answers (宣传报道), defined once for the workflow and the API.

import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../domain/case.js';
import type { PublicityAction, PublicityActionType, PublicityState, PublicityView } from '../domain/publicity.js';

export interface PublicityActionRequest {
  action: PublicityAction;
  actor: Actor;
}

/** Reviews, resubmits, withdraws or takes down an item; answers it as it stands after, once it is in the read model. */
export const publicityActionUpdate = defineUpdate<PublicityView, [PublicityActionRequest]>('publicityAction');
export const publicityStateQuery = defineQuery<PublicityView>('publicityState');

/** Details carried by a refusal, so the client learns the state it met and what it may do there. */
export interface PublicityRefusalDetails {
  state: PublicityState;
  allowed: PublicityActionType[];
}

export const publicityWorkflowId = (itemId: string): string => `publicity-${itemId}`;
/** The short workflow that takes down an item whose own workflow has finished (after its release). */
export const publicityTakeDownWorkflowId = (itemId: string): string => `publicity-${itemId}-take-down`;
