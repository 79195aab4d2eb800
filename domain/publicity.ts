// A squad's publicity item (宣传报道): each squad hosting a liaison point reports at least one a month, a short
// video preferred (seed 000 §二(三)); nothing goes out before the three-level review, squad → district → city
// ("中队—区局—市局"三级审核), and what is found unsuitable afterwards is taken down (seed 003 §四(二)). The
// city's approval releases it to the newspaper (由市局统一发新民晚报进行推送). These are its rules as pure
// functions: the publicity workflow runs them for every action and clock, the API runs `openPublicity` to
// record a submission before it answers and `decidePublicity` on a stored item whose workflow has finished.
// The review itself is the shared chain of domain/review.ts. Pure types and functions only: this file is
// bundled into the workflow sandbox.

import { type Operation, refusal } from './access.js';
import { type Actor, LEVELS, type Level, type Notification } from './case.js';
import { type Calendar, DEFAULT_PUBLICITY_DEADLINES, type Policy, type PublicityDeadlines, addDuration } from './policy.js';
import { type ReviewChain, type ReviewStep, type Reviewable, approveStep, leaveReview, returnWithComments, submitForReview } from './review.js';
import { districtIdOf, parentPath, rootPath, squadIdOf } from './units.js';

/**
 * `in_review` at a level, `returned` to the squad with comments, `released` to the newspaper after the city's
 * approval; `withdrawn` by the squad before release, `taken_down` after it, `lapsed` when neither released nor
 * withdrawn in time. Only `in_review`, `returned` and `released` take actions.
 */
export const PUBLICITY_STATES = ['in_review', 'returned', 'released', 'withdrawn', 'taken_down', 'lapsed'] as const;
export type PublicityState = (typeof PUBLICITY_STATES)[number];

export const PUBLICITY_ACTIONS = ['review', 'resubmit', 'withdraw', 'take_down'] as const;
export type PublicityActionType = (typeof PUBLICITY_ACTIONS)[number];

/** What the history records: the actions, the clocks' marks, and the submission that opened it. */
export const PUBLICITY_EVENTS = ['submitted', 'approved', 'returned', 'resubmitted', 'withdrawn', 'taken_down', 'review_overdue', 'revision_overdue', 'lapsed'] as const;
export type PublicityEventType = (typeof PUBLICITY_EVENTS)[number];

/** The media an item takes: photos, or a short video (MP4), its type read from the bytes on upload. */
export const PUBLICITY_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'video/mp4'] as const;
export type PublicityMediaType = (typeof PUBLICITY_MEDIA_TYPES)[number];
/** A post's worth: up to nine photos (a WeChat article's grid), and one video at most. */
export const PUBLICITY_MEDIA_LIMITS = { photos: 9, videos: 1 } as const;

/** A file of the item: uploaded first (POST /v1/publicity/files), named by its id in the submission. */
export interface PublicityMedia {
  fileId: string;
  type: PublicityMediaType;
  name: string;
  size: number;
}

/** What the workflow and the API's first projection need of the policy: an item keeps the one it was submitted under. */
export interface PublicityPolicy extends PublicityDeadlines {
  calendar: Calendar;
}

/** The publicity part of the policy in force, with the defaults for a policy that has none. */
export function publicityPolicyOf(policy: Policy): PublicityPolicy {
  return { ...DEFAULT_PUBLICITY_DEADLINES, ...policy.publicity, calendar: policy.calendar };
}

/** Seed 003's three levels, lowest first, each with the policy's `review` deadline from the moment the item reaches it. */
export function publicityReviewChain(policy: PublicityPolicy): ReviewChain {
  return { levels: LEVELS, deadline: policy.review, calendar: policy.calendar };
}

/** A submission as the API resolved it: the item's id, its squad, its checked media, who submitted it. */
export interface PublicitySubmission {
  id: string;
  squadPath: string;
  title: string;
  body: string;
  media: PublicityMedia[];
  submittedAt: string;
  submittedBy: Actor;
}

