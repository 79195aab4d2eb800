// How much one case takes (issue 9): the caps of its policy, whose numbers domain/policy.ts explains.
// Only the case's update validator checks them. A validator's refusal leaves no trace in the history, and
// validators do not run on replay, so the cases already running replay as they ran and meet the caps from
// their next action on (their input has no caps: they get the defaults).
//
// Since a long case continues as new (issue 14, workflows/case.ts), the history guards count one run's
// history: a case continues at a quarter of its event guard, or when Temporal suggests it (4,096 events or
// 4 MB by default), so they refuse actions only to a case that cannot reach a quiet moment to continue
// (its messages' deliveries still retrying, say) while a flood of actions goes on. The count caps
// (supplements, evidence, actions) stay: they bound the timeline a person reads and a script can fill,
// not Temporal, and a bureau may raise them in its policy.

import type { CaseView } from '../domain/case.js';
import type { CaseLimitName, CaseLimitReached, CaseLimits } from '../domain/policy.js';
import type { ActionType } from './lifecycle.js';
import { ActionRefused } from './transition.js';

/** What the workflow knows of its own history (`workflowInfo()`). */
export interface HistoryUse {
  historyLength: number;
  historySize: number;
}

/** What the workflow knows of its history when it decides whether to continue as new (`workflowInfo()`). */
export interface HistoryState extends HistoryUse {
  continueAsNewSuggested: boolean;
}

/**
 * The share of the event guard at which a case continues as new: below the half where supplements and
 * evidence stop (REPEATABLE_SHARE), so a flood of them moves to a fresh history before it is refused.
 */
export const CONTINUE_SHARE = 0.25;

/** Whether the case should continue as new now (it does at its next quiet moment). */
export function continueDue(history: HistoryState, limits: CaseLimits): boolean {
  return history.continueAsNewSuggested || history.historyLength >= Math.floor(limits.historyEvents * CONTINUE_SHARE);
}

/** The actions a client can repeat without end, each with its own cap and its count in the case. */
const REPEATABLE: Partial<Record<ActionType, { cap: CaseLimitName; count: (c: CaseView) => number }>> = {
  supplement: { cap: 'supplements', count: (c) => c.supplementCount },
  record_evidence: { cap: 'evidence', count: (c) => c.evidenceCount },
};

/** Repeatable actions stop at this share of the history guards: however large, a flood of them leaves the rest to the lifecycle. */
const REPEATABLE_SHARE = 0.5;

/** The cap the action would pass if the case took it now, or undefined. */
export function limitReached(c: CaseView, type: ActionType, limits: CaseLimits, history: HistoryUse): CaseLimitReached | undefined {
  // A citizen's right, taken once: the guards below leave it room (40,000 of Temporal's 51,200 events).
  if (type === 'erase_personal_data') return undefined;
  const repeatable = REPEATABLE[type];
  if (repeatable) {
    const count = repeatable.count(c);
    if (count >= limits[repeatable.cap]) return { name: repeatable.cap, max: limits[repeatable.cap], count };
  }
  if (c.version >= limits.actions) return { name: 'actions', max: limits.actions, count: c.version };
  const share = repeatable ? REPEATABLE_SHARE : 1;
  const events = Math.floor(limits.historyEvents * share);
  if (history.historyLength >= events) return { name: 'historyEvents', max: events, count: history.historyLength };
  const bytes = Math.floor(limits.historyBytes * share);
  if (history.historySize >= bytes) return { name: 'historyBytes', max: bytes, count: history.historySize };
  return undefined;
}

/** Refuses (409, with the cap) an action that would take the case past one of its caps. */
export function assertWithinLimits(c: CaseView, type: ActionType, limits: CaseLimits, history: HistoryUse): void {
  const reached = limitReached(c, type, limits, history);
  if (reached) throw new ActionRefused('limit', limitMessage(c, type, reached), reached);
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** What a client does instead of a repeatable action the case no longer takes. */
function instead(c: CaseView, type: ActionType): string {
  return type === 'record_evidence'
    ? 'attach further evidence to the resolution, which takes attachments too'
    : `further material goes in a new complaint that refers to case ${c.id} (one supplement carries up to 50 attachments)`;
}

/** Which cap, how far the case has come, and what to do instead. */
function limitMessage(c: CaseView, type: ActionType, { name, max, count }: CaseLimitReached): string {
  const rest = `so it takes no more actions: what remains to be done goes in a new case that refers to it`;
  switch (name) {
    case 'supplements':
      return `case ${c.id} has ${count} supplements, the most one case takes: ${instead(c, type)}`;
    case 'evidence':
      return `case ${c.id} has ${count} evidence records, the most one case takes: ${instead(c, type)}`;
    case 'actions':
      return `case ${c.id} has ${count} events in its timeline, the most one case keeps, ${rest}`;
    case 'historyEvents':
    case 'historyBytes': {
      const used = name === 'historyBytes' ? `${mb(count)} of workflow history` : `${count} workflow history events`;
      if (REPEATABLE[type]) {
        const what = type === 'record_evidence' ? 'evidence' : 'supplements';
        return `case ${c.id} has ${used}, half of what one case may use, so it takes no more ${what} and keeps the rest for its handling: ${instead(c, type)}`;
      }
      const most = name === 'historyBytes' ? mb(max) : `${max} events`;
      return `case ${c.id} has ${used}, the most one case may use (${most}), ${rest}`;
    }
  }
}
