// The case lifecycle (DOMAIN.md "The case lifecycle", seed 000 §二(二)) as one table: every action of the
// contract is defined once, here — who may take it, its body (the API's schema and the workflow's type
// come from it), the states it may be taken in and the states each leads to, any further guard, its
// effect, and a sample body for the property tests. `decide` runs the table: it refuses an action (with
// why and what is allowed now) or returns the case after it, the event to append and the notifications
// to send. The workflow runs it for every update; tests run it directly; the README's state diagram is
// drawn from it (workflows/diagram.ts).

import type { z } from 'zod';
import {
  type Actor,
  type ActorRole,
  CATEGORIES,
  type CaseEvent,
  type CaseIntake,
  type CaseState,
  type CaseView,
  DEPARTMENTS,
  type Notification,
  type Outcome,
  RATINGS,
  STATES,
} from '../domain/case.js';
import { type ActionName, refusal, rolesFor } from '../domain/access.js';
import { rootPath, unitIdOf } from '../domain/units.js';
import type { FieldKit, Z } from '../domain/fields.js';
import { type Policy, addDuration, hotlineReturnDeadline, stageDeadline } from '../domain/policy.js';
import { approveStep, leaveReview, returnWithComments, submitForReview } from '../domain/review.js';
import { redactText, withoutPersonalData } from '../domain/privacy.js';
import {
  ActionRefused,
  type Decision,
  LOWER_LEVEL,
  NEXT_LEVEL,
  Transition,
  closeUnresolved,
  dispatch,
  escalateOneLevel,
  mediaReviewChain,
  resolveOutOfScope,
  unitAtLevel,
} from './transition.js';

export { ActionRefused, type Decision, type RefusalKind, unitAtLevel } from './transition.js';

/** What the API adds to a body before the workflow sees it: the squad a workstation or unit id names. */
interface Resolved {
  squadPath?: string;
  /** mark_duplicate: the original's answer, when it had answered its citizen already (api/cases.ts). */
  originalAnswer?: OriginalAnswer;
}

/**
 * What an original tells the cases marked its duplicates once it answers its citizen (answerForDuplicates):
 * its outcome and its answer. Without a message: it closed unanswered, and no answer will come.
 */
export interface OriginalAnswer {
  originalId: string;
  outcome?: Outcome;
  message?: string;
}

/** The parties a property company's dual report (双报告) reaches, each of which acknowledges it once. */
export const REPORT_PARTIES = ['squad', 'demolition_office'] as const;
export type ReportParty = (typeof REPORT_PARTIES)[number];

/** Ids a sample body may refer to: the world of the case under test. */
export interface SampleWorld {
  workstationId: string;
  otherWorkstationId: string;
  originalId: string;
}

/** From each state the action may be taken in, the states it may lead to (itself, when it stays). */
type Moves = Partial<Record<CaseState, readonly CaseState[]>>;

interface ActionDefinition<Shape extends z.ZodRawShape, M extends Moves = Moves> {
  /**
   * Its body's fields besides `type`, built from the zod the caller passes (the API; the workflow sandbox
   * never loads zod, see domain/fields.ts).
   */
  body: (f: FieldKit) => Shape;
  /** Checks across the body's fields, so a 400 names the missing one. */
  refine?: (body: z.output<z.ZodObject<Shape>>, ctx: z.RefinementCtx) => void;
  moves: M;
  /** Why it is refused (409) in a state not in `moves`. */
  refusal: string;
  /** A further condition in those states: why not now, or undefined. */
  guard?: (c: CaseView) => string | undefined;
  effect: (t: Transition, a: z.output<z.ZodObject<Shape>> & Resolved) => void;
  /** A body the API accepts, for the property tests; `pick` varies the choices. */
  sample: (world: SampleWorld, pick: number) => z.input<z.ZodObject<Shape>>;
}

const define = <Shape extends z.ZodRawShape, const M extends Moves>(d: ActionDefinition<Shape, M>): ActionDefinition<Shape, M> => d;
/** Moves that keep the state: the action may be taken in each of `states` and leaves the case there. */
const stays = <const S extends CaseState>(...states: S[]) => Object.fromEntries(states.map((s) => [s, [s]])) as unknown as { [K in S]: readonly [K] };
const OPEN_BEFORE_RESOLUTION = ['triage', 'joint_triage', 'dispatched', 'investigating', 'escalated'] as const;
const ALL_BUT_CLOSED = STATES.filter((s): s is Exclude<CaseState, 'closed'> => s !== 'closed');
const noMedia = (c: CaseView) => (c.media.status === 'not_applicable' ? 'this case has no media item' : undefined);
/** Why a hotline case past its return deadline is not returned, and what the desk does instead. */
const returnWindowClosed = (c: CaseView) =>
  `the window to return this 12345 work order closed at ${c.returnDeadlineAt}: decide it here instead — transfer it to the competent department or explain to the citizen (triage decision transfer or explain)`;

const triageFields = ({ z, optionalNote }: FieldKit) => ({
  category: z.enum(CATEGORIES).optional(),
  workstationId: z.string().max(64).optional(),
  urgent: z.boolean().optional(),
  department: z.enum(DEPARTMENTS).optional(),
  explanation: z.string().trim().min(1).max(5000).optional(),
  note: optionalNote,
});
type TriageBody = { decision: 'in_scope' | 'joint' | 'transfer' | 'explain' } & Partial<Record<keyof ReturnType<typeof triageFields>, unknown>>;