/** One step of the item's history (`publicity_events`). */
export interface PublicityEvent {
  itemId: string;
  seq: number;
  type: PublicityEventType;
  actor: Actor;
  at: string;
  from?: PublicityState;
  to: PublicityState;
  payload: Record<string, unknown>;
}

/**
 * The item. Its review fields are the shared chain's (domain/review.ts `Reviewable`): the level it waits at
 * and the comments of the last return. `deadlineAt` and `overdue` are the clock of the step it waits for: a
 * level's review while in review, the squad's revision while returned; none once it is done.
 */
export interface PublicityView {
  id: string;
  /** The squad it is for: it lies there; the squad, its district and the city review it. */
  squadPath: string;
  title: string;
  body: string;
  media: PublicityMedia[];
  state: PublicityState;
  reviewLevel?: Level;
  deadlineAt?: string;
  overdue: boolean;
  overdueSince?: string;
  /** What the last level to return it wrote, until it is resubmitted. */
  comments?: string;
  /** 1 at submission, one more at each resubmission. */
  round: number;
  submittedBy: Actor;
  createdAt: string;
  updatedAt: string;
  releasedAt?: string;
  takenDownAt?: string;
  takeDownReason?: string;
  withdrawnAt?: string;
  lapsedAt?: string;
  /** The sequence number of its last event; the read model keeps the highest. */
  version: number;
}

export type PublicityAction =
  | { type: 'review'; decision: 'approve' | 'return'; comments?: string }
  | { type: 'resubmit'; title?: string; body?: string; media?: PublicityMedia[] }
  | { type: 'withdraw'; reason?: string }
  | { type: 'take_down'; reason: string };

export type PublicityClock = { type: 'deadline_passed' } | { type: 'lapse' };

/** An action refused: 409 (not in this state), 403 (not this actor), 400 (not with this body). */
export class PublicityRefused extends Error {
  constructor(
    readonly kind: 'conflict' | 'forbidden' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'PublicityRefused';
  }
}

export interface PublicityDecision {
  next: PublicityView;
  event: PublicityEvent;
  notifications: Notification[];
}

/** The operation of the authorisation table each action is: a squad revises and withdraws what it submits. */
export const PUBLICITY_ACTION_ACCESS = {
  review: 'publicity.review',
  resubmit: 'publicity.submit',
  withdraw: 'publicity.submit',
  take_down: 'publicity.take_down',
} as const satisfies Record<PublicityActionType, Operation>;

/** What each state takes. */
const TAKES: Record<PublicityState, readonly PublicityActionType[]> = {
  in_review: ['review', 'withdraw'],
  returned: ['resubmit', 'withdraw'],
  released: ['take_down'],
  withdrawn: [],
  taken_down: [],
  lapsed: [],
};

/** The states after which nothing happens to an item but, once released, its take-down. */
export const isPublicityDone = (p: Pick<PublicityView, 'state'>): boolean => p.state !== 'in_review' && p.state !== 'returned';

/** The unit that reviews at a level: the item's squad, its district, or the city. */
export function reviewUnitOf(p: Pick<PublicityView, 'squadPath'>, level: Level): string {
  if (level === 'squad') return p.squadPath;
  return level === 'district' ? parentPath(p.squadPath) : rootPath(p.squadPath);
}

/** What the item takes now, for anyone allowed to take it. */
export function allowedPublicityActions(p: PublicityView): PublicityActionType[] {
  return [...TAKES[p.state]];
}

/** Why the content cannot go to review: no media, more than a post takes, a type it does not take. */
export function publicityMediaProblem(media: readonly Pick<PublicityMedia, 'type'>[]): string | undefined {
  if (media.length === 0) return 'an item carries a short video or photos: upload them (POST /v1/publicity/files) and name them in media';
  const videos = media.filter((m) => m.type === 'video/mp4').length;
  const photos = media.filter((m) => m.type.startsWith('image/')).length;
  if (videos + photos < media.length) return `an item takes photos (JPEG, PNG, WebP) and an MP4 video only`;
  if (videos > PUBLICITY_MEDIA_LIMITS.videos) return `an item carries one video at most; this one has ${videos}`;
  if (photos > PUBLICITY_MEDIA_LIMITS.photos) return `an item carries ${PUBLICITY_MEDIA_LIMITS.photos} photos at most; this one has ${photos}`;
  return undefined;
}

