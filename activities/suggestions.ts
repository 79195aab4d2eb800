// The suggestion workflow's side effect of its own: its projection to the read model (人民建议征集). Its
// messages are delivered by the case activities' `deliverNotifications`, from the same outbox.

import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { refusedByDatabase } from '../db/errors.js';
import { projectSuggestion } from '../db/queries/suggestions.js';
import type { Notification } from '../domain/case.js';
import type { SuggestionView } from '../domain/suggestion.js';
import { PROJECTION_REJECTED } from '../workflows/messages.js';
import { type SenderRouting, senderFor } from './senders.js';

export function createSuggestionActivities({ db, senders, log }: { db: Db; senders: SenderRouting; log: Logger }) {
  return {
    /**
     * Writes the suggestion's row and its outbox messages in one statement, then sends the messages of
     * inline senders (the log). Idempotent: a repeated version writes nothing, a repeated message is kept
     * once. Answers the ids still to deliver through `deliverNotifications`.
     */
    async projectSuggestion(input: { snapshot: SuggestionView; notifications: Notification[] }): Promise<string[]> {
      const routed = input.notifications.map((n) => ({ n, sender: senderFor(senders, n) }));
      const inline = new Map(routed.filter((r) => r.sender.inline).map((r) => [r.n.id, r.sender.name]));
      const suggestionId = input.snapshot.id;
      try {
        await projectSuggestion(db, { ...input, sentInline: inline });
      } catch (err) {
        const refused = refusedByDatabase(err);
        if (refused) {
          log.error({ suggestionId, version: input.snapshot.version, sqlState: refused.sqlState, err }, 'the database refused the suggestion');
          throw ApplicationFailure.nonRetryable(refused.message, PROJECTION_REJECTED);
        }
        const attempt = Context.current().info.attempt;
        if (attempt >= 3) log.warn({ suggestionId, attempt, err }, 'suggestion projection failing; retrying while the database is unreachable');
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
  };
}

export type SuggestionActivities = ReturnType<typeof createSuggestionActivities>;