/** Field combinations each triage decision needs, checked at the door so the answer names the missing field. */
function checkTriage(v: { decision: string; department?: string; explanation?: string }, ctx: z.RefinementCtx) {
  if (v.decision === 'transfer' && !v.department) ctx.addIssue({ code: 'custom', path: ['department'], message: 'a transfer names the competent department' });
  if (v.decision === 'explain' && !v.explanation) ctx.addIssue({ code: 'custom', path: ['explanation'], message: 'an explanation to the citizen is required' });
}

function triageEffect(t: Transition, d: z.output<z.ZodObject<ReturnType<typeof triageFields>>> & Resolved & { decision: TriageBody['decision'] }) {
  const c = t.next;
  switch (d.decision) {
    case 'in_scope':
      if (d.category) c.category = d.category;
      if (d.urgent !== undefined) c.urgent = d.urgent;
      if (!c.category) throw new ActionRefused('invalid', 'an in-scope decision needs a category');
      dispatch(t, d.squadPath, d.workstationId);
      recordAgainstSuggestion(t);
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
      if (!d.department) throw new ActionRefused('invalid', 'a transfer names the competent department');
      c.department = d.department;
      resolveOutOfScope(t, 'transferred', { department: d.department });
      return;
    case 'explain':
      if (!d.explanation) throw new ActionRefused('invalid', 'an explanation to the citizen is required');
      c.explanation = d.explanation;
      resolveOutOfScope(t, 'explained', { explanation: d.explanation });
      return;
  }
}

/**
 * How the desk's in-scope decision compares with smart dispatch's suggestion (智能派单): recorded in the
 * triage event, so the timeline shows a correction and `./bangnong dispatch report` counts them.
 */
function recordAgainstSuggestion(t: Transition): void {
  const s = t.next.suggestion;
  if (!s) return;
  const c = t.next;
  const squadId = c.squadPath ? unitIdOf(c.squadPath) : undefined;
  const corrected = [
    ...(s.category !== c.category ? ['category'] : []),
    ...(s.unitId !== squadId ? ['unit'] : []),
    ...(s.workstationId !== undefined && s.workstationId !== c.workstationId ? ['workstation'] : []),
  ];
  t.record({
    suggestion: { category: s.category, unitId: s.unitId, workstationId: s.workstationId, place: s.place, confidence: s.confidence, model: s.model },
    decided: { category: c.category, unitId: squadId, workstationId: c.workstationId },
    corrected,
  });
}

const triageSample = <D extends TriageBody['decision']>(decisions: readonly D[]) => (w: SampleWorld, pick: number) => ({
  decision: decisions[pick % decisions.length]!,
  category: 'cooking_fumes' as const,
  workstationId: w.workstationId,
  department: 'environment' as const,
  explanation: '已说明',
});