/**
 * Where an action is taken: a review at the unit of the level the item waits at — or, when it waits at none,
 * at any of its three levels' units, so each of its reviewers learns its state (409) and others do not (403);
 * anything else where the item lies, its squad.
 */
function jurisdictionOf(p: PublicityView, type: PublicityActionType): string[] {
  if (type !== 'review') return [p.squadPath];
  return p.reviewLevel ? [reviewUnitOf(p, p.reviewLevel)] : LEVELS.map((level) => reviewUnitOf(p, level));
}

/** Refuses (403) an actor the authorisation table does not let take the action where it is taken. */
export function assertMayActOnPublicity(p: PublicityView, type: PublicityActionType, actor: Actor): void {
  const why = refusal(actor, PUBLICITY_ACTION_ACCESS[type], { units: jurisdictionOf(p, type) });
  if (why) throw new PublicityRefused('forbidden', `publicity item ${p.id}: ${why}`);
}

/** Why the state refuses the action (409), or undefined. */
function whyNot(p: PublicityView, type: PublicityActionType): string | undefined {
  if (TAKES[p.state].includes(type)) return undefined;
  switch (p.state) {
    case 'in_review':
      return `publicity item ${p.id} is in review at the ${p.reviewLevel} level: it is reviewed or withdrawn now`;
    case 'returned':
      return `publicity item ${p.id} was returned to its squad: it is resubmitted or withdrawn now`;
    case 'released':
      return `publicity item ${p.id} is released to the newspaper: it can only be taken down now`;
    default:
      return `publicity item ${p.id} is ${p.state.replace('_', ' ')}: it takes no more actions`;
  }
}

/** The item's review fields as the shared chain sees them, and back. */
function reviewed(p: PublicityView, run: (r: Reviewable) => ReviewStep | void): ReviewStep | void {
  const r: Reviewable = { status: p.state, reviewLevel: p.reviewLevel, deadlineAt: p.deadlineAt, overdue: p.overdue, comments: p.comments };
  const step = run(r);
  Object.assign(p, { reviewLevel: r.reviewLevel, deadlineAt: r.deadlineAt, overdue: r.overdue, comments: r.comments, overdueSince: undefined });
  return step;
}

/** Starts a step: the next view with its version and time, its event, and the messages it sends. */
function step(p: PublicityView, type: PublicityEventType, actor: Actor, at: string, to: PublicityState, payload: Record<string, unknown> = {}) {
  const seq = p.version + 1;
  const next: PublicityView = { ...p, state: to, version: seq, updatedAt: at };
  const event: PublicityEvent = { itemId: p.id, seq, type, actor, at, from: p.state, to, payload };
  const notifications: Notification[] = [];
  const notify = (recipient: Notification['recipient'], target: string, kind: string, body: Record<string, unknown> = {}) =>
    notifications.push({ id: `${p.id}:${seq}:${notifications.length}`, caseId: p.id, recipient, to: target, kind, body: { itemId: p.id, title: next.title, ...body } });
  return { next, event, notifications, notify };
}

type Notify = ReturnType<typeof step>['notify'];

/** Tells the level the item now waits at; at the top, the chain approved it: it is released. */
function tellReview(next: PublicityView, s: ReviewStep, notify: Notify): void {
  if (s.status === 'in_review') notify('supervisor', reviewUnitOf(next, s.level), 'publicity_review_requested', { level: s.level, deadlineAt: next.deadlineAt });
}

/** What the newspaper receives: the item and where to fetch its files with a reporter's key. */
function releasedBody(p: PublicityView): Record<string, unknown> {
  return {
    body: p.body,
    squadId: squadIdOf(p.squadPath),
    districtId: districtIdOf(p.squadPath),
    media: p.media.map((m) => ({ ...m, url: `/v1/publicity/${p.id}/files/${m.fileId}` })),
    releasedAt: p.releasedAt,
  };
}

