// A suggestion (人民建议征集, DOMAIN.md "Channels"): not a complaint, so no triage, dispatch or enforcement —
// it is collected, acknowledged (受理) and answered (答复), each within a deadline of the policy, and then it
// is done. These are its rules as pure functions: the suggestion workflow runs them for every action and
// clock, and the API runs `openSuggestion` to record a filed suggestion before it answers. Pure types and
// functions only: this file is bundled into the workflow sandbox.

import { refusal } from './access.js';
import type { Actor, Channel, Citizen, Location, Notification } from './case.js';
import { type Calendar, DEFAULT_SUGGESTION_DEADLINES, type Duration, type Policy, type SuggestionDeadlines, addDuration } from './policy.js';
import { rootPath } from './units.js';

export const SUGGESTION_STATES = ['received', 'acknowledged', 'answered'] as const;
export type SuggestionState = (typeof SUGGESTION_STATES)[number];

export const SUGGESTION_ACTIONS = ['acknowledge', 'answer'] as const;
export type SuggestionActionType = (typeof SUGGESTION_ACTIONS)[number];

/** The step a suggestion waits at, and so the deadline it runs against. */
export type SuggestionStage = 'acknowledge' | 'answer';

/** What the workflow and the API's first projection need of the policy: a suggestion keeps the one it was filed under. */
export interface SuggestionPolicy extends SuggestionDeadlines {
  calendar: Calendar;
}

/** The suggestion part of the policy in force, with the defaults for a policy that has none. */
export function suggestionPolicyOf(policy: Policy): SuggestionPolicy {
  return { ...DEFAULT_SUGGESTION_DEADLINES, ...policy.suggestion, calendar: policy.calendar };
}

/** A suggestion as filed, with what the API resolved: its id, tracking code, handling unit and who filed it. */
export interface SuggestionRecordIntake {
  id: string;
  trackingCode: string;
  channel: Channel;
  externalId?: string;
  title: string;
  text: string;
  location?: Location;
  workstationId?: string;
  /** The workstation's squad, which handles the suggestion; without a workstation, the city does. */
  squadPath?: string;
  citizen?: Citizen;
  receivedAt: string;
  filedBy: Actor;
}

/** Who took a step: a principal's id and role (never the citizen's data). */
export interface SuggestionActor {
  id: string;
  role: Actor['role'];
}

/** One step of the suggestion's short timeline, kept in the suggestion itself (at most six). */
export interface SuggestionEvent {
  seq: number;
  type: 'filed' | 'acknowledge' | 'answer' | 'deadline_passed' | 'lapsed';
  at: string;
  actor: SuggestionActor;
  from?: SuggestionState;
  to: SuggestionState;
}

export interface SuggestionView {
  id: string;
  trackingCode: string;
  channel: Channel;
  externalId?: string;
  title: string;
  text: string;
  location?: Location;
  workstationId?: string;
  squadPath?: string;
  citizen?: Citizen;
  state: SuggestionState;
  /** The unit that acknowledges and answers it: the workstation's squad, else the city. */
  unitPath: string;
  stage?: SuggestionStage;
  /** When the current step is due; none once answered. */
  deadlineAt?: string;
  overdue: boolean;
  overdueSince?: string;
  acknowledgedAt?: string;
  acknowledgedBy?: SuggestionActor;
  /** What the citizen was told with the acknowledgement, if anything beyond it. */
  acknowledgement?: string;
  answer?: string;
  answeredAt?: string;
  answeredBy?: SuggestionActor;
  /** Set when it was never answered within the policy's lapse: it takes no more actions, its workflow has ended. */
  lapsedAt?: string;
  filedBy: SuggestionActor;
  createdAt: string;
  updatedAt: string;
  events: SuggestionEvent[];
  /** Sequence number of the last step applied; the read model keeps the highest. */
  version: number;
}

export type SuggestionAction = { type: 'acknowledge'; note?: string } | { type: 'answer'; answer: string };

export type SuggestionClock = { type: 'deadline_passed' } | { type: 'lapse' };