/** Every action of the contract. The order is the order of `allowed` lists. */
export const ACTIONS = {
  triage: define({
    body: (f: FieldKit) => ({ decision: f.z.enum(['in_scope', 'joint', 'transfer', 'explain']), ...triageFields(f) }),
    refine: checkTriage,
    moves: { triage: ['dispatched', 'joint_triage', 'resolved'] },
    refusal: 'triage is only decided while the case waits in triage',
    effect: triageEffect,
    sample: triageSample(['in_scope', 'joint', 'transfer', 'explain']),
  }),
  joint_decision: define({
    body: (f: FieldKit) => ({ ...triageFields(f), decision: f.z.enum(['in_scope', 'transfer', 'explain']) }),
    refine: checkTriage,
    moves: { joint_triage: ['dispatched', 'resolved'] },
    refusal: 'a joint decision needs a case in joint triage',
    effect: triageEffect,
    sample: triageSample(['in_scope', 'transfer', 'explain']),
  }),
  accept: define({
    body: (_f: FieldKit) => ({}),
    moves: { dispatched: ['investigating'] },
    refusal: 'only a dispatched case can be accepted',
    effect: (t) => {
      t.next.assignedOfficerId = t.actor.id;
      t.enter('investigating', t.next.urgent ? 'arrival' : 'investigation');
    },
    sample: () => ({}),
  }),
  arrive: define({
    body: ({ optionalNote }: FieldKit) => ({ note: optionalNote }),
    moves: stays('investigating'),
    refusal: 'arrival is recorded once, while investigating',
    guard: (c) => (c.arrived ? 'arrival is recorded once, while investigating' : undefined),
    effect: (t) => {
      t.next.arrived = true;
      // The investigation clock starts at acceptance; an urgent case ran on the arrival clock until now.
      if (t.prev.stage === 'arrival') t.setClock('investigation');
    },
    sample: () => ({ note: '到达现场' }),
  }),
  record_evidence: define({
    body: ({ optionalNote, attachments }: FieldKit) => ({ note: optionalNote, attachments }),
    moves: stays('investigating', 'escalated'),
    refusal: 'evidence is recorded while investigating or escalated',
    effect: (t) => {
      t.next.evidenceCount += 1;
    },
    sample: () => ({ note: '现场照片', attachments: [{ url: 'https://files.example/1.jpg' }] }),
  }),
  resolve: define({
    body: ({ text, attachments }: FieldKit) => ({ result: text(5000), attachments }),
    moves: { investigating: ['resolved'], escalated: ['resolved'] },
    refusal: 'only a case under investigation or escalated can be resolved',
    effect: (t, a) => {
      const c = t.next;
      c.resolution = a.result;
      c.outcome = 'resolved';
      c.resolvedAt = t.at;
      t.enter('resolved', 'feedback');
      t.notifyAssignee('answer_due', { result: a.result });
      t.notify('partner', 'xinmin', 'disposal_result', { result: a.result, resolvedAt: t.at, level: c.escalationLevel });
    },
    sample: () => ({ result: '已处理' }),
  }),
  escalate: define({
    body: ({ text }: FieldKit) => ({ reason: text(5000) }),
    moves: { investigating: ['escalated'], escalated: ['escalated'] },
    refusal: 'only a case under investigation or escalated can be escalated',
    guard: (c) => (NEXT_LEVEL[c.escalationLevel] === undefined ? 'the case is already at the city bureau, the highest level' : undefined),
    effect: (t, a) => escalateOneLevel(t, a.reason),
    sample: () => ({ reason: '需上级协调' }),
  }),
  return_down: define({
    body: ({ text }: FieldKit) => ({ instructions: text(5000) }),
    moves: { escalated: ['escalated', 'dispatched'] },
    refusal: 'only an escalated case can be returned down',
    effect: (t, a) => {
      const c = t.next;
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
    },
    sample: () => ({ instructions: '再次上门' }),
  }),
  reassign: define({
    body: ({ z, optionalNote }: FieldKit) => ({
      unitId: z.string().max(64).optional().describe('the squad to take the case'),
      workstationId: z.string().max(64).optional().describe('or the workstation whose squad takes it'),
      officerId: z.string().max(64).optional(),
      reason: optionalNote,
    }),
    moves: { dispatched: ['dispatched', 'investigating'], investigating: ['dispatched', 'investigating'] },
    refusal: 'only a dispatched or investigating case can be reassigned',
    effect: (t, a) => {
      const c = t.next;
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
    },
    sample: (w, pick) => ({ workstationId: pick % 2 ? w.workstationId : w.otherWorkstationId }),
  }),
  media_join_request: define({
    body: ({ optionalNote }: FieldKit) => ({ note: optionalNote }),
    moves: stays('dispatched', 'investigating', 'escalated'),
    refusal: 'a reporter asks to accompany once, before the disposal',
    guard: (c) => noMedia(c) ?? (c.media.accompany !== 'none' ? 'a reporter asks to accompany once, before the disposal' : undefined),
    effect: (t, a) => {
      t.next.media.accompany = 'requested';
      t.next.media.reporterId = t.actor.id;
      t.notifyAssignee('media_join_requested', { reporter: t.actor.id, note: a.note });
    },
    sample: () => ({ note: '希望跟拍' }),
  }),
  media_join_decision: define({
    body: ({ z, optionalNote }: FieldKit) => ({ approve: z.boolean(), note: optionalNote }),
    moves: stays(...STATES),
    refusal: 'no request to accompany is waiting',
    guard: (c) => (c.media.accompany !== 'requested' ? 'no request to accompany is waiting' : undefined),
    effect: (t, a) => {
      t.next.media.accompany = a.approve ? 'approved' : 'refused';
      t.notify('reporter', t.next.media.reporterId ?? 'reporter', a.approve ? 'media_join_approved' : 'media_join_refused', { note: a.note });
    },
    sample: (_w, pick) => ({ approve: pick % 2 === 0 }),
  }),
  media_draft: define({
    body: ({ text }: FieldKit) => ({ title: text(300), body: text(50_000) }),
    moves: stays('dispatched', 'investigating', 'escalated', 'resolved'),
    refusal: 'a draft follows triage and precedes closure',
    guard: (c) => noMedia(c) ?? (c.media.status !== 'none' && c.media.status !== 'returned' ? 'a draft is already in review, approved or done' : undefined),
    effect: (t, a) => {
      const m = t.next.media;
      m.reporterId = t.actor.id;
      m.title = a.title;
      m.body = a.body;
      t.tellReview(submitForReview(m, mediaReviewChain(t.policy), t.at));
    },
    sample: () => ({ title: '标题', body: '正文' }),
  }),
  media_review: define({
    body: ({ z, optionalNote }: FieldKit) => ({ decision: z.enum(['approve', 'return']), comments: optionalNote }),
    moves: stays(...STATES),
    refusal: 'no media draft is waiting for review',
    guard: (c) => (c.media.status !== 'in_review' ? 'no media draft is waiting for review' : undefined),
    effect: (t, a) => {
      const m = t.next.media;
      if (a.decision === 'return') {
        if (!a.comments) throw new ActionRefused('invalid', 'returning a draft needs comments for the reporter');
        returnWithComments(m, a.comments);
        t.notify('reporter', m.reporterId ?? 'reporter', 'media_returned', { comments: a.comments });
      } else {
        t.record({ level: t.prev.media.reviewLevel });
        t.tellReview(approveStep(m, mediaReviewChain(t.policy), t.at));
      }
    },
    sample: (_w, pick) => ({ decision: pick % 3 === 0 ? ('return' as const) : ('approve' as const), comments: '请修改' }),
  }),
  media_publish: define({
    body: ({ link }: FieldKit) => ({ url: link.optional() }),
    moves: { ...stays(...STATES), resolved: ['resolved', 'closed'] },
    refusal: 'only an approved media item can be published',
    guard: (c) => (c.media.status !== 'approved' ? 'only an approved media item can be published' : undefined),
    effect: (t, a) => {
      const m = t.next.media;
      m.status = 'published';
      m.publishedAt = t.at;
      m.url = a.url;
      t.closeIfDone();
    },
    sample: () => ({}),
  }),
  media_waive: define({
    body: ({ optionalNote }: FieldKit) => ({ reason: optionalNote }),
    moves: { ...stays(...ALL_BUT_CLOSED), resolved: ['resolved', 'closed'] },
    refusal: 'the case is closed',
    guard: (c) => (['none', 'in_review', 'returned', 'approved'].includes(c.media.status) ? undefined : 'the media item is already published, waived or not applicable'),
    effect: (t) => {
      t.next.media.status = 'waived';
      leaveReview(t.next.media);
      t.closeIfDone();
    },
    sample: () => ({}),
  }),
  feedback: define({
    body: ({ text }: FieldKit) => ({ message: text(5000) }),
    moves: { resolved: ['resolved', 'closed'] },
    refusal: 'the citizen is answered once the case is resolved, and once',
    guard: (c) => (c.answered ? 'the citizen is answered once the case is resolved, and once' : undefined),
    effect: (t, a) => {
      const c = t.next;
      c.answered = true;
      c.feedback = a.message;
      c.answeredAt = t.at;
      t.tellCitizen('case_answered', { outcome: c.outcome, message: a.message });
      t.tellHotline('work_order_answered', { outcome: c.outcome, message: a.message, answeredAt: t.at });
      // Waiting for the media item only: no stage clock of the case runs any more.
      t.setClock(undefined);
      t.closeIfDone();
    },
    sample: () => ({ message: '已答复' }),
  }),
  rate: define({
    body: ({ z, optionalNote }: FieldKit) => ({ rating: z.enum(RATINGS), comment: optionalNote }),
    moves: stays('resolved', 'closed'),
    refusal: 'a rating follows the answer to the citizen, once',
    guard: (c) => (c.answered && !c.rating && ratable(c.outcome) ? undefined : 'a rating follows the answer to the citizen, once'),
    effect: (t, a) => {
      const c = t.next;
      c.rating = { rating: a.rating, comment: a.comment, at: t.at };
      // A rating the hotline itself passes on (its 回访, with its intake key) is not echoed back to it.
      if (t.actor.role !== 'intake') t.tellHotline('work_order_rated', { rating: a.rating, comment: a.comment, ratedAt: t.at });
      if (a.rating === 'unsatisfied') t.notify('supervisor', c.squadPath ?? c.assignedUnitPath, 'case_rated_unsatisfied', { comment: a.comment });
    },
    sample: (_w, pick) => ({ rating: RATINGS[pick % RATINGS.length]! }),
  }),
  reopen: define({
    body: ({ text }: FieldKit) => ({ reason: text(5000) }),
    moves: { resolved: ['dispatched', 'triage'], closed: ['dispatched', 'triage'] },
    refusal: 'only a case rated unsatisfied can be reopened',
    guard: (c) => (c.rating?.rating !== 'unsatisfied' ? 'only a case rated unsatisfied can be reopened' : undefined),
    effect: (t, a) => {
      const c = t.next;
      c.outcome = undefined;
      c.answered = false;
      c.feedback = undefined;
      c.rating = undefined;
      c.closedAt = undefined;
      c.resolvedAt = undefined;
      c.reopenCount += 1;
      c.escalationLevel = 'squad';
      t.record({ previousRating: t.prev.rating });
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
    },
    sample: () => ({ reason: '不满意' }),
  }),
  withdraw: define({
    body: ({ optionalNote }: FieldKit) => ({ reason: optionalNote }),
    moves: Object.fromEntries(OPEN_BEFORE_RESOLUTION.map((s) => [s, ['closed']])) as unknown as Record<(typeof OPEN_BEFORE_RESOLUTION)[number], readonly ['closed']>,
    refusal: 'a case can be withdrawn only before it is resolved',
    effect: (t, a) => {
      closeUnresolved(t, 'withdrawn');
      t.notifyAssignee('case_withdrawn', { reason: a.reason });
    },
    sample: () => ({}),
  }),
  // The desk takes a dispatched case back to triage before any officer has accepted it: a dispatch the
  // system made on its suggestion (auto-dispatch) or the desk's own mistake is undone like any triage.
  retriage: define({
    body: ({ text }: FieldKit) => ({ reason: text(2000) }),
    moves: { dispatched: ['triage'] },
    refusal: 'only a dispatched case no officer has accepted yet goes back to triage',
    effect: (t, a) => {
      const c = t.next;
      t.record({ previousUnit: c.assignedUnitPath, previousWorkstationId: c.workstationId, autoDispatched: c.autoDispatch !== undefined });
      t.notify('supervisor', c.assignedUnitPath, 'case_retriaged', { reason: a.reason });
      c.autoDispatch = undefined;
      // Back to the desk that takes it back: its unit covers the squad the case was dispatched to.
      c.assignedUnitPath = t.actor.unitPath;
      c.squadPath = undefined;
      c.workstationId = undefined;
      c.escalationLevel = 'squad';
      t.enter('triage', 'triage');
    },
    sample: () => ({ reason: '派错中队，重新研判' }),
  }),
  mark_duplicate: define({
    body: ({ text }: FieldKit) => ({ originalId: text(64) }),
    moves: { triage: ['closed'], joint_triage: ['closed'], dispatched: ['closed'] },
    refusal: 'duplicates are marked before the investigation starts',
    effect: (t, a) => {
      if (a.originalId === t.next.id) throw new ActionRefused('invalid', 'a case cannot duplicate itself');
      t.next.duplicateOf = a.originalId;
      closeUnresolved(t, 'duplicate');
      t.tellCitizen('case_duplicate', { originalId: a.originalId });
      // An original that has answered already answers this case at once; otherwise its answer comes later
      // (the workflows link the two: workflows/case.ts).
      if (a.originalAnswer?.message !== undefined) answerAsDuplicate(t, { ...a.originalAnswer, message: a.originalAnswer.message });
    },
    sample: (w) => ({ originalId: w.originalId }),
  }),
  // 退单: a 12345 work order that is not a 城管 matter goes back to the hotline with its reason, within the
  // return window (policy hotlineReturn, 2 working days); the hotline answers the citizen, so the case
  // closes here without an answer or rating of ours. Past the window it is transferred or explained.
  return_to_hotline: define({
    body: ({ text }: FieldKit) => ({ reason: text(2000) }),
    moves: { triage: ['closed'], joint_triage: ['closed'] },
    refusal: 'a 12345 work order is returned from triage or joint triage, before it is dispatched',
    guard: (c) =>
      c.channel !== 'hotline'
        ? `only a 12345 work order (channel hotline) is returned to the hotline; this case came through ${c.channel}: transfer or explain it instead`
        : c.returnWindowClosed
          ? returnWindowClosed(c)
          : undefined,
    effect: (t, a) => {
      const c = t.next;
      // The clock marks the window closed a moment after it does; the action's own time decides.
      if (c.returnDeadlineAt && Date.parse(t.at) >= Date.parse(c.returnDeadlineAt)) throw new ActionRefused('conflict', returnWindowClosed(c));
      c.returnReason = a.reason;
      closeUnresolved(t, 'returned');
      t.tellHotline('work_order_returned', { reason: a.reason, returnedAt: t.at });
    },
    sample: () => ({ reason: '非城管执法事项（房屋漏水属物业维修），请改派住建部门' }),
  }),
  supplement: define({
    body: ({ z, attachments }: FieldKit) => ({ text: z.string().max(10_000).optional(), attachments }),
    moves: stays(...ALL_BUT_CLOSED),
    refusal: 'the case is closed',
    effect: (t, a) => {
      if (!a.text && !a.attachments?.length) throw new ActionRefused('invalid', 'a supplement needs text or attachments');
      t.next.supplementCount += 1;
      t.notifyAssignee('case_supplemented', {});
    },
    sample: () => ({ text: '补充' }),
  }),
  // On the citizen's request (PIPL art. 47): in every state — closed too, the one action a closed case
  // takes whatever its rating — and once. The case keeps its course without the citizen; the workflow
  // then redacts the stored timeline and outbox and deletes the case's files (erasePersonalData).
  erase_personal_data: define({
    body: ({ text }: FieldKit) => ({ reason: text(2000) }),
    moves: stays(...STATES),
    refusal: "the case's personal data is erased once",
    guard: (c) => (c.personalDataErasedAt ? `the case's personal data was erased at ${c.personalDataErasedAt}` : undefined),
    effect: (t, a) => {
      // The reason is the supervisor's words: it must not carry what it erases.
      const reason = redactText(a.reason, t.prev.citizen, 'hidden');
      Object.assign(t.next, withoutPersonalData(t.next), { personalDataErasedAt: t.at, personalDataErasureReason: reason });
      delete t.next.citizen;
      t.record({ reason });
    },
    sample: () => ({ reason: '市民申请删除个人信息' }),
  }),
  // seed 004 双报告: each party a property company's report reached acknowledges it, once, while the case
  // is open; the property company is told each acknowledgement (not the note: that is the bureau's).
  acknowledge_report: define({
    body: ({ z, optionalNote }: FieldKit) => ({
      party: z.enum(REPORT_PARTIES).describe('who acknowledges: the squad, or the district demolition office (拆违办)'),
      note: optionalNote,
    }),
    moves: stays(...ALL_BUT_CLOSED),
    refusal: 'a dual report is acknowledged while its case is open',
    guard: (c) =>
      !c.dualReport
        ? "only a property company's dual report (双报告) is acknowledged"
        : c.dualReport.squad.acknowledgedAt && c.dualReport.demolitionOffice.acknowledgedAt
          ? 'the squad and the demolition office have both acknowledged the report'
          : undefined,
    effect: (t, a) => {
      const report = t.next.dualReport!;
      const key = a.party === 'squad' ? 'squad' : 'demolitionOffice';
      const before = report[key];
      if (before.acknowledgedAt) throw new ActionRefused('conflict', `the ${PARTY_NAMES[a.party]} acknowledged the report at ${before.acknowledgedAt}, once is enough`);
      t.next.dualReport = { ...report, [key]: { ...before, acknowledgedAt: t.at, by: t.actor.id } };
      t.tellCitizen('report_acknowledged', { party: a.party, acknowledgedAt: t.at });
    },
    // Always the squad: the demolition office's party takes a district supervisor, which the property
    // tests' actors (the first role of the table, anywhere) are not.
    sample: () => ({ party: 'squad' as const, note: '已收到，安排核查' }),
  }),
};