/** The item as its submission leaves it: in review at the squad, that level's clock running. */
export function openPublicity(s: PublicitySubmission, policy: PublicityPolicy): PublicityDecision {
  const draft: PublicityView = {
    id: s.id,
    squadPath: s.squadPath,
    title: s.title,
    body: s.body,
    media: s.media,
    state: 'in_review',
    overdue: false,
    round: 1,
    submittedBy: s.submittedBy,
    createdAt: s.submittedAt,
    updatedAt: s.submittedAt,
    version: 0,
  };
  const { next, event, notifications, notify } = step(draft, 'submitted', s.submittedBy, s.submittedAt, 'in_review', { media: s.media.length });
  delete event.from;
  tellReview(next, reviewed(next, (r) => submitForReview(r, publicityReviewChain(policy), s.submittedAt)) as ReviewStep, notify);
  return { next, event, notifications };
}

/** Decides an action of an actor at time `at`: refuses it, or returns what it changes. Who comes first, then the state, then the body. */
export function decidePublicity(p: PublicityView, action: PublicityAction, actor: Actor, at: string, policy: PublicityPolicy): PublicityDecision {
  assertMayActOnPublicity(p, action.type, actor);
  const why = whyNot(p, action.type);
  if (why) throw new PublicityRefused('conflict', why);
  const chain = publicityReviewChain(policy);
  switch (action.type) {
    case 'review': {
      const level = p.reviewLevel!;
      if (action.decision === 'return') {
        const comments = action.comments?.trim();
        if (!comments) throw new PublicityRefused('invalid', 'returning an item needs comments for the squad: what to change');
        const { next, event, notifications, notify } = step(p, 'returned', actor, at, 'returned', { level, comments });
        reviewed(next, (r) => returnWithComments(r, comments));
        // The squad has its own clock now: the revision's.
        next.deadlineAt = addDuration(policy.calendar, new Date(at), policy.revise).toISOString();
        notify('supervisor', p.squadPath, 'publicity_returned', { level, comments, deadlineAt: next.deadlineAt });
        if (p.submittedBy.role === 'officer') notify('officer', p.submittedBy.id, 'publicity_returned', { level, comments, deadlineAt: next.deadlineAt });
        return { next, event, notifications };
      }
      const comments = action.comments?.trim();
      const { next, event, notifications, notify } = step(p, 'approved', actor, at, 'in_review', { level, ...(comments ? { comments } : {}) });
      const moved = reviewed(next, (r) => approveStep(r, chain, at)) as ReviewStep;
      if (moved.status === 'approved') {
        next.state = event.to = 'released';
        next.releasedAt = at;
        next.comments = undefined;
        // 由市局统一发新民晚报进行推送: the city's approval is the release.
        notify('partner', 'xinmin', 'publicity_released', releasedBody(next));
        notify('supervisor', p.squadPath, 'publicity_released', { releasedAt: at });
      } else {
        tellReview(next, moved, notify);
      }
      return { next, event, notifications };
    }
    case 'resubmit': {
      const media = action.media ?? p.media;
      const problem = publicityMediaProblem(media);
      if (problem) throw new PublicityRefused('invalid', problem);
      const title = action.title?.trim() || p.title;
      const body = action.body?.trim() || p.body;
      const changed = [title !== p.title && 'title', body !== p.body && 'body', action.media && 'media'].filter(Boolean);
      const { next, event, notifications, notify } = step(p, 'resubmitted', actor, at, 'in_review', { round: p.round + 1, changed });
      Object.assign(next, { title, body, media, round: p.round + 1 });
      // A revision starts the chain again at the squad: every level sees what goes out.
      tellReview(next, reviewed(next, (r) => submitForReview(r, chain, at)) as ReviewStep, notify);
      return { next, event, notifications };
    }
    case 'withdraw': {
      const reason = action.reason?.trim();
      const { next, event, notifications, notify } = step(p, 'withdrawn', actor, at, 'withdrawn', reason ? { reason } : {});
      reviewed(next, (r) => leaveReview(r));
      next.withdrawnAt = at;
      if (p.reviewLevel) notify('supervisor', reviewUnitOf(p, p.reviewLevel), 'publicity_withdrawn', { level: p.reviewLevel, ...(reason ? { reason } : {}) });
      return { next, event, notifications };
    }
    case 'take_down': {
      const reason = action.reason.trim();
      if (!reason) throw new PublicityRefused('invalid', 'taking an item down needs the reason: what is unsuitable');
      const { next, event, notifications, notify } = step(p, 'taken_down', actor, at, 'taken_down', { reason });
      Object.assign(next, { takenDownAt: at, takeDownReason: reason });
      // 一经发现不合时宜的传播内容，及时下架: the newspaper is told to take it off its pages, the squad why.
      notify('partner', 'xinmin', 'publicity_taken_down', { reason, takenDownAt: at, releasedAt: p.releasedAt });
      notify('supervisor', p.squadPath, 'publicity_taken_down', { reason, takenDownAt: at });
      return { next, event, notifications };
    }
  }
}