/** An action refused: 409 (not in this state), 403 (not this actor), 400 (not with this body). */
export class SuggestionRefused extends Error {
  constructor(
    readonly kind: 'conflict' | 'forbidden' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'SuggestionRefused';
  }
}

export interface SuggestionDecision {
  next: SuggestionView;
  notifications: Notification[];
}

/** The one action each state takes. */
const NEXT_ACTION: Record<SuggestionState, SuggestionActionType | undefined> = { received: 'acknowledge', acknowledged: 'answer', answered: undefined };

const due = (policy: SuggestionPolicy, from: string, duration: Duration) => addDuration(policy.calendar, new Date(from), duration).toISOString();
const actorOf = (a: Actor): SuggestionActor => ({ id: a.id, role: a.role });

/** The suggestion as filing leaves it: received, with the acknowledgement's clock running. */
export function openSuggestion(intake: SuggestionRecordIntake, policy: SuggestionPolicy): SuggestionView {
  const at = intake.receivedAt;
  const filedBy = actorOf(intake.filedBy);
  return {
    id: intake.id,
    trackingCode: intake.trackingCode,
    channel: intake.channel,
    externalId: intake.externalId,
    title: intake.title,
    text: intake.text,
    location: intake.location,
    workstationId: intake.workstationId,
    squadPath: intake.squadPath,
    citizen: intake.citizen,
    state: 'received',
    unitPath: intake.squadPath ?? rootPath(intake.filedBy.unitPath),
    stage: 'acknowledge',
    deadlineAt: due(policy, at, policy.acknowledge),
    overdue: false,
    filedBy,
    createdAt: at,
    updatedAt: at,
    events: [{ seq: 1, type: 'filed', at, actor: filedBy, to: 'received' }],
    version: 1,
  };
}

/** What the suggestion takes now (for anyone allowed to take it): one action, or none once answered or lapsed. */
export function allowedSuggestionActions(s: SuggestionView): SuggestionActionType[] {
  const next = s.lapsedAt ? undefined : NEXT_ACTION[s.state];
  return next ? [next] : [];
}

/** Why the state refuses the action (409), or undefined. */
function whyNot(s: SuggestionView, type: SuggestionActionType): string | undefined {
  if (s.lapsedAt) return `suggestion ${s.id} lapsed unanswered on ${s.lapsedAt}: it takes no more actions`;
  if (s.state === 'answered') return `suggestion ${s.id} is answered: it takes no more actions`;
  if (type === 'answer' && s.state === 'received') return 'a suggestion is acknowledged before it is answered';
  if (type === 'acknowledge' && s.state === 'acknowledged') return `suggestion ${s.id} is acknowledged already`;
  return undefined;
}

/** Refuses (403) an actor the authorisation table does not let handle suggestions where this one is handled. */
export function assertMayHandle(s: SuggestionView, actor: Actor): void {
  const why = refusal(actor, 'suggestion.handle', { units: [s.unitPath], channel: s.channel });
  if (why) throw new SuggestionRefused('forbidden', `suggestion ${s.id}: ${why}`);
}

/** Starts a step: the next view with its version and time, its event, and the messages it sends. */
function step(s: SuggestionView, type: SuggestionEvent['type'], actor: SuggestionActor, at: string, to: SuggestionState) {
  const seq = s.version + 1;
  const next: SuggestionView = { ...s, state: to, version: seq, updatedAt: at, events: [...s.events, { seq, type, at, actor, from: s.state, to }] };
  const notifications: Notification[] = [];
  const notify = (recipient: Notification['recipient'], to: string, kind: string, body: Record<string, unknown> = {}) =>
    notifications.push({
      id: `${s.id}:${seq}:${notifications.length}`,
      caseId: s.id,
      recipient,
      to,
      kind,
      body: { suggestionId: s.id, trackingCode: s.trackingCode, title: s.title, ...body },
    });
  return { next, notifications, notify };
}

