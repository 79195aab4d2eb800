// The case workflow's side effects. Built by a factory over their dependencies; only the worker wires
// real ones. Each is idempotent: Temporal may run it again after a crash or a lost answer.

import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { refusedByDatabase } from '../db/errors.js';
import { getCaseById, markNotificationSent, projectCase } from '../db/queries/cases.js';
import { moveToDeadLetters, undeliveredNotifications } from '../db/queries/dead-letters.js';
import { caseFilesToForget, deleteCaseFileRows, redactCaseRecords } from '../db/queries/erasure.js';
import type { CaseEvent, CaseView, Citizen, Notification } from '../domain/case.js';
import { redactValue } from '../domain/privacy.js';
import { DEFAULT_DELIVERY, type DeliverySettings } from '../platform/config.js';
import type { FileStore } from '../platform/storage.js';
import { PROJECTION_REJECTED } from '../workflows/messages.js';
import { type SenderRouting, forTheNewspaper, senderFor } from './senders.js';
import { createDutyActivities } from './duties.js';
import { createPublicityActivities } from './publicity.js';
import { createSuggestionActivities } from './suggestions.js';
import { createBaselineActivities } from './baseline.js';

export interface ActivityDeps {
  db: Db;
  senders: SenderRouting;
  log: Logger;
  /** Where uploaded files are kept: the API's store (platform/config.ts `fileSettings`). */
  store: FileStore;
  /** How long a message is retried before it goes to the dead-letter list: platform/config.ts `deliverySettings`. */
  delivery?: DeliverySettings;
}