const PARTY_NAMES: Record<ReportParty, string> = { squad: 'squad', demolition_office: "district's demolition office" };

export type ActionType = keyof typeof ACTIONS;
type Definitions = typeof ACTIONS;
type BodyOf<K extends ActionType> =
  Definitions[K] extends ActionDefinition<infer S, infer _M> ? ([keyof S] extends [never] ? unknown : z.output<z.ZodObject<S>>) : never;

/** Every action of the contract, as a client sends it. */
export type ActionBody = { [K in ActionType]: { type: K } & BodyOf<K> }[ActionType];
/** Every action of the contract, as the workflow receives it (the API has resolved units to paths). */
export type CaseAction = { [K in ActionType]: { type: K } & BodyOf<K> & Resolved }[ActionType];

export const ACTION_TYPES = Object.keys(ACTIONS) as ActionType[];

/** Which roles may take each action at all (403 otherwise), from the authorisation table; the state decides whether it is allowed now (409). */
export const ACTION_ROLES = Object.fromEntries(ACTION_TYPES.map((type) => [type, rolesFor(type)])) as unknown as Record<ActionType, readonly ActorRole[]>;

// The authorisation table (domain/access.ts) names exactly the actions of this table: one missing or
// extra fails here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const accessCoversActions: Same<ActionType, ActionName> = true;
void accessCoversActions;