/** Decides an action of an actor at time `at`: refuses it, or returns what it changes. Who comes first, then the state, then the body. */
export function decideSuggestion(s: SuggestionView, action: SuggestionAction, actor: Actor, at: string, policy: SuggestionPolicy): SuggestionDecision {
  assertMayHandle(s, actor);
  const why = whyNot(s, action.type);
  if (why) throw new SuggestionRefused('conflict', why);
  if (action.type === 'acknowledge') {
    const { next, notifications, notify } = step(s, 'acknowledge', actorOf(actor), at, 'acknowledged');
    next.acknowledgedAt = at;
    next.acknowledgedBy = actorOf(actor);
    const note = action.note?.trim();
    if (note) next.acknowledgement = note;
    // The answer's term runs from the acknowledgement (自受理之日起), as such terms do.
    Object.assign(next, { stage: 'answer', deadlineAt: due(policy, at, policy.answer), overdue: false, overdueSince: undefined });
    notify('citizen', s.trackingCode, 'suggestion_acknowledged', { answerDueAt: next.deadlineAt, ...(note ? { note } : {}) });
    return { next, notifications };
  }
  const answer = action.answer.trim();
  if (!answer) throw new SuggestionRefused('invalid', 'the answer to the citizen is empty');
  const { next, notifications, notify } = step(s, 'answer', actorOf(actor), at, 'answered');
  Object.assign(next, { answer, answeredAt: at, answeredBy: actorOf(actor), stage: undefined, deadlineAt: undefined, overdue: false, overdueSince: undefined });
  notify('citizen', s.trackingCode, 'suggestion_answered', { answer });
  return { next, notifications };
}

/** What a clock does when it fires; undefined when it has nothing to do any more. */
export function decideSuggestionClock(s: SuggestionView, clock: SuggestionClock, at: string): SuggestionDecision | undefined {
  if (s.state === 'answered' || s.lapsedAt) return undefined;
  const system: SuggestionActor = { id: 'system', role: 'system' };
  if (clock.type === 'deadline_passed') {
    if (!s.deadlineAt || s.overdue) return undefined;
    const { next, notifications, notify } = step(s, 'deadline_passed', system, at, s.state);
    next.overdue = true;
    next.overdueSince = at;
    // The handling unit is told: its desk, who takes the step, and its supervisors, who see that it is taken.
    const body = { stage: s.stage, deadlineAt: s.deadlineAt };
    notify('desk', s.unitPath, 'suggestion_overdue', body);
    notify('supervisor', s.unitPath, 'suggestion_overdue', body);
    return { next, notifications };
  }
  // Nothing waits for it any more: no deadline, and it lists after the open ones; it stays marked overdue.
  const { next, notifications, notify } = step(s, 'lapsed', system, at, s.state);
  Object.assign(next, { lapsedAt: at, stage: undefined, deadlineAt: undefined, overdue: true, overdueSince: s.overdueSince ?? at });
  notify('supervisor', s.unitPath, 'suggestion_lapsed', { stage: s.stage, deadlineAt: s.deadlineAt });
  return { next, notifications };
}

/** The suggestion's next clock and when it fires: its step's deadline, else its lapse; none once it is done. */
export function nextSuggestionClock(s: SuggestionView, policy: SuggestionPolicy): { at: string; clock: SuggestionClock } | undefined {
  if (s.state === 'answered' || s.lapsedAt) return undefined;
  const lapse = { at: due(policy, s.createdAt, policy.lapse), clock: { type: 'lapse' } as const };
  if (s.deadlineAt && !s.overdue && Date.parse(s.deadlineAt) < Date.parse(lapse.at)) return { at: s.deadlineAt, clock: { type: 'deadline_passed' } };
  return lapse;
}

/** Overdue now: the workflow's own mark, or a deadline past on the clock (the mark follows a moment later). */
export function isSuggestionOverdue(s: SuggestionView, now: number): boolean {
  return s.overdue || (s.deadlineAt !== undefined && Date.parse(s.deadlineAt) <= now);
}
