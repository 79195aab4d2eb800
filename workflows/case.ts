// One citizen complaint, from intake to its last possible rating, as a durable workflow.
// The lifecycle rules live in lifecycle.ts; this file only runs them: it takes actions as updates,
// runs the case's clocks, projects every transition to the read model in order, and continues as new
// when its history grows long (a fresh run of the same workflow id, carrying the case).

import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  currentUpdateInfo,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair, SignalDefinition, TypedSearchAttributes } from '@temporalio/common';
import type * as activities from '../activities/index.js';
import type { Actor, CaseEvent, CaseIntake, CaseView, Notification } from '../domain/case.js';
import {
  ActionRefused,
  type ClockAction,
  type Decision,
  type OriginalAnswer,
  allowedActions,
  answerForDuplicates,
  answerFromOriginal,
  autoEscalates,
  decide,
  decideClock,
  finishesAt,
  linkDuplicate,
  openCase,
  returnClockRuns,
} from './lifecycle.js';
import {
  CASE_NOT_RECORDED,
  PROJECTION_REJECTED,
  type ParkedProjection,
  REFUSAL_TYPES,
  type RefusalDetails,
  SEARCH_ATTRIBUTES,
  caseActionUpdate,
  caseParkedQuery,
  caseStateQuery,
  caseWorkflowId,
  duplicateLinkedSignal,
  originalAnsweredSignal,
  parkedCaseMessage,
  retryProjectionSignal,
} from './messages.js';
import { type Policy, addDuration, caseLimits } from '../domain/policy.js';
import { assertWithinLimits, continueDue, limitReached } from './limits.js';

export interface CaseWorkflowInput {
  intake: CaseIntake;
  policy: Policy;
}

/**
 * A long case's next run (continue-as-new): the case as the last run left it — projected, its messages
 * handed over, its signals sent — and what its clocks and its clients' retries need. No intake: the case
 * carries all of it, and a citizen's erased data does not come back from there.
 */
export interface CaseContinuation {
  view: CaseView;
  /** A duplicate still waiting for its original's answer (finishesAt). */
  awaitsOriginal: boolean;
  /** The clocks the first run had (patched() in the first run decided them). */
  clocks: ClockOptions;
  /** Update ids (clients' Idempotency-Keys) of the latest actions, newest last: a retry after the continue is answered, not applied again. */
  updateIds: string[];
  /** Runs of this case before this one. */
  runs: number;
}

export interface CaseContinuedInput {
  policy: Policy;
  continued: CaseContinuation;
}

/** How many of the latest actions' update ids a case carries into its next run (about a run's worth at Temporal's default suggestion, 4,096 events). */
export const UPDATE_IDS_CARRIED = 500;

// The read model is written by a local activity: it runs in the worker that holds the case, with no
// extra round trip through the server, so an action's answer waits only for its own row to commit.
// An outage is retried for up to 10 minutes; a longer one, or a batch the database refuses, parks the
// case (projectOrPark).
const { projectCase } = proxyLocalActivities<activities.Activities>({
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

// Messages leave through an ordinary activity: a slow or failing webhook is retried by Temporal for
// as long as it takes, without holding up the case.
const { deliverNotifications } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m' },
});

// Erasing a citizen's personal data outside the case (the stored timeline, the outbox, the files): an
// ordinary activity, idempotent, retried until it is done.
const { erasePersonalData, eraseFinishedCase } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