// The compiler checks that the table covers every state: a state no action may be taken in fails here.
type StatesWithActions = { [K in ActionType]: keyof Definitions[K]['moves'] }[ActionType];
const everyStateHasActions: Record<CaseState, true> = {} as Record<StatesWithActions, true>;
void everyStateHasActions;

/** The request body of any action, for the API: `{type, …fields}`, strict, with each action's cross-field checks. */
export function actionBodySchema(kit: FieldKit): z.ZodType<ActionBody> {
  const z: Z = kit.z;
  const options = ACTION_TYPES.map((type) => {
    const d = ACTIONS[type] as ActionDefinition<z.ZodRawShape>;
    const schema = z.strictObject({ type: z.literal(type), ...d.body(kit) });
    return d.refine ? schema.superRefine((v, ctx) => d.refine!(v as never, ctx)) : schema;
  });
  return z.discriminatedUnion('type', options as unknown as [z.ZodObject<{ type: z.ZodLiteral<string> }>]) as unknown as z.ZodType<ActionBody>;
}

/** What the case's own clocks do; never sent by a client. */
export type ClockAction = { type: 'deadline_passed'; clock: 'stage' | 'media' | 'return' } | { type: 'grace_passed' };

/** The states an overdue case escalates from by itself after the grace period; the others only notify. */
export const AUTOMATIC_ESCALATION: Moves = { dispatched: ['escalated'], investigating: ['escalated'], escalated: ['escalated'] };

