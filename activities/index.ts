// The case workflow's side effects. Built by a factory over their dependencies; only the worker wires
// real ones. Each is idempotent: Temporal may run it again after a crash or a lost answer.

import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { refusedByDatabase } from '../db/errors.js';
import { getCaseById, getNotifications, markNotificationSent, projectCase } from '../db/queries/cases.js';
import type { CaseEvent, CaseView, Notification } from '../domain/case.js';
import { PROJECTION_REJECTED } from '../workflows/messages.js';
import { type SenderRouting, forTheNewspaper, senderFor } from './senders.js';

export interface ActivityDeps {
  db: Db;
  senders: SenderRouting;
  log: Logger;
}

export function createActivities({ db, senders, log }: ActivityDeps) {
  return {
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

    /** Delivers the outbox messages not yet sent; a failure is thrown so Temporal retries the rest. */
    async deliverNotifications({ caseId, ids }: { caseId: string; ids: string[] }): Promise<number> {
      const pending = await getNotifications(db, { ids });
      const attempt = Context.current().info.attempt;
      // Messages for the newspaper go with the citizen masked in their text: whom to mask is the case's.
      const citizen = pending.some(forTheNewspaper) ? (await getCaseById(db, { id: caseId }))?.citizen : undefined;
      let sent = 0;
      for (const n of pending) {
        const sender = senderFor(senders, n);
        try {
          await sender.send(n, citizen);
        } catch (e) {
          log.warn({ caseId, notificationId: n.id, attempt, err: e }, 'notification delivery failed; Temporal will retry');
          throw e;
        }
        await markNotificationSent(db, { id: n.id, sender: sender.name });
        sent++;
      }
      return sent;
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