export async function caseWorkflow(input: CaseWorkflowInput | CaseContinuedInput): Promise<CaseView> {
  const { policy } = input;
  const continued = 'continued' in input ? input.continued : undefined;
  let c: CaseView;
  let pendingEvents: CaseEvent[] = [];
  let pendingNotifications: Notification[] = [];
  let projectedVersion = 0;
  if (continued) {
    // The last run ended only once all of it was in the read model.
    c = continued.view;
    projectedVersion = c.version;
  } else {
    const { intake } = input as CaseWorkflowInput;
    // A property company's dual report tells the district's demolition office with the first projection
    // (property cases started before it told no one and keep no acknowledgements).
    const opened = openCase(intake, policy, { dualReport: intake.channel !== 'property' || patched('property-dual-report') });
    c = opened.view;
    pendingEvents = [...opened.events];
    pendingNotifications = [...opened.notifications];
  }
  let deliveries = 0;
  let parked: ParkedProjection | undefined;
  let retryAsked = false;
  const limits = caseLimits(policy);
  // Duplicates and their originals (mark_duplicate): a duplicate tells its original, which lists it and
  // answers it with its own answer; the duplicate waits for that answer (at most DUPLICATE_ANSWER_WAIT),
  // then for its citizen's rating. Cases marked before this workflow version finished at once, unanswered.
  let awaitsOriginal = continued?.awaitsOriginal ?? false;
  /** Bumped when what the clocks wait for changes without a transition (awaitsOriginal), to wake them. */
  let clockChanges = 0;
  /** Signals to other cases not yet delivered: the case finishes only after them. */
  let signalsOut = 0;
  // Temporal answers a repeated update id once per run; the ids the earlier runs took are kept here, so a
  // client retrying an action across a continue-as-new gets the case, not the action applied twice.
  const earlierUpdates = new Set(continued?.updateIds ?? []);
  const updateIds = [...(continued?.updateIds ?? [])];
  const takenBefore = () => {
    const id = currentUpdateInfo()?.id;
    return id !== undefined && earlierUpdates.has(id);
  };

  const refuse = (e: unknown): never => {
    if (e instanceof ActionRefused) {
      const history = workflowInfo();
      const allowed = allowedActions(c).filter((type) => !limitReached(c, type, limits, history));
      const details: RefusalDetails = { state: c.state, allowed, ...(e.limit && { limit: e.limit }) };
      throw ApplicationFailure.create({ type: REFUSAL_TYPES[e.kind], message: e.message, nonRetryable: true, details: [details] });
    }
    throw e;
  };

  const commit = (d: Decision) => {
    c = d.next;
    pendingEvents.push(d.event);
    pendingNotifications.push(...d.notifications);
    log.debug('case transition', { caseId: c.id, event: d.event.type, from: d.event.from, to: d.event.to, seq: d.event.seq });
  };

  const notRecorded = (what: string) =>
    ApplicationFailure.create({
      type: CASE_NOT_RECORDED,
      nonRetryable: true,
      message: parkedCaseMessage(c.id, what, parked?.reason ?? 'unknown reason'),
    });
  /** Waits until the read model holds `version` of the case; fails at once if the case is parked. */
  const recorded = async (version: number, what: string) => {
    await condition(() => projectedVersion >= version || parked !== undefined);
    if (projectedVersion < version) throw notRecorded(what);
  };

  /** Signals another case's workflow; answers false when it has finished (or never was) and cannot take it. */
  const signalCase = async <T>(caseId: string, signal: SignalDefinition<[T]>, arg: T): Promise<boolean> => {
    signalsOut++;
    try {
      await getExternalWorkflowHandle(caseWorkflowId(caseId)).signal(signal, arg);
      return true;
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('a linked case could not be told', { caseId: c.id, linkedCaseId: caseId, signal: signal.name, error: (err as Error).message });
      return false;
    } finally {
      signalsOut--;
    }
  };
  const stopAwaitingOriginal = () => {
    if (!awaitsOriginal) return;
    awaitsOriginal = false;
    clockChanges++;
  };
  const answerDuplicate = (duplicateId: string, answer: OriginalAnswer) => void signalCase(duplicateId, originalAnsweredSignal, answer);
  /** Tells the original that `duplicateId` (this case, or one marked this case's duplicate) is its duplicate. */
  const linkToOriginal = async (duplicateId: string, actor: Actor) => {
    const told = await signalCase(c.duplicateOf!, duplicateLinkedSignal, { duplicateId, actor });
    // An original whose workflow has finished answers no more: nothing to wait for.
    if (!told && duplicateId === c.id) stopAwaitingOriginal();
  };
  /** What the cases marked duplicates of this one are owed after a change: its answer, or word that none will come. */
  const tellDuplicates = (before: CaseView) => {
    const duplicates = c.duplicates ?? [];
    if (duplicates.length === 0) return;
    const answer = answerForDuplicates(c);
    if (answer && !before.answered) for (const id of duplicates) answerDuplicate(id, answer);
    else if (!answer && c.state === 'closed' && before.state !== 'closed' && c.outcome !== 'duplicate') {
      for (const id of duplicates) answerDuplicate(id, { originalId: c.id, outcome: c.outcome });
    }
  };

  setHandler(caseStateQuery, () => c);
  setHandler(caseParkedQuery, () => parked);
  setHandler(retryProjectionSignal, () => {
    retryAsked = true;
  });
  setHandler(
    caseActionUpdate,
    async ({ action, actor }) => {
      if (takenBefore()) {
        await recorded(c.version, 'took the action and keeps it');
        return c;
      }
      updateIds.push(currentUpdateInfo()!.id);
      const before = c;
      try {
        commit(decide(c, action, actor, new Date().toISOString(), policy));
      } catch (e) {
        refuse(e);
      }
      if (action.type === 'mark_duplicate' && patched('duplicate-answers')) {
        awaitsOriginal = !c.answered;
        clockChanges++;
        void linkToOriginal(c.id, actor);
        // Its own duplicates are the original's now: their answer comes from there.
        for (const id of c.duplicates ?? []) void linkToOriginal(id, actor);
      }
      tellDuplicates(before);
      try {
        await recorded(c.version, 'took the action and keeps it');
      } finally {
        // The case itself is erased above; what earlier projections stored is erased here — the timeline
        // and outbox redacted with the citizen the case had, its files deleted — even while it is parked.
        if (action.type === 'erase_personal_data') await erasePersonalData({ caseId: before.id, citizen: before.citizen });
      }
      return c;
    },
    {
      // Refused actions leave no trace in the history: the validator runs the same rules without committing.
      // It alone checks the case's caps (limits.ts): validators do not run on replay, so histories from before
      // the caps replay as they ran.
      validator: ({ action, actor }) => {
        if (takenBefore()) return;
        if (parked) throw notRecorded('takes no actions while parked');
        try {
          decide(c, action, actor, new Date().toISOString(), policy);
          assertWithinLimits(c, action.type, limits, workflowInfo());
        } catch (e) {
          refuse(e);
        }
      },
    },
  );

  // An original learns of a case marked its duplicate: it lists it, and answers it now if it has answered
  // already; a duplicate itself passes it on to its own original, a case closed unanswered says none will come.
  setHandler(duplicateLinkedSignal, ({ duplicateId, actor }) => {
    const linked = linkDuplicate(c, duplicateId, actor, new Date().toISOString(), policy);
    if (linked) commit(linked);
    const answer = answerForDuplicates(c);
    if (answer) answerDuplicate(duplicateId, answer);
    else if (c.outcome === 'duplicate' && awaitsOriginal) void linkToOriginal(duplicateId, actor);
    else if (c.state === 'closed') answerDuplicate(duplicateId, { originalId: c.id, outcome: c.outcome });
  });
  // A duplicate gets its original's answer, and its citizen may rate it; or learns that none will come.
  setHandler(originalAnsweredSignal, (answer) => {
    const before = c;
    const answered = answerFromOriginal(c, answer, new Date().toISOString(), policy);
    if (answered) {
      commit(answered);
      tellDuplicates(before);
    } else if (answer.message === undefined && !c.answered) {
      stopAwaitingOriginal();
    }
  });

  // Intake sets the first search attributes with the start; they need no upsert until they change.
  // (Cases started before this change upserted them once more after the first projection.)
  let lastAttributes = patched('initial-search-attributes-from-start') ? attributesKey(workflowInfo().typedSearchAttributes) : '';
  // A 12345 work order's return deadline runs as a clock of its own (a timer the cases started before it never had).
  const clocks: ClockOptions = continued ? continued.clocks : { hotlineReturn: (input as CaseWorkflowInput).intake.channel === 'hotline' && patched('hotline-return-clock') };

  /**
   * Projects one batch. When it cannot — the database refuses the rows (bad data, a constraint) or stays
   * unreachable past the activity's time budget — the case is parked: logged, flagged for operators by a
   * search attribute, its updates answered at once. The batch is tried again when an operator signals
   * retryProjection, or by itself: hourly after a refusal, every minute after an outage.
   */
  const projectOrPark = async (input: Parameters<typeof projectCase>[0]) => {
    for (;;) {
      try {
        const remaining = await projectCase(input);
        if (parked) {
          log.info('projection resumed', { caseId: c.id, parkedSince: parked.since, attempts: parked.attempts });
          parked = undefined;
          upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.parked, value: false }]);
        }
        return remaining;
      } catch (err) {
        if (isCancellation(err)) throw err;
        const failure = err instanceof ActivityFailure && err.cause ? err.cause : err;
        const refused = failure instanceof ApplicationFailure && failure.type === PROJECTION_REJECTED;
        const reason = refused ? failure.message : `the read model stayed unreachable: ${(failure as Error).message}`;
        if (!parked) {
          parked = { reason, since: new Date().toISOString(), attempts: 1 };
          upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.parked, value: true }]);
          log.error('projection parked', { caseId: c.id, reason, version: input.snapshot.version });
        } else {
          parked = { ...parked, reason, attempts: parked.attempts + 1 };
        }
        retryAsked = false;
        await condition(() => retryAsked, refused ? '1 hour' : '1 minute');
      }
    }
  };

  // Projection runs one batch at a time, so the read model sees the case's events in order.
  const project = async () => {
    for (;;) {
      await condition(() => pendingEvents.length > 0);
      const events = pendingEvents;
      const notifications = pendingNotifications;
      pendingEvents = [];
      pendingNotifications = [];
      const snapshot = c;
      const remaining = await projectOrPark({ snapshot, events, notifications });
      projectedVersion = snapshot.version;
      lastAttributes = syncSearchAttributes(snapshot, lastAttributes);
      // Histories from before inline delivery recorded no answer: everything went through the activity then.
      const toDeliver = (remaining as string[] | undefined) ?? notifications.map((n) => n.id);
      if (toDeliver.length > 0) {
        deliveries++;
        void deliverNotifications({ caseId: snapshot.id, ids: toDeliver }).finally(() => deliveries--);
      }
    }
  };
  void project();

  const clock = (action: ClockAction) => {
    const d = decideClock(c, action, new Date().toISOString(), policy);
    if (d) commit(d);
  };

  /** Nothing in flight: every change projected, every message handed over, every signal sent, every handler done. */
  const settled = () => pendingEvents.length === 0 && projectedVersion === c.version && deliveries === 0 && signalsOut === 0 && !parked && allHandlersFinished();
  /** A long case moves to a fresh history when Temporal suggests it, or at a share of its event guard (limits.ts), once settled. */
  const continueNow = () => continueDue(workflowInfo(), limits) && settled();

  // The clocks: the next thing due, and one timer for it. Both changes below are decided where they apply
  // (patched() there, not at the start), so a case that never meets them pays no marker for them, and the
  // cases running before them replay as they ran: those restarted the timer after every change, mostly for
  // the same instant (a cancelled and a new timer per action), and never continued as new.
  let timer: ClockTimer | undefined;
  for (;;) {
    const due = nextClock(c, policy, { ...clocks, awaitsOriginal });
    // A change that left the next due time where it was leaves the timer running.
    if (timer && (timer.at !== due?.at || !patched('kept-clock-timer'))) {
      timer.cancel();
      timer = undefined;
      // The cancellation reaches the timer a microtask later: its command goes before the next timer's.
      await Promise.resolve();
    }
    if (due && !due.action && Date.parse(due.at) <= Date.now()) break;
    if (continueNow() && patched('continue-as-new')) {
      const info = workflowInfo();
      log.info('case continues as new', { caseId: c.id, version: c.version, historyLength: info.historyLength, historySize: info.historySize, runs: (continued?.runs ?? 0) + 1 });
      // Its search attributes as they are now, not as the first run started.
      const continueAsNew = makeContinueAsNewFunc<typeof caseWorkflow>({ typedSearchAttributes: info.typedSearchAttributes });
      return continueAsNew({
        policy,
        continued: { view: c, awaitsOriginal, clocks, updateIds: updateIds.slice(-UPDATE_IDS_CARRIED), runs: (continued?.runs ?? 0) + 1 },
      });
    }
    if (due && !timer) timer = startClockTimer(due.at);
    const version = c.version;
    const changes = clockChanges;
    await condition(() => c.version !== version || clockChanges !== changes || timer?.fired === true || continueNow());
    if (timer?.fired) {
      timer = undefined;
      if (due?.action) clock(due.action);
      else break;
    }
  }

  await condition(() => pendingEvents.length === 0 && projectedVersion === c.version && deliveries === 0 && signalsOut === 0 && allHandlersFinished());
  return c;
}

