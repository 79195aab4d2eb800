// One suggestion (人民建议征集) as a durable workflow, lighter than a case's: received → acknowledged → answered,
// each step within a deadline of the policy it was filed under. Its rules are domain/suggestion.ts; this
// file runs them: it takes the two actions as updates, runs the deadline and the lapse as timers, and
// projects every step to the read model in order. It ends once the answer (or the lapse) is recorded and
// its messages are out: nothing waits forever.

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
  type SuggestionDecision,
  type SuggestionPolicy,
  type SuggestionRecordIntake,
  SuggestionRefused,
  type SuggestionView,
  allowedSuggestionActions,
  decideSuggestion,
  decideSuggestionClock,
  nextSuggestionClock,
  openSuggestion,
} from '../domain/suggestion.js';
import { CASE_NOT_RECORDED, PROJECTION_REJECTED, REFUSAL_TYPES } from './messages.js';
import { type SuggestionRefusalDetails, suggestionActionUpdate, suggestionStateQuery } from './suggestion-messages.js';

export interface SuggestionWorkflowInput {
  intake: SuggestionRecordIntake;
  /** The deadlines it was filed under: they travel in the input, so replay never depends on a file that changed. */
  policy: SuggestionPolicy;
}

// As the case's: the read model is written by a local activity in the worker that holds the suggestion, so
// an action's answer waits only for its own row; an outage is retried for up to 10 minutes at a time.
const { projectSuggestion } = proxyLocalActivities<activities.Activities>({
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

// Messages leave through an ordinary activity, retried for as long as a webhook needs, apart from the steps.
const { deliverNotifications } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m' },
});

export async function suggestionWorkflow({ intake, policy }: SuggestionWorkflowInput): Promise<SuggestionView> {
  let s = openSuggestion(intake, policy);
  let pendingNotifications: Notification[] = [];
  /** The last version handed to the projection, and the last one the read model holds. */
  let queuedVersion = 0;
  let projectedVersion = 0;
  let deliveries = 0;
  /** Why the read model lacks the latest version, while its projection keeps failing: updates are answered at once. */
  let unrecorded: string | undefined;

  const refuse = (e: unknown): never => {
    if (e instanceof SuggestionRefused) {
      const details: SuggestionRefusalDetails = { state: s.state, allowed: allowedSuggestionActions(s) };
      throw ApplicationFailure.create({ type: REFUSAL_TYPES[e.kind], message: e.message, nonRetryable: true, details: [details] });
    }
    throw e;
  };

  const commit = (d: SuggestionDecision) => {
    s = d.next;
    pendingNotifications.push(...d.notifications);
    const last = s.events.at(-1);
    log.debug('suggestion step', { suggestionId: s.id, event: last?.type, from: last?.from, to: last?.to, seq: s.version });
  };

  const notRecorded = () =>
    ApplicationFailure.create({
      type: CASE_NOT_RECORDED,
      nonRetryable: true,
      message: `suggestion ${s.id} keeps the step, but the database does not record it (${unrecorded ?? 'unknown reason'}); it retries by itself`,
    });

  setHandler(suggestionStateQuery, () => s);
  setHandler(
    suggestionActionUpdate,
    async ({ action, actor }) => {
      try {
        commit(decideSuggestion(s, action, actor, new Date().toISOString(), policy));
      } catch (e) {
        refuse(e);
      }
      // Read-your-writes: the answer goes out once the read model holds this step.
      const version = s.version;
      await condition(() => projectedVersion >= version || unrecorded !== undefined);
      if (projectedVersion < version) throw notRecorded();
      return s;
    },
    {
      // A refused action leaves no trace in the history: the validator runs the same rules without committing.
      validator: ({ action, actor }) => {
        if (unrecorded) throw notRecorded();
        try {
          decideSuggestion(s, action, actor, new Date().toISOString(), policy);
        } catch (e) {
          refuse(e);
        }
      },
    },
  );

  /** Projects one version until it is recorded: after 10 minutes of outage, or a refusal, it waits and tries again. */
  const projectUntilRecorded = async (input: Parameters<typeof projectSuggestion>[0]) => {
    for (;;) {
      try {
        const remaining = await projectSuggestion(input);
        if (unrecorded) log.info('suggestion projection resumed', { suggestionId: s.id });
        unrecorded = undefined;
        return remaining;
      } catch (err) {
        if (isCancellation(err)) throw err;
        const failure = err instanceof ActivityFailure && err.cause ? err.cause : err;
        const refused = failure instanceof ApplicationFailure && failure.type === PROJECTION_REJECTED;
        unrecorded = refused ? failure.message : `the read model stayed unreachable: ${(failure as Error).message}`;
        log.error('suggestion projection failing; it retries', { suggestionId: s.id, reason: unrecorded, version: input.snapshot.version });
        await sleep(refused ? '1 hour' : '1 minute');
      }
    }
  };

  // One version at a time, the latest: the read model sees the steps in order.
  const project = async () => {
    for (;;) {
      await condition(() => s.version > queuedVersion);
      const snapshot = s;
      const notifications = pendingNotifications;
      pendingNotifications = [];
      queuedVersion = snapshot.version;
      const remaining = await projectUntilRecorded({ snapshot, notifications });
      projectedVersion = snapshot.version;
      if (remaining.length > 0) {
        deliveries++;
        void deliverNotifications({ caseId: snapshot.id, ids: remaining }).finally(() => deliveries--);
      }
    }
  };
  void project();

  // The clocks: the step's deadline marks it overdue and tells its unit; the lapse closes it unanswered.
  for (let next = nextSuggestionClock(s, policy); next; next = nextSuggestionClock(s, policy)) {
    const version = s.version;
    const changed = await condition(() => s.version !== version, Math.max(Date.parse(next.at) - Date.now(), 1));
    if (changed) continue;
    const d = decideSuggestionClock(s, next.clock, new Date().toISOString());
    if (d) commit(d);
  }

  await condition(() => projectedVersion === s.version && deliveries === 0 && allHandlersFinished());
  return s;
}