/**
 * The case as intake leaves it: waiting in triage with the triage clock running. A property company's
 * report that reached its squad is a dual report (双报告): the district's demolition office is told at
 * once, in the first projection (unless `dualReport` is false: a case started before dual reports).
 */
export function openCase(
  intake: CaseIntake,
  policy: Policy,
  options: { dualReport?: boolean } = {},
): { view: CaseView; events: CaseEvent[]; notifications: Notification[] } {
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
    ...(intake.suggestion && { suggestion: intake.suggestion }),
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
  const returnDeadlineAt = hotlineReturnDeadline(policy, intake.channel, at);
  if (returnDeadlineAt) view.returnDeadlineAt = returnDeadlineAt;
  const event: CaseEvent = {
    caseId: intake.id,
    seq: 1,
    type: 'intake',
    actor: intake.filedBy,
    at,
    to: 'triage',
    payload: { channel: intake.channel, externalId: intake.externalId, workstationId: intake.workstationId },
  };
  const notifications: Notification[] = [];
  if (intake.channel === 'property' && intake.squadPath && options.dualReport !== false) {
    view.dualReport = { squad: {}, demolitionOffice: { notifiedAt: at } };
    notifications.push(demolitionOfficeNotice(view));
  }
  if (!intake.autoDispatch) return { view, events: [event], notifications };
  // Auto-dispatch: the suggestion was sure enough for the channel, so the system triages the case as the
  // desk would, in the same moment; the desk takes it back with retriage.
  const a = intake.autoDispatch;
  const system: Actor = { id: 'system', role: 'system', unitPath: rootPath(view.assignedUnitPath) };
  const t = new Transition(view, 'triage', system, at, policy);
  triageEffect(t, { decision: 'in_scope', category: a.category, workstationId: a.workstationId, squadPath: a.squadPath });
  t.next.autoDispatch = { at, confidence: a.confidence };
  t.record({ automatic: true });
  const triaged = t.finish({ decision: 'in_scope', category: a.category, workstationId: a.workstationId });
  return { view: triaged.next, events: [event, triaged.event], notifications: [...notifications, ...triaged.notifications] };
}