/** A durable timer for one instant, cancelled when the instant changes. */
interface ClockTimer {
  at: string;
  fired: boolean;
  cancel(): void;
}

function startClockTimer(at: string): ClockTimer {
  const scope = new CancellationScope();
  const timer: ClockTimer = { at, fired: false, cancel: () => scope.cancel() };
  void scope
    .run(() => sleep(Math.max(Date.parse(at) - Date.now(), 1)))
    .then(
      () => {
        timer.fired = true;
      },
      (err) => {
        if (!isCancellation(err)) throw err;
      },
    );
  return timer;
}

/** Clocks a case runs only when it was started by a workflow version that has them (patched()). */
export interface ClockOptions {
  hotlineReturn: boolean;
  /** A duplicate linked to its original, waiting for its answer (finishesAt). */
  awaitsOriginal?: boolean;
}

/** The next thing the case's clocks will do, and when; an absent action means the workflow may finish then. */
function nextClock(c: CaseView, policy: Policy, clocks: ClockOptions): { at: string; action?: ClockAction } | undefined {
  const candidates: { at: string; action?: ClockAction }[] = [];
  if (c.deadlineAt && !c.overdue) candidates.push({ at: c.deadlineAt, action: { type: 'deadline_passed', clock: 'stage' } });
  if (clocks.hotlineReturn && returnClockRuns(c)) candidates.push({ at: c.returnDeadlineAt!, action: { type: 'deadline_passed', clock: 'return' } });
  if (c.overdue && c.overdueSince && autoEscalates(c)) {
    candidates.push({ at: addDuration(policy.calendar, new Date(c.overdueSince), policy.grace).toISOString(), action: { type: 'grace_passed' } });
  }
  if (c.media.deadlineAt && c.media.status === 'in_review' && !c.media.overdue) {
    candidates.push({ at: c.media.deadlineAt, action: { type: 'deadline_passed', clock: 'media' } });
  }
  const finish = finishesAt(c, policy, { awaitsOriginal: clocks.awaitsOriginal });
  if (finish) candidates.push({ at: finish });
  candidates.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return candidates[0];
}