const SYSTEM = (p: PublicityView): Actor => ({ id: 'system', role: 'system', unitPath: rootPath(p.squadPath) });

/** What a clock does when it fires; undefined when it has nothing to do any more. */
export function decidePublicityClock(p: PublicityView, clock: PublicityClock, at: string): PublicityDecision | undefined {
  if (isPublicityDone(p)) return undefined;
  if (clock.type === 'deadline_passed') {
    if (!p.deadlineAt || p.overdue) return undefined;
    if (p.state === 'in_review') {
      // The level it waits at is told: its supervisors review.
      const level = p.reviewLevel!;
      const { next, event, notifications, notify } = step(p, 'review_overdue', SYSTEM(p), at, p.state, { level, deadlineAt: p.deadlineAt });
      Object.assign(next, { overdue: true, overdueSince: at });
      notify('supervisor', reviewUnitOf(p, level), 'publicity_review_overdue', { level, deadlineAt: p.deadlineAt });
      return { next, event, notifications };
    }
    const { next, event, notifications, notify } = step(p, 'revision_overdue', SYSTEM(p), at, p.state, { deadlineAt: p.deadlineAt });
    Object.assign(next, { overdue: true, overdueSince: at });
    notify('supervisor', p.squadPath, 'publicity_revision_overdue', { deadlineAt: p.deadlineAt });
    return { next, event, notifications };
  }
  // Nothing waits for it any more: neither released nor withdrawn within the policy's lapse.
  const { next, event, notifications, notify } = step(p, 'lapsed', SYSTEM(p), at, 'lapsed', { level: p.reviewLevel });
  reviewed(next, (r) => leaveReview(r));
  next.lapsedAt = at;
  notify('supervisor', p.squadPath, 'publicity_lapsed', { state: p.state, level: p.reviewLevel });
  return { next, event, notifications };
}

/** The item's next clock and when it fires: its step's deadline, else its lapse; none once it is done. */
export function nextPublicityClock(p: PublicityView, policy: PublicityPolicy): { at: string; clock: PublicityClock } | undefined {
  if (isPublicityDone(p)) return undefined;
  const lapse = { at: addDuration(policy.calendar, new Date(p.createdAt), policy.lapse).toISOString(), clock: { type: 'lapse' } as const };
  if (p.deadlineAt && !p.overdue && Date.parse(p.deadlineAt) < Date.parse(lapse.at)) return { at: p.deadlineAt, clock: { type: 'deadline_passed' } };
  return lapse;
}

/** Overdue now: the workflow's own mark, or a deadline past on the clock (the mark follows a moment later). */
export function isPublicityOverdue(p: PublicityView, now: number): boolean {
  return p.overdue || (p.deadlineAt !== undefined && Date.parse(p.deadlineAt) <= now);
}
