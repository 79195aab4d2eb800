// The case lifecycle as a pure state machine (DOMAIN.md "The case lifecycle", seed 000 §二(二)).
// `decide` either refuses an action (with why and what is allowed now) or returns the case after it,
// the event to append and the notifications to send. The workflow runs it for every update and every
// clock that fires; tests run it directly.

import {
  type Actor,
  type ActorRole,
  type Attachment,
  type CaseEvent,
  type CaseIntake,
  type CaseState,
  type CaseView,
  type Category,
  type Department,
  type Level,
  type Notification,
  type Outcome,
  type Rating,
  type Recipient,
  type Stage,
  isWithin,
  parentPath,
  rootPath,
} from './domain.js';
import { type Policy, addDuration, stageDeadline } from './policy.js';

export type TriageDecision =
  | { decision: 'in_scope'; category?: Category; workstationId?: string; squadPath?: string; urgent?: boolean; note?: string }
  | { decision: 'joint'; note?: string; squadPath?: string; workstationId?: string }
  | { decision: 'transfer'; department: Department; note?: string }
  | { decision: 'explain'; explanation: string };

type JointDecision = Exclude<TriageDecision, { decision: 'joint' }>;

/** Every action of the contract, as the workflow receives it (the API has resolved units to paths). */
export type CaseAction =
  | ({ type: 'triage' } & TriageDecision)
  | ({ type: 'joint_decision' } & JointDecision)
  | { type: 'accept' }
  | { type: 'arrive'; note?: string }
  | { type: 'record_evidence'; note?: string; attachments?: Attachment[] }
  | { type: 'resolve'; result: string; attachments?: Attachment[] }
  | { type: 'escalate'; reason: string }
  | { type: 'return_down'; instructions: string }
  | { type: 'reassign'; squadPath?: string; officerId?: string; reason?: string }
  | { type: 'media_join_request'; note?: string }
  | { type: 'media_join_decision'; approve: boolean; note?: string }
  | { type: 'media_draft'; title: string; body: string }
  | { type: 'media_review'; decision: 'approve' | 'return'; comments?: string }
  | { type: 'media_publish'; url?: string }
  | { type: 'media_waive'; reason?: string }
  | { type: 'feedback'; message: string }
  | { type: 'rate'; rating: Rating; comment?: string }
  | { type: 'reopen'; reason: string }
  | { type: 'withdraw'; reason?: string }
  | { type: 'mark_duplicate'; originalId: string }
  | { type: 'supplement'; text?: string; attachments?: Attachment[] };

export type ActionType = CaseAction['type'];

export const ACTION_TYPES = [
  'triage',
  'joint_decision',
  'accept',
  'arrive',
  'record_evidence',
  'resolve',
  'escalate',
  'return_down',
  'reassign',
  'media_join_request',
  'media_join_decision',
  'media_draft',
  'media_review',
  'media_publish',
  'media_waive',
  'feedback',
  'rate',
  'reopen',
  'withdraw',
  'mark_duplicate',
  'supplement',
] as const satisfies readonly ActionType[];

/** What the case's own clocks do; never sent by a client. */
export type ClockAction =
  | { type: 'deadline_passed'; clock: 'stage' | 'media' }
  | { type: 'grace_passed' };

/** Which roles may take each action at all (403 otherwise); the state decides whether it is allowed now (409). */
export const ACTION_ROLES: Record<ActionType, readonly ActorRole[]> = {
  triage: ['desk', 'supervisor'],
  joint_decision: ['supervisor'],
  accept: ['officer'],
  arrive: ['officer'],
  record_evidence: ['officer', 'supervisor'],
  resolve: ['officer', 'supervisor'],
  escalate: ['officer', 'supervisor'],
  return_down: ['supervisor'],
  reassign: ['supervisor'],
  media_join_request: ['reporter'],
  media_join_decision: ['officer', 'supervisor'],
  media_draft: ['reporter'],
  media_review: ['supervisor'],
  media_publish: ['reporter'],
  media_waive: ['desk', 'supervisor'],
  feedback: ['desk', 'officer', 'supervisor'],
  rate: ['citizen', 'desk', 'intake'],
  reopen: ['supervisor'],
  withdraw: ['citizen', 'intake', 'desk'],
  mark_duplicate: ['desk', 'supervisor'],
  supplement: ['citizen', 'intake', 'desk', 'officer', 'supervisor'],
};