export function createActivities({ db, senders, log, store, delivery = DEFAULT_DELIVERY }: ActivityDeps) {
  const { giveUpAfterMs } = delivery;
  /**
   * What a case whose personal data is erased left outside its row: the timeline's payloads and the outbox
   * redacted with the citizen it had (their name and phone, and every phone or identity number, starred),
   * and its files deleted — bytes and preview first, then the rows, so a retry finds what is left. Logs
   * counts and ids only.
   */
  const eraseOutsideTheCase = async (caseId: string, citizen: Citizen | undefined) => {
    const redacted = await redactCaseRecords(db, { caseId, redact: (value) => redactValue(value, citizen, 'hidden') });
    const { files, keys } = await caseFilesToForget(db, { caseId });
    for (const key of keys) await store.delete(key);
    const deleted = await deleteCaseFileRows(db, { caseId });
    log.info({ caseId, redactedEvents: redacted.events, redactedNotifications: redacted.notifications, files: files.length, deletedFiles: deleted, deletedKeys: keys.length }, 'personal data erased');
  };

  return {
    // Suggestions' projection (人民建议征集); their messages go out through deliverNotifications below.
    ...createSuggestionActivities({ db, senders, log }),
    // Publicity items' projection (宣传报道); their messages, the newspaper's too, go out through deliverNotifications.
    ...createPublicityActivities({ db, senders, log }),
    // The duty checks (workflows/duties.ts): a page of workstations or squads at a time; their messages go out through deliverNotifications below.
    ...createDutyActivities({ db, senders, log }),
    // The benchmarks' floor for an action (bench/workflows.ts): one row written, nothing else.
    ...createBaselineActivities({ db }),
    /**
     * Writes transitions to the read model, the timeline and the outbox in one transaction, then sends
     * the messages of inline senders. Answers the ids still to deliver through `deliverNotifications`.
     */
    async projectCase(input: { snapshot: CaseView; events: CaseEvent[]; notifications: Notification[] }): Promise<string[]> {
      const routed = input.notifications.map((n) => ({ n, sender: senderFor(senders, n) }));
      const inline = new Map(routed.filter((r) => r.sender.inline).map((r) => [r.n.id, r.sender.name]));
      const caseId = input.snapshot.id;
      try {
        await projectCase(db, { ...input, sentInline: inline });
      } catch (err) {
        const refused = refusedByDatabase(err);
        if (refused) {
          log.error({ caseId, version: input.snapshot.version, sqlState: refused.sqlState, err }, 'the database refused the case; the workflow parks it');
          throw ApplicationFailure.nonRetryable(refused.message, PROJECTION_REJECTED);
        }
        const attempt = Context.current().info.attempt;
        if (attempt >= 3) log.warn({ caseId, attempt, err }, 'projection failing; retrying while the database is unreachable');
        throw err;
      }
      const remaining: string[] = [];
      for (const { n, sender } of routed) {
        if (!sender.inline) {
          remaining.push(n.id);
          continue;
        }
        await sender.send({ ...n, createdAt: input.snapshot.updatedAt, attempts: 1, sentAt: input.snapshot.updatedAt, sender: sender.name }, input.snapshot.citizen);
      }
      return remaining;
    },

    /**
     * Delivers the outbox messages not yet sent. A failure is thrown so Temporal retries the rest — until
     * the first attempt is older than DELIVERY_GIVE_UP_AFTER: that attempt still tries each message, moves
     * those that fail to the dead-letter list and completes, so the workflow that waits on it can finish.
     * A message on the list is not sent again by a retry; `./bangnong dead-letters` redelivers it.
     */
    async deliverNotifications({ caseId, ids }: { caseId: string; ids: string[] }): Promise<number> {
      const pending = await undeliveredNotifications(db, { ids });
      const { attempt, scheduledTimestampMs } = Context.current().info;
      const givingUp = Date.now() - scheduledTimestampMs >= giveUpAfterMs;
      // Messages for the newspaper go with the citizen masked in their text: whom to mask is the case's.
      const citizen = pending.some(forTheNewspaper) ? (await getCaseById(db, { id: caseId }))?.citizen : undefined;
      // On the last attempt a sender that failed once is not waited on again (each try may take its timeout).
      const failed = new Map<string, Error>();
      let sent = 0;
      for (const n of pending) {
        const sender = senderFor(senders, n);
        try {
          const earlier = givingUp ? failed.get(sender.name) : undefined;
          if (earlier) throw earlier;
          await sender.send(n, citizen);
        } catch (e) {
          if (!givingUp) {
            log.warn({ caseId, notificationId: n.id, attempt, err: e }, 'notification delivery failed; Temporal will retry');
            throw e;
          }
          const err = e instanceof Error ? e : new Error(String(e));
          failed.set(sender.name, err);
          // The message's own case id: a duty check's messages each belong to their shortfall.
          const moved = await moveToDeadLetters(db, { notificationId: n.id, caseId: n.caseId, sender: sender.name, error: err.message, attempts: attempt, firstAttemptAt: new Date(scheduledTimestampMs).toISOString() });
          if (moved) log.error({ caseId: n.caseId, notificationId: n.id, sender: sender.name, attempt, failingSince: new Date(scheduledTimestampMs).toISOString(), err }, 'notification undeliverable: moved to the dead-letter list (./bangnong dead-letters)');
          continue;
        }
        await markNotificationSent(db, { id: n.id, sender: sender.name });
        sent++;
      }
      return sent;
    },

    /** After the case's own workflow erased the case (erase_personal_data): the rest, with the citizen it had. */
    async erasePersonalData({ caseId, citizen }: { caseId: string; citizen?: Citizen }): Promise<void> {
      await eraseOutsideTheCase(caseId, citizen);
    },

    /**
     * Erases a case whose workflow has finished: the erased row and its event (decided by the lifecycle
     * table), after redacting the rest with the citizen the stored case still has. A retry finds the row
     * erased and only finishes the files.
     */
    async eraseFinishedCase({ snapshot, event }: { snapshot: CaseView; event: CaseEvent }): Promise<CaseView> {
      const caseId = snapshot.id;
      const stored = await getCaseById(db, { id: caseId });
      if (!stored) throw ApplicationFailure.nonRetryable(`case ${caseId} is not in the read model`, 'CaseNotFound');
      if (stored.version < snapshot.version) {
        await redactCaseRecords(db, { caseId, redact: (value) => redactValue(value, stored.citizen, 'hidden') });
        await projectCase(db, { snapshot, events: [event], notifications: [] });
      }
      await eraseOutsideTheCase(caseId, undefined);
      return (await getCaseById(db, { id: caseId }))!;
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