function attributesKey(a: TypedSearchAttributes): string {
  const deadline = a.get(SEARCH_ATTRIBUTES.deadline);
  return JSON.stringify([a.get(SEARCH_ATTRIBUTES.state) ?? null, a.get(SEARCH_ATTRIBUTES.unit) ?? null, deadline ? deadline.toISOString() : null, a.get(SEARCH_ATTRIBUTES.overdue) ?? null]);
}

/** Upserts the case's search attributes when they changed; returns what they now are. */
function syncSearchAttributes(c: CaseView, last: string): string {
  const current = JSON.stringify([c.state, c.assignedUnitPath, c.deadlineAt ?? null, c.overdue]);
  if (current === last) return last;
  const pairs: SearchAttributeUpdatePair[] = [
    { key: SEARCH_ATTRIBUTES.state, value: c.state },
    { key: SEARCH_ATTRIBUTES.unit, value: c.assignedUnitPath },
    { key: SEARCH_ATTRIBUTES.deadline, value: c.deadlineAt ? new Date(c.deadlineAt) : null },
    { key: SEARCH_ATTRIBUTES.overdue, value: c.overdue },
  ];
  upsertSearchAttributes(pairs);
  return current;
}

export interface CaseErasureInput {
  /** The erased case and its event, decided by the lifecycle table (the API ran `decide` on the stored case). */
  snapshot: CaseView;
  event: CaseEvent;
}

/**
 * Erases the personal data of a case whose workflow has finished (past its rating window, or withdrawn or
 * a duplicate): it takes no updates any more, so this short workflow (`case-<id>-erasure`) records the
 * erased case and its event and redacts and deletes what the case left, as the case's own workflow does.
 * Its input carries no personal data: the activity finds the citizen in the stored case.
 */
export async function caseErasureWorkflow({ snapshot, event }: CaseErasureInput): Promise<CaseView> {
  return eraseFinishedCase({ snapshot, event });
}