export type RefusalKind = 'conflict' | 'forbidden' | 'invalid';

export class ActionRefused extends Error {
  constructor(
    readonly kind: RefusalKind,
    message: string,
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

const OPEN_BEFORE_RESOLUTION: readonly CaseState[] = ['triage', 'joint_triage', 'dispatched', 'investigating', 'escalated'];
const MEDIA_DONE = new Set(['not_applicable', 'published', 'waived']);
const NEXT_LEVEL: Record<Level, Level | undefined> = { squad: 'district', district: 'city', city: undefined };
const LOWER_LEVEL: Record<Level, Level | undefined> = { squad: undefined, district: 'squad', city: 'district' };

/** The unit that acts for the case at a level of the tree. */
export function unitAtLevel(c: Pick<CaseView, 'squadPath' | 'assignedUnitPath'>, level: Level): string {
  const home = c.squadPath ?? c.assignedUnitPath;
  if (level === 'city') return rootPath(home);
  if (!c.squadPath) return rootPath(home);
  return level === 'district' ? parentPath(c.squadPath) : c.squadPath;
}

/** The case as intake leaves it: waiting in triage with the triage clock running. */
export function openCase(intake: CaseIntake, policy: Policy): { view: CaseView; event: CaseEvent } {
  const at = intake.receivedAt;
  const mediaRequired = policy.media.channels.includes(intake.channel);
  const view: CaseView = {
    id: intake.id,
    trackingCode: intake.trackingCode,
    channel: intake.channel,
    externalId: intake.externalId,
    title: intake.title,
    description: intake.description,
    category: intake.category,
    urgent: intake.urgent,
    location: intake.location,
    workstationId: intake.workstationId,
    citizen: intake.citizen,
    attachments: intake.attachments,
    state: 'triage',
    stage: 'triage',
    deadlineAt: stageDeadline(policy, 'triage', new Date(at), intake.category, intake.urgent),
    overdue: false,
    escalationLevel: 'squad',
    squadPath: intake.squadPath,
    assignedUnitPath: intake.squadPath ?? rootPath(intake.filedBy.unitPath),
    arrived: false,
    evidenceCount: 0,
    supplementCount: 0,
    media: { status: mediaRequired ? 'none' : 'not_applicable', accompany: 'none', overdue: false },
    answered: false,
    reopenCount: 0,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const event: CaseEvent = {
    caseId: intake.id,
    seq: 1,
    type: 'intake',
    actor: intake.filedBy,
    at,
    to: 'triage',
    payload: { channel: intake.channel, externalId: intake.externalId, workstationId: intake.workstationId },
  };
  return { view, event };
}

/** The actions the case allows now (for anyone allowed to take them), for 409 answers and clients. */
export function allowedActions(c: CaseView): ActionType[] {
  return ACTION_TYPES.filter((type) => stateAllows(c, type) === undefined);
}

/** Why the case's state does not allow an action now, or undefined when it does. */
function stateAllows(c: CaseView, type: ActionType): string | undefined {
  const open = OPEN_BEFORE_RESOLUTION.includes(c.state);
  const media = c.media;
  const need = (ok: boolean, why: string) => (ok ? undefined : why);
  switch (type) {
    case 'triage':
      return need(c.state === 'triage', 'triage is only decided while the case waits in triage');
    case 'joint_decision':
      return need(c.state === 'joint_triage', 'a joint decision needs a case in joint triage');
    case 'accept':
      return need(c.state === 'dispatched', 'only a dispatched case can be accepted');
    case 'arrive':
      return need(c.state === 'investigating' && !c.arrived, 'arrival is recorded once, while investigating');
    case 'record_evidence':
      return need(c.state === 'investigating' || c.state === 'escalated', 'evidence is recorded while investigating or escalated');
    case 'resolve':
      return need(c.state === 'investigating' || c.state === 'escalated', 'only a case under investigation or escalated can be resolved');
    case 'escalate':
      if (c.state !== 'investigating' && c.state !== 'escalated') return 'only a case under investigation or escalated can be escalated';
      return need(NEXT_LEVEL[c.escalationLevel] !== undefined, 'the case is already at the city bureau, the highest level');
    case 'return_down':
      return need(c.state === 'escalated', 'only an escalated case can be returned down');
    case 'reassign':
      return need(c.state === 'dispatched' || c.state === 'investigating', 'only a dispatched or investigating case can be reassigned');
    case 'media_join_request':
      if (media.status === 'not_applicable') return 'this case has no media item';
      return need(
        media.accompany === 'none' && ['dispatched', 'investigating', 'escalated'].includes(c.state),
        'a reporter asks to accompany once, before the disposal',
      );
    case 'media_join_decision':
      return need(media.accompany === 'requested', 'no request to accompany is waiting');
    case 'media_draft':
      if (media.status === 'not_applicable') return 'this case has no media item';
      if (c.state === 'triage' || c.state === 'joint_triage' || c.state === 'closed') return 'a draft follows triage and precedes closure';
      return need(media.status === 'none' || media.status === 'returned', 'a draft is already in review, approved or done');
    case 'media_review':
      return need(media.status === 'in_review', 'no media draft is waiting for review');
    case 'media_publish':
      return need(media.status === 'approved', 'only an approved media item can be published');
    case 'media_waive':
      if (c.state === 'closed') return 'the case is closed';
      return need(['none', 'in_review', 'returned', 'approved'].includes(media.status), 'the media item is already published, waived or not applicable');
    case 'feedback':
      return need(c.state === 'resolved' && !c.answered, 'the citizen is answered once the case is resolved, and once');
    case 'rate':
      return need(
        (c.state === 'resolved' || c.state === 'closed') && c.answered && !c.rating && ratable(c.outcome),
        'a rating follows the answer to the citizen, once',
      );
    case 'reopen':
      return need(
        (c.state === 'resolved' || c.state === 'closed') && c.rating?.rating === 'unsatisfied',
        'only a case rated unsatisfied can be reopened',
      );
    case 'withdraw':
      return need(open, 'a case can be withdrawn only before it is resolved');
    case 'mark_duplicate':
      return need(['triage', 'joint_triage', 'dispatched'].includes(c.state), 'duplicates are marked before the investigation starts');
    case 'supplement':
      return need(c.state !== 'closed', 'the case is closed');
  }
}

function ratable(outcome: Outcome | undefined): boolean {
  return outcome === 'resolved' || outcome === 'transferred' || outcome === 'explained';
}

/** Whether the actor's unit covers the unit that acts on the case for this action. */
function jurisdictionOf(c: CaseView, type: ActionType): string {
  if (type === 'media_review' && c.media.reviewLevel) return unitAtLevel(c, c.media.reviewLevel);
  return c.assignedUnitPath;
}

export function assertMayAct(c: CaseView, action: { type: ActionType }, actor: Actor): void {
  if (!ACTION_ROLES[action.type].includes(actor.role)) {
    throw new ActionRefused('forbidden', `a ${actor.role} may not ${action.type}; it takes a ${ACTION_ROLES[action.type].join(' or ')}`);
  }
  // Reporters and citizens are not in the enforcement tree; their reach is the case itself.
  if (actor.role === 'reporter' || actor.role === 'citizen' || actor.role === 'system') return;
  const unit = jurisdictionOf(c, action.type);
  if (!isWithin(unit, actor.unitPath)) {
    throw new ActionRefused('forbidden', `the case is handled by unit ${unit}, outside your unit ${actor.unitPath}`);
  }
  if (action.type === 'accept' || action.type === 'arrive') return;
  if (actor.role === 'officer' && c.assignedOfficerId && c.assignedOfficerId !== actor.id && ['resolve', 'escalate', 'arrive'].includes(action.type)) {
    throw new ActionRefused('forbidden', `the case is assigned to officer ${c.assignedOfficerId}`);
  }
}

/** Decide an action of an actor at time `at`: refuse it, or return what it changes. */
export function decide(c: CaseView, action: CaseAction, actor: Actor, at: string, policy: Policy): Decision {
  const why = stateAllows(c, action.type);
  if (why !== undefined) throw new ActionRefused('conflict', why);
  assertMayAct(c, action, actor);
  const t = new Transition(c, action.type, actor, at, policy);
  apply(t, action);
  return t.finish(action);
}

/** What a clock does when it fires (deadline_passed, grace_passed); undefined when it has nothing to do. */
export function decideClock(c: CaseView, action: ClockAction, at: string, policy: Policy): Decision | undefined {
  const system: Actor = { id: 'system', role: 'system', unitPath: rootPath(c.assignedUnitPath) };
  const t = new Transition(c, action.type, system, at, policy);
  if (action.type === 'deadline_passed' && action.clock === 'media') {
    if (c.media.status !== 'in_review' || c.media.overdue) return undefined;
    t.next.media = { ...c.media, overdue: true };
    const reviewer = unitAtLevel(c, c.media.reviewLevel ?? 'squad');
    t.notify('supervisor', reviewer, 'media_review_overdue', { deadlineAt: c.media.deadlineAt });
    return t.finish({ clock: 'media' });
  }
  if (action.type === 'deadline_passed') {
    if (!c.deadlineAt || c.overdue) return undefined;
    t.next.overdue = true;
    t.next.overdueSince = at;
    t.notifyAssignee('case_overdue', { stage: c.stage, deadlineAt: c.deadlineAt });
    const above = c.escalationLevel === 'city' ? c.assignedUnitPath : unitAtLevel(c, NEXT_LEVEL[c.escalationLevel]!);
    t.notify('supervisor', above, 'case_overdue', { stage: c.stage, deadlineAt: c.deadlineAt, unit: c.assignedUnitPath });
    return t.finish({ clock: 'stage', stage: c.stage });
  }
  // Grace passed: a case still overdue in a working stage moves up one level by itself.
  if (!c.overdue || !autoEscalates(c)) return undefined;
  escalateOneLevel(t, `overdue since ${c.overdueSince}: escalated automatically after the grace period`);
  return t.finish({ automatic: true });
}

/** Only the stages an officer or a level works on escalate by themselves; the others only notify. */
export function autoEscalates(c: CaseView): boolean {
  return (c.state === 'dispatched' || c.state === 'investigating' || c.state === 'escalated') && NEXT_LEVEL[c.escalationLevel] !== undefined;
}

/** The mutable draft of one transition: the next view plus what it emits. */
class Transition {
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

function dispatch(t: Transition, squadPath: string | undefined, workstationId: string | undefined): void {
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

function resolveOutOfScope(t: Transition, outcome: 'transferred' | 'explained', details: Record<string, unknown>): void {
  const c = t.next;
  c.outcome = outcome;
  c.resolvedAt = t.at;
  t.enter('resolved', 'feedback');
  t.notifyAssignee('answer_due', { outcome, ...details });
}

function triage(t: Transition, d: TriageDecision | JointDecision): void {
  const c = t.next;
  switch (d.decision) {
    case 'in_scope':
      if (d.category) c.category = d.category;
      if (d.urgent !== undefined) c.urgent = d.urgent;
      if (!c.category) throw new ActionRefused('invalid', 'an in-scope decision needs a category');
      dispatch(t, d.squadPath, d.workstationId);
      return;
    case 'joint':
      if (d.squadPath) {
        c.squadPath = d.squadPath;
        c.assignedUnitPath = d.squadPath;
        if (d.workstationId) c.workstationId = d.workstationId;
      }
      if (!c.squadPath) throw new ActionRefused('invalid', 'joint triage needs the workstation whose squad co-decides (workstationId)');
      t.enter('joint_triage', 'triage');
      t.notify('supervisor', c.squadPath, 'joint_triage_requested', { note: d.note });
      return;
    case 'transfer':
      c.department = d.department;
      resolveOutOfScope(t, 'transferred', { department: d.department });
      return;
    case 'explain':
      c.explanation = d.explanation;
      resolveOutOfScope(t, 'explained', { explanation: d.explanation });
      return;
  }
}

/** Closes a case that ends without a disposal; a media item not yet published is dropped with it. */
function closeUnresolved(t: Transition, outcome: 'withdrawn' | 'duplicate'): void {
  const c = t.next;
  c.outcome = outcome;
  t.enter('closed');
  c.closedAt = t.at;
  if (c.media.status !== 'not_applicable' && c.media.status !== 'published') c.media.status = 'waived';
}

function escalateOneLevel(t: Transition, reason: string): void {
  const c = t.next;
  const level = NEXT_LEVEL[c.escalationLevel]!;
  c.escalationLevel = level;
  c.assignedUnitPath = unitAtLevel(c, level);
  c.assignedOfficerId = undefined;
  t.enter('escalated', 'escalation');
  t.notify('supervisor', c.assignedUnitPath, 'case_escalated', { level, reason });
  t.record({ level });
}

function reviewNext(t: Transition, from: Level | undefined): void {
  const chain = t.policy.media.reviewChain;
  const nextLevel = from === undefined ? chain[0] : chain[chain.indexOf(from) + 1];
  const m = t.next.media;
  if (nextLevel === undefined) {
    m.status = 'approved';
    m.reviewLevel = undefined;
    m.deadlineAt = undefined;
    m.overdue = false;
    t.notify('reporter', m.reporterId ?? 'reporter', 'media_approved', {});
    return;
  }
  m.status = 'in_review';
  m.reviewLevel = nextLevel;
  m.deadlineAt = addDuration(t.policy.calendar, new Date(t.at), t.policy.deadlines.mediaReview).toISOString();
  m.overdue = false;
  t.notify('supervisor', unitAtLevel(t.next, nextLevel), 'media_review_requested', { level: nextLevel });
}

function apply(t: Transition, a: CaseAction): void {
  const c = t.next;
  const prev = t.prev;
  switch (a.type) {
    case 'triage':
    case 'joint_decision':
      triage(t, a);
      return;
    case 'accept':
      c.assignedOfficerId = t.actor.id;
      t.enter('investigating', c.urgent ? 'arrival' : 'investigation');
      return;
    case 'arrive':
      c.arrived = true;
      // The investigation clock starts at acceptance; an urgent case ran on the arrival clock until now.
      if (prev.stage === 'arrival') t.setClock('investigation');
      return;
    case 'record_evidence':
      c.evidenceCount += 1;
      return;
    case 'resolve':
      c.resolution = a.result;
      c.outcome = 'resolved';
      c.resolvedAt = t.at;
      t.enter('resolved', 'feedback');
      t.notifyAssignee('answer_due', { result: a.result });
      t.notify('partner', 'xinmin', 'disposal_result', { result: a.result, resolvedAt: t.at, level: c.escalationLevel });
      return;
    case 'escalate':
      escalateOneLevel(t, a.reason);
      return;
    case 'return_down': {
      const level = LOWER_LEVEL[c.escalationLevel]!;
      c.escalationLevel = level;
      c.assignedUnitPath = unitAtLevel(c, level);
      c.instructions = a.instructions;
      if (level === 'squad') {
        c.assignedOfficerId = undefined;
        c.arrived = false;
        t.enter('dispatched', 'acceptance');
      } else {
        t.enter('escalated', 'escalation');
      }
      t.notify('supervisor', c.assignedUnitPath, 'case_returned', { level, instructions: a.instructions });
      return;
    }
    case 'reassign':
      if (!a.squadPath && !a.officerId) throw new ActionRefused('invalid', 'reassign needs a squad (unitId or workstationId) or an officer (officerId)');
      if (a.squadPath) {
        c.squadPath = a.squadPath;
        c.assignedUnitPath = a.squadPath;
      }
      c.escalationLevel = 'squad';
      c.arrived = false;
      if (a.officerId) {
        c.assignedOfficerId = a.officerId;
        t.enter('investigating', c.urgent ? 'arrival' : 'investigation');
        t.notify('officer', a.officerId, 'case_assigned', { reason: a.reason });
      } else {
        c.assignedOfficerId = undefined;
        t.enter('dispatched', 'acceptance');
        t.notify('supervisor', c.assignedUnitPath, 'case_dispatched', { reason: a.reason });
      }
      return;
    case 'media_join_request':
      c.media.accompany = 'requested';
      c.media.reporterId = t.actor.id;
      t.notifyAssignee('media_join_requested', { reporter: t.actor.id, note: a.note });
      return;
    case 'media_join_decision':
      c.media.accompany = a.approve ? 'approved' : 'refused';
      t.notify('reporter', c.media.reporterId ?? 'reporter', a.approve ? 'media_join_approved' : 'media_join_refused', { note: a.note });
      return;
    case 'media_draft':
      c.media.reporterId = t.actor.id;
      c.media.title = a.title;
      c.media.body = a.body;
      c.media.comments = undefined;
      reviewNext(t, undefined);
      return;
    case 'media_review':
      if (a.decision === 'return') {
        if (!a.comments) throw new ActionRefused('invalid', 'returning a draft needs comments for the reporter');
        c.media.status = 'returned';
        c.media.comments = a.comments;
        c.media.reviewLevel = undefined;
        c.media.deadlineAt = undefined;
        c.media.overdue = false;
        t.notify('reporter', c.media.reporterId ?? 'reporter', 'media_returned', { comments: a.comments });
      } else {
        t.record({ level: prev.media.reviewLevel });
        reviewNext(t, prev.media.reviewLevel);
      }
      return;
    case 'media_publish':
      c.media.status = 'published';
      c.media.publishedAt = t.at;
      c.media.url = a.url;
      t.closeIfDone();
      return;
    case 'media_waive':
      c.media.status = 'waived';
      c.media.reviewLevel = undefined;
      c.media.deadlineAt = undefined;
      c.media.overdue = false;
      t.closeIfDone();
      return;
    case 'feedback':
      c.answered = true;
      c.feedback = a.message;
      t.tellCitizen('case_answered', { outcome: c.outcome, message: a.message });
      // Waiting for the media item only: no stage clock of the case runs any more.
      t.setClock(undefined);
      t.closeIfDone();
      return;
    case 'rate':
      c.rating = { rating: a.rating, comment: a.comment, at: t.at };
      if (a.rating === 'unsatisfied') t.notify('supervisor', c.squadPath ?? c.assignedUnitPath, 'case_rated_unsatisfied', { comment: a.comment });
      return;
    case 'reopen':
      c.outcome = undefined;
      c.answered = false;
      c.feedback = undefined;
      c.rating = undefined;
      c.closedAt = undefined;
      c.resolvedAt = undefined;
      c.reopenCount += 1;
      c.escalationLevel = 'squad';
      t.record({ previousRating: prev.rating });
      if (c.squadPath) {
        c.assignedUnitPath = c.squadPath;
        c.assignedOfficerId = undefined;
        c.arrived = false;
        t.enter('dispatched', 'acceptance');
        t.notify('supervisor', c.squadPath, 'case_reopened', { reason: a.reason });
      } else {
        t.enter('triage', 'triage');
        t.notify('desk', c.assignedUnitPath, 'case_reopened', { reason: a.reason });
      }
      return;
    case 'withdraw':
      closeUnresolved(t, 'withdrawn');
      t.notifyAssignee('case_withdrawn', { reason: a.reason });
      return;
    case 'mark_duplicate':
      if (a.originalId === c.id) throw new ActionRefused('invalid', 'a case cannot duplicate itself');
      c.duplicateOf = a.originalId;
      closeUnresolved(t, 'duplicate');
      t.tellCitizen('case_duplicate', { originalId: a.originalId });
      return;
    case 'supplement':
      if (!a.text && !a.attachments?.length) throw new ActionRefused('invalid', 'a supplement needs text or attachments');
      c.supplementCount += 1;
      t.notifyAssignee('case_supplemented', {});
      return;
  }
}

/** When the case may finish as a workflow: closed, and no rating or reopen can come any more. */
export function finishesAt(c: CaseView, policy: Policy): string | undefined {
  if (c.state !== 'closed' || !c.closedAt) return undefined;
  if (c.outcome === 'withdrawn' || c.outcome === 'duplicate') return c.closedAt;
  if (!c.rating) return addDuration(policy.calendar, new Date(c.closedAt), policy.ratingWindow).toISOString();
  if (c.rating.rating === 'unsatisfied') return addDuration(policy.calendar, new Date(c.rating.at), policy.reopenWindow).toISOString();
  return c.rating.at;
}
