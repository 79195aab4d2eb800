// The publicity workflows' side effect of their own: the projection to the read model (宣传报道) — the item's
// row, its history and its outbox messages. The messages are delivered by the case activities'
// `deliverNotifications`, from the same outbox (the newspaper's through the signed partner webhook).

import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { refusedByDatabase } from '../db/errors.js';
import { projectPublicity } from '../db/queries/publicity.js';
import type { Notification } from '../domain/case.js';
import type { PublicityEvent, PublicityView } from '../domain/publicity.js';
import { PROJECTION_REJECTED } from '../workflows/messages.js';
import { type SenderRouting, senderFor } from './senders.js';

export function createPublicityActivities({ db, senders, log }: { db: Db; senders: SenderRouting; log: Logger }) {
  return {
    /**
     * Writes the item's row, its new events and its outbox messages in one statement, then sends the messages
     * of inline senders (the log). Idempotent: a repeated version writes nothing, a repeated event or message
     * is kept once. Answers the ids still to deliver through `deliverNotifications`.
     */
    async projectPublicity(input: { snapshot: PublicityView; events: PublicityEvent[]; notifications: Notification[] }): Promise<string[]> {
      const routed = input.notifications.map((n) => ({ n, sender: senderFor(senders, n) }));
      const inline = new Map(routed.filter((r) => r.sender.inline).map((r) => [r.n.id, r.sender.name]));
      const itemId = input.snapshot.id;
      try {
        await projectPublicity(db, { ...input, sentInline: inline });
      } catch (err) {
        const refused = refusedByDatabase(err);
        if (refused) {
          log.error({ itemId, version: input.snapshot.version, sqlState: refused.sqlState, err }, 'the database refused the publicity item');
          throw ApplicationFailure.nonRetryable(refused.message, PROJECTION_REJECTED);
        }
        const attempt = Context.current().info.attempt;
        if (attempt >= 3) log.warn({ itemId, attempt, err }, 'publicity projection failing; retrying while the database is unreachable');
        throw err;
      }
      const remaining: string[] = [];
      for (const { n, sender } of routed) {
        if (!sender.inline) {
          remaining.push(n.id);
          continue;
        }
        await sender.send({ ...n, createdAt: input.snapshot.updatedAt, attempts: 1, sentAt: input.snapshot.updatedAt, sender: sender.name });
      }
      return remaining;
    },
  };
}

export type PublicityActivities = ReturnType<typeof createPublicityActivities>;
