// The messages a suggestion workflow answers (人民建议征集), defined once for the workflow and the API.

import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../domain/case.js';
import type { SuggestionAction, SuggestionActionType, SuggestionState, SuggestionView } from '../domain/suggestion.js';

export interface SuggestionActionRequest {
  action: SuggestionAction;
  actor: Actor;
}

/** Acknowledges or answers a suggestion; answers it as it stands after, once it is in the read model. */
export const suggestionActionUpdate = defineUpdate<SuggestionView, [SuggestionActionRequest]>('suggestionAction');
export const suggestionStateQuery = defineQuery<SuggestionView>('suggestionState');

/** Details carried by a refusal, so the client learns the state it met and what it may do there. */
export interface SuggestionRefusalDetails {
  state: SuggestionState;
  allowed: SuggestionActionType[];
}

export const suggestionWorkflowId = (suggestionId: string): string => `suggestion-${suggestionId}`;
