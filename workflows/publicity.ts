// One publicity item (宣传报道) as a durable workflow, the suggestion's sibling: submitted by a squad, reviewed
// squad → district → city through the shared review chain, returned and resubmitted as often as it takes,
// released to the newspaper by the city's approval — or withdrawn, or lapsed. Its rules are
// domain/publicity.ts; this file runs them: it takes the actions as updates, runs each step's deadline and
// the lapse as timers, and projects every step to the read model in order. Once the item is done (released,
// withdrawn, lapsed) and its messages are out, it ends: nothing waits forever. A released item taken down
// later, after its workflow ended, is taken down by the short `publicityTakeDownWorkflow` below.

import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type * as activities from '../activities/index.js';
import type { Notification } from '../domain/case.js';
import {
  type PublicityDecision,
  type PublicityEvent,
  type PublicityPolicy,
  PublicityRefused,
  type PublicitySubmission,
  type PublicityView,
  allowedPublicityActions,
  decidePublicity,
  decidePublicityClock,
  nextPublicityClock,
  openPublicity,
} from '../domain/publicity.js';
import { CASE_NOT_RECORDED, PROJECTION_REJECTED, REFUSAL_TYPES } from './messages.js';
import { type PublicityRefusalDetails, publicityActionUpdate, publicityStateQuery } from './publicity-messages.js';

export interface PublicityWorkflowInput {
  submission: PublicitySubmission;
  /** The deadlines it was submitted under: they travel in the input, so replay never depends on a file that changed. */
  policy: PublicityPolicy;
}

// As the suggestion's: the read model is written by a local activity in the worker that holds the item, so an
// action's answer waits only for its own rows; an outage is retried for up to 10 minutes at a time.
const { projectPublicity } = proxyLocalActivities<activities.Activities>({
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

// Messages leave through an ordinary activity, retried for as long as the newspaper's webhook needs.
const { deliverNotifications } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m' },
});

export async function publicityWorkflow({ submission, policy }: PublicityWorkflowInput): Promise<PublicityView> {
  const opened = openPublicity(submission, policy);
  let p = opened.next;
  let pendingEvents: PublicityEvent[] = [opened.event];
  let pendingNotifications: Notification[] = [...opened.notifications];
  /** The last version the read model holds. */
  let projectedVersion = 0;
  let deliveries = 0;
  /** Why the read model lacks the latest version, while its projection keeps failing: updates are answered at once. */
  let unrecorded: string | undefined;

  const refuse = (e: unknown): never => {
    if (e instanceof PublicityRefused) {
      const details: PublicityRefusalDetails = { state: p.state, allowed: allowedPublicityActions(p) };
      throw ApplicationFailure.create({ type: REFUSAL_TYPES[e.kind], message: e.message, nonRetryable: true, details: [details] });
    }
    throw e;
  };

  const commit = (d: PublicityDecision) => {
    p = d.next;
    pendingEvents.push(d.event);
    pendingNotifications.push(...d.notifications);
    log.debug('publicity step', { itemId: p.id, event: d.event.type, from: d.event.from, to: d.event.to, seq: d.event.seq });
  };

  const notRecorded = () =>
    ApplicationFailure.create({
      type: CASE_NOT_RECORDED,
      nonRetryable: true,
      message: `publicity item ${p.id} keeps the step, but the database does not record it (${unrecorded ?? 'unknown reason'}); it retries by itself`,
    });

  setHandler(publicityStateQuery, () => p);
  setHandler(
    publicityActionUpdate,
    async ({ action, actor }) => {
      try {
        commit(decidePublicity(p, action, actor, new Date().toISOString(), policy));
      } catch (e) {
        refuse(e);
      }
      // Read-your-writes: the answer goes out once the read model holds this step.
      const version = p.version;
      await condition(() => projectedVersion >= version || unrecorded !== undefined);
      if (projectedVersion < version) throw notRecorded();
      return p;
    },
    {
      // A refused action leaves no trace in the history: the validator runs the same rules without committing.
      validator: ({ action, actor }) => {
        if (unrecorded) throw notRecorded();
        try {
          decidePublicity(p, action, actor, new Date().toISOString(), policy);
        } catch (e) {
          refuse(e);
        }
      },
    },
  );

  /** Projects one batch until it is recorded: after 10 minutes of outage, or a refusal, it waits and tries again. */
  const projectUntilRecorded = async (input: Parameters<typeof projectPublicity>[0]) => {
    for (;;) {
      try {
        const remaining = await projectPublicity(input);
        if (unrecorded) log.info('publicity projection resumed', { itemId: p.id });
        unrecorded = undefined;
        return remaining;
      } catch (err) {
        if (isCancellation(err)) throw err;
        const failure = err instanceof ActivityFailure && err.cause ? err.cause : err;
        const refused = failure instanceof ApplicationFailure && failure.type === PROJECTION_REJECTED;
        unrecorded = refused ? failure.message : `the read model stayed unreachable: ${(failure as Error).message}`;
        log.error('publicity projection failing; it retries', { itemId: p.id, reason: unrecorded, version: input.snapshot.version });
        await sleep(refused ? '1 hour' : '1 minute');
      }
    }
  };

  // One batch at a time: the read model sees the item's events in order.
  const project = async () => {
    for (;;) {
      await condition(() => pendingEvents.length > 0);
      const snapshot = p;
      const events = pendingEvents;
      const notifications = pendingNotifications;
      pendingEvents = [];
      pendingNotifications = [];
      const remaining = await projectUntilRecorded({ snapshot, events, notifications });
      projectedVersion = snapshot.version;
      if (remaining.length > 0) {
        deliveries++;
        void deliverNotifications({ caseId: snapshot.id, ids: remaining }).finally(() => deliveries--);
      }
    }
  };
  void project();

  // The clocks: the step's deadline marks it overdue and tells whoever must act; the lapse closes it. None once done.
  for (let next = nextPublicityClock(p, policy); next; next = nextPublicityClock(p, policy)) {
    const version = p.version;
    const changed = await condition(() => p.version !== version, Math.max(Date.parse(next.at) - Date.now(), 1));
    if (changed) continue;
    const d = decidePublicityClock(p, next.clock, new Date().toISOString());
    if (d) commit(d);
  }

  // Done: once the read model holds it and its messages are out. A take-down that comes meanwhile is taken here.
  await condition(() => pendingEvents.length === 0 && projectedVersion === p.version && deliveries === 0 && allHandlersFinished());
  return p;
}

export interface PublicityTakeDownInput {
  /** The item taken down and its event, decided by domain/publicity.ts on the stored item (the API ran `decidePublicity`). */
  snapshot: PublicityView;
  event: PublicityEvent;
  notifications: Notification[];
}

/**
 * Takes down an item whose own workflow has finished (it ends soon after its release): it takes no updates any
 * more, so this short workflow (`publicity-<id>-take-down`) records the step the API decided and tells the
 * newspaper. Its id makes it once per item; the API answers as soon as the read model holds the step, while
 * the newspaper's webhook is retried here for as long as it needs.
 */
export async function publicityTakeDownWorkflow({ snapshot, event, notifications }: PublicityTakeDownInput): Promise<PublicityView> {
  const remaining = await projectPublicity({ snapshot, events: [event], notifications });
  if (remaining.length > 0) await deliverNotifications({ caseId: snapshot.id, ids: remaining });
  return snapshot;
}