/**
 * The dual report as the district's demolition office (拆违办) gets it: what it needs to act on — where,
 * what, which property company reported it, the case and squad to refer to — and no more: no tracking code
 * (the citizen's key to the case), no contact phone, and phone and identity numbers starred in the text.
 */
function demolitionOfficeNotice(c: CaseView): Notification {
  const district = unitAtLevel(c, 'district');
  const masked = (text: string) => redactText(text, undefined, 'hidden');
  return {
    // The id the first transition's first message would have (Transition.notify): stable under retries.
    id: `${c.id}:${c.version}:0`,
    caseId: c.id,
    recipient: 'demolition_office',
    to: district,
    kind: 'dual_report',
    body: {
      caseId: c.id,
      title: masked(c.title),
      description: masked(c.description),
      category: c.category,
      location: { ...c.location, address: masked(c.location.address) },
      propertyCompany: c.citizen?.name,
      squadId: unitIdOf(c.squadPath!),
      districtId: unitIdOf(district),
      reportedAt: c.createdAt,
    },
  };
}

/** Why the case does not allow the action now, or undefined when it does. */
function whyNot(c: CaseView, type: ActionType): string | undefined {
  const d = ACTIONS[type] as ActionDefinition<z.ZodRawShape>;
  if (d.moves[c.state] === undefined) return d.refusal;
  return d.guard?.(c);
}

/** The actions the case allows now (for anyone allowed to take them), for 409 answers and clients. */
export function allowedActions(c: CaseView): ActionType[] {
  return ACTION_TYPES.filter((type) => whyNot(c, type) === undefined);
}

/** Outcomes the citizen rates once answered: a duplicate is answered with its original's answer. */
function ratable(outcome: Outcome | undefined): boolean {
  return outcome === 'resolved' || outcome === 'transferred' || outcome === 'explained' || outcome === 'duplicate';
}

/** Whether the actor's unit covers the unit that acts on the case for this action. */
function jurisdictionOf(c: CaseView, action: { type: ActionType; party?: unknown }): string {
  if (action.type === 'media_review' && c.media.reviewLevel) return unitAtLevel(c, c.media.reviewLevel);
  // A dual report is acknowledged where it was sent: at the squad, or at the district for its demolition office.
  if (action.type === 'acknowledge_report') return unitAtLevel(c, action.party === 'demolition_office' ? 'district' : 'squad');
  return c.assignedUnitPath;
}

/**
 * Refuses (403) an actor the authorisation table does not let take the action where the case is handled,
 * and an officer acting on a case assigned to another officer.
 */
export function assertMayAct(c: CaseView, action: { type: ActionType; party?: unknown }, actor: Actor): void {
  const why = refusal(actor, action.type, { units: [jurisdictionOf(c, action)], channel: c.channel });
  if (why) throw new ActionRefused('forbidden', why);
  if (action.type === 'acknowledge_report' && action.party === 'demolition_office' && actor.role !== 'supervisor') {
    throw new ActionRefused('forbidden', `the demolition office's acknowledgement is recorded by a supervisor of the district bureau, not ${actor.role === 'officer' ? 'an officer' : `a ${actor.role}`}`);
  }
  if (action.type === 'accept' || action.type === 'arrive') return;
  if (actor.role === 'officer' && c.assignedOfficerId && c.assignedOfficerId !== actor.id && ['resolve', 'escalate', 'arrive'].includes(action.type)) {
    throw new ActionRefused('forbidden', `the case is assigned to officer ${c.assignedOfficerId}`);
  }
}

