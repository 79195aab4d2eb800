// The mutable draft of one transition — the next view of the case and what it emits — and the moves
// that several actions share (dispatch, escalation, closure). lifecycle.ts says which action may do
// what; the effects here do it.

import {
  type Actor,
  type CaseEvent,
  type CaseState,
  type CaseView,
  type Level,
  type Notification,
  type Recipient,
  type Stage,
} from '../domain/case.js';
import { parentPath, rootPath } from '../domain/units.js';
import { type CaseLimitReached, type Policy, stageDeadline } from '../domain/policy.js';
import { type ReviewChain, type ReviewStep } from '../domain/review.js';

export type RefusalKind = 'conflict' | 'forbidden' | 'invalid' | 'limit';

/**
 * An action refused: 409 (not in this state), 403 (not this actor), 400 (not with this body) or 409 with
 * the cap it met (the case has taken as much as one case takes, workflows/limits.ts).
 */
export class ActionRefused extends Error {
  constructor(
    readonly kind: RefusalKind,
    message: string,
    readonly limit?: CaseLimitReached,
  ) {
    super(message);
    this.name = 'ActionRefused';
  }
}

export interface Decision {
  next: CaseView;
  event: CaseEvent;
  notifications: Notification[];
}

export const NEXT_LEVEL: Record<Level, Level | undefined> = { squad: 'district', district: 'city', city: undefined };
export const LOWER_LEVEL: Record<Level, Level | undefined> = { squad: undefined, district: 'squad', city: 'district' };
const MEDIA_DONE = new Set(['not_applicable', 'published', 'waived']);

/** The unit that acts for the case at a level of the tree. */
export function unitAtLevel(c: Pick<CaseView, 'squadPath' | 'assignedUnitPath'>, level: Level): string {
  const home = c.squadPath ?? c.assignedUnitPath;
  if (level === 'city') return rootPath(home);
  if (!c.squadPath) return rootPath(home);
  return level === 'district' ? parentPath(c.squadPath) : c.squadPath;
}

/** The media review chain of a case, from its policy. */
export function mediaReviewChain(policy: Policy): ReviewChain {
  return { levels: policy.media.reviewChain, deadline: policy.deadlines.mediaReview, calendar: policy.calendar };
}

export class Transition {
  readonly next: CaseView;
  readonly notifications: Notification[] = [];
  private readonly seq: number;
  private readonly eventPayload: Record<string, unknown> = {};

  constructor(
    readonly prev: CaseView,
    readonly type: string,
    readonly actor: Actor,
    readonly at: string,
    readonly policy: Policy,
  ) {
    this.seq = prev.version + 1;
    this.next = { ...prev, media: { ...prev.media }, version: this.seq, updatedAt: at };
  }

  /** Enter a state and start the clock of its stage (or stop the clock when it has none). */
  enter(state: CaseState, stage?: Stage): void {
    this.next.state = state;
    this.setClock(stage);
  }

  setClock(stage: Stage | undefined): void {
    const c = this.next;
    c.stage = stage;
    c.deadlineAt = stage ? stageDeadline(this.policy, stage, new Date(this.at), c.category, c.urgent) : undefined;
    c.overdue = false;
    c.overdueSince = undefined;
  }

  notify(recipient: Recipient, to: string, kind: string, body: Record<string, unknown> = {}): void {
    this.notifications.push({
      id: `${this.prev.id}:${this.seq}:${this.notifications.length}`,
      caseId: this.prev.id,
      recipient,
      to,
      kind,
      body: { caseId: this.prev.id, trackingCode: this.prev.trackingCode, title: this.prev.title, ...body },
    });
  }

  notifyAssignee(kind: string, body: Record<string, unknown> = {}): void {
    const c = this.next;
    if (c.assignedOfficerId) this.notify('officer', c.assignedOfficerId, kind, body);
    else this.notify(c.state === 'triage' || c.state === 'joint_triage' ? 'desk' : 'supervisor', c.assignedUnitPath, kind, body);
  }

  tellCitizen(kind: string, body: Record<string, unknown>): void {
    this.notify('citizen', this.prev.trackingCode, kind, body);
  }

  /**
   * Tells the 12345 platform what became of its work order — returned, answered, rated — through its own
   * signed webhook (HOTLINE_WEBHOOK_URL): only for a case that came from the hotline, by its work-order number.
   */
  tellHotline(kind: string, body: Record<string, unknown>): void {
    if (this.next.channel !== 'hotline') return;
    this.notify('hotline', 'hotline', kind, { workOrderId: this.next.externalId, ...body });
  }

  /** Tells whoever a review step concerns: the reviewers of the next level, or the reporter once approved. */
  tellReview(step: ReviewStep): void {
    if (step.status === 'approved') this.notify('reporter', this.next.media.reporterId ?? 'reporter', 'media_approved', {});
    else this.notify('supervisor', unitAtLevel(this.next, step.level), 'media_review_requested', { level: step.level });
  }

  record(payload: Record<string, unknown>): void {
    Object.assign(this.eventPayload, payload);
  }

  /** Closes a resolved case once the citizen is answered and the media item is done. */
  closeIfDone(): void {
    const c = this.next;
    if (c.state === 'resolved' && c.answered && MEDIA_DONE.has(c.media.status)) {
      this.enter('closed');
      c.closedAt = this.at;
    }
  }

  finish(payload: object): Decision {
    const { type: _type, ...rest } = payload as Record<string, unknown>;
    const event: CaseEvent = {
      caseId: this.prev.id,
      seq: this.seq,
      type: this.type,
      actor: this.actor,
      at: this.at,
      from: this.prev.state,
      to: this.next.state,
      payload: { ...rest, ...this.eventPayload },
    };
    return { next: this.next, event, notifications: this.notifications };
  }
}

export function dispatch(t: Transition, squadPath: string | undefined, workstationId: string | undefined): void {
  const c = t.next;
  const squad = squadPath ?? c.squadPath;
  if (!squad) throw new ActionRefused('invalid', 'dispatch needs a workstation (workstationId): the case has none yet');
  c.squadPath = squad;
  if (workstationId) c.workstationId = workstationId;
  c.assignedUnitPath = squad;
  c.escalationLevel = 'squad';
  c.assignedOfficerId = undefined;
  c.arrived = false;
  t.enter('dispatched', 'acceptance');
  t.notify('supervisor', squad, 'case_dispatched', { urgent: c.urgent, category: c.category });
}

export function resolveOutOfScope(t: Transition, outcome: 'transferred' | 'explained', details: Record<string, unknown>): void {
  const c = t.next;
  c.outcome = outcome;
  c.resolvedAt = t.at;
  t.enter('resolved', 'feedback');
  t.notifyAssignee('answer_due', { outcome, ...details });
}

/** Closes a case that ends without a disposal; a media item not yet published is dropped with it. */
export function closeUnresolved(t: Transition, outcome: 'withdrawn' | 'duplicate' | 'returned'): void {
  const c = t.next;
  c.outcome = outcome;
  t.enter('closed');
  c.closedAt = t.at;
  if (c.media.status !== 'not_applicable' && c.media.status !== 'published') c.media.status = 'waived';
}

export function escalateOneLevel(t: Transition, reason: string): void {
  const c = t.next;
  const level = NEXT_LEVEL[c.escalationLevel]!;
  c.escalationLevel = level;
  c.assignedUnitPath = unitAtLevel(c, level);
  c.assignedOfficerId = undefined;
  t.enter('escalated', 'escalation');
  t.notify('supervisor', c.assignedUnitPath, 'case_escalated', { level, reason });
  t.record({ level });
}