/** Decide an action of an actor at time `at`: refuse it, or return what it changes. */
export function decide(c: CaseView, action: CaseAction, actor: Actor, at: string, policy: Policy): Decision {
  // Who may act comes first: an actor the table refuses learns nothing of the case's state.
  assertMayAct(c, action, actor);
  const why = whyNot(c, action.type);
  if (why !== undefined) throw new ActionRefused('conflict', why);
  const d = ACTIONS[action.type] as ActionDefinition<z.ZodRawShape>;
  const t = new Transition(c, action.type, actor, at, policy);
  d.effect(t, action as never);
  // The table is the contract: an effect that leads where its row does not say is a bug, not a case.
  if (!d.moves[c.state]!.includes(t.next.state)) {
    throw new Error(`lifecycle table: ${action.type} from ${c.state} led to ${t.next.state}, which its moves do not list`);
  }
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
  if (action.type === 'deadline_passed' && action.clock === 'return') {
    if (!returnClockRuns(c)) return undefined;
    // Not returned in time: it stays with us now. The desk and its supervisor are told to decide it.
    t.next.returnWindowClosed = true;
    const body = { workOrderId: c.externalId, returnDeadlineAt: c.returnDeadlineAt };
    t.notify('desk', c.assignedUnitPath, 'hotline_return_window_closed', body);
    t.notify('supervisor', c.assignedUnitPath, 'hotline_return_window_closed', body);
    return t.finish({ clock: 'return' });
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

/**
 * Whether the hotline return clock still waits: a 12345 work order in its first triage (a case reopened
 * after an answer is past returning), with a return deadline and no decision yet.
 */
export function returnClockRuns(c: CaseView): boolean {
  return c.returnDeadlineAt !== undefined && !c.returnWindowClosed && c.reopenCount === 0 && (c.state === 'triage' || c.state === 'joint_triage');
}

/** Only the stages an officer or a level works on escalate by themselves; the others only notify. */
export function autoEscalates(c: CaseView): boolean {
  return AUTOMATIC_ESCALATION[c.state] !== undefined && NEXT_LEVEL[c.escalationLevel] !== undefined;
}

/**
 * When the case may finish as a workflow: closed, and no rating or reopen can come any more. A duplicate
 * linked to its original (`awaitsOriginal`, workflows/case.ts) waits for the original's answer, for at most
 * DUPLICATE_ANSWER_WAIT; once answered, it has its own rating window from the answer.
 */
export function finishesAt(c: CaseView, policy: Policy, options: { awaitsOriginal?: boolean } = {}): string | undefined {
  if (c.state !== 'closed' || !c.closedAt) return undefined;
  if (c.outcome === 'duplicate' && (c.answered || options.awaitsOriginal)) return duplicateFinishesAt(c, policy);
  // The hotline answers a returned work order's citizen: no rating of ours follows.
  if (c.outcome === 'withdrawn' || c.outcome === 'duplicate' || c.outcome === 'returned') return c.closedAt;
  if (!c.rating) return addDuration(policy.calendar, new Date(c.closedAt), policy.ratingWindow).toISOString();
  if (c.rating.rating === 'unsatisfied') return addDuration(policy.calendar, new Date(c.rating.at), policy.reopenWindow).toISOString();
  return c.rating.at;
}

/**
 * How long a duplicate waits for its original's answer: 60 working days (about three months), far past
 * every stage deadline an original runs on, so an answer given late still reaches it; past that the
 * duplicate's workflow ends, and nothing waits forever.
 */
export const DUPLICATE_ANSWER_WAIT = '60wd';

function duplicateFinishesAt(c: CaseView, policy: Policy): string {
  if (!c.answered) return addDuration(policy.calendar, new Date(c.closedAt!), DUPLICATE_ANSWER_WAIT).toISOString();
  if (!c.rating) return addDuration(policy.calendar, new Date(c.answeredAt ?? c.closedAt!), policy.ratingWindow).toISOString();
  if (c.rating.rating === 'unsatisfied') return addDuration(policy.calendar, new Date(c.rating.at), policy.reopenWindow).toISOString();
  return c.rating.at;
}

/** A duplicate answered with its original's answer: its citizen is told it, and may rate it (rate). */
function answerAsDuplicate(t: Transition, answer: OriginalAnswer & { message: string }): void {
  const c = t.next;
  c.answered = true;
  c.feedback = answer.message;
  c.answeredAt = t.at;
  t.record({ originalId: answer.originalId, message: answer.message });
  t.tellCitizen('case_answered', { outcome: c.outcome, originalOutcome: answer.outcome, message: answer.message });
  // A 12345 work order answered this way is answered for the hotline too.
  t.tellHotline('work_order_answered', { outcome: c.outcome, originalOutcome: answer.outcome, message: answer.message, answeredAt: t.at });
}

/**
 * The original's answer as its duplicates get it, once it has answered its citizen: the same words, with its
 * own citizen's name and numbers starred out — a duplicate's citizen is someone else. Undefined before.
 */
export function answerForDuplicates(c: CaseView): OriginalAnswer | undefined {
  if (!c.answered || c.feedback === undefined) return undefined;
  return { originalId: c.id, outcome: c.outcome, message: redactText(c.feedback, c.citizen, 'hidden') };
}

/** The original records a case marked its duplicate, by whoever marked it; undefined when it is listed already. */
export function linkDuplicate(c: CaseView, duplicateId: string, actor: Actor, at: string, policy: Policy): Decision | undefined {
  if (duplicateId === c.id || c.duplicates?.includes(duplicateId)) return undefined;
  const t = new Transition(c, 'duplicate_linked', actor, at, policy);
  t.next.duplicates = [...(c.duplicates ?? []), duplicateId];
  return t.finish({ duplicateId });
}

/** A duplicate takes its original's answer; undefined unless it is a duplicate still unanswered and there is an answer. */
export function answerFromOriginal(c: CaseView, answer: OriginalAnswer, at: string, policy: Policy): Decision | undefined {
  if (c.outcome !== 'duplicate' || c.answered || answer.message === undefined) return undefined;
  const system: Actor = { id: 'system', role: 'system', unitPath: rootPath(c.assignedUnitPath) };
  const t = new Transition(c, 'original_answered', system, at, policy);
  answerAsDuplicate(t, { ...answer, message: answer.message });
  return t.finish({});
}
