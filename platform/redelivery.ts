// Redelivering dead letters, for the API (POST /v1/dead-letters/…) and `./bangnong dead-letters`: each
// message goes out through the sender the settings route it to now, signed with the same webhook-id as
// before, and is marked sent; a failure stays on the list with its new reason.

import type { Logger } from 'pino';
import { type SenderRouting, forTheNewspaper, senderFor } from '../activities/senders.js';
import type { Db } from '../db/client.js';
import { getCaseById } from '../db/queries/cases.js';
import { type DeadLetter, type DeadLetterFilter, countDeadLetters, redeliverHeld, waitingDeadLetters } from '../db/queries/dead-letters.js';

export interface RedeliveryDeps {
  db: Db;
  senders: SenderRouting;
  log: Pick<Logger, 'info' | 'warn'>;
}

export type Redelivery =
  | { id: string; outcome: 'delivered' }
  | { id: string; outcome: 'failed'; error: string }
  /** Another redelivery holds it right now. */
  | { id: string; outcome: 'busy' }
  /** Not waiting: redelivered already, or no such dead letter. */
  | { id: string; outcome: 'gone' };

async function send(deps: RedeliveryDeps, d: DeadLetter): Promise<string> {
  const sender = senderFor(deps.senders, d);
  const citizen = forTheNewspaper(d) ? (await getCaseById(deps.db, { id: d.caseId }))?.citizen : undefined;
  await sender.send({ id: d.notificationId, caseId: d.caseId, recipient: d.recipient, to: d.to, kind: d.kind, body: d.body, createdAt: d.createdAt, attempts: d.attempts, sentAt: null, sender: null }, citizen);
  return sender.name;
}

/** Redelivers one dead letter, once even when asked twice at the same moment. */
export async function redeliverDeadLetter(deps: RedeliveryDeps, id: string): Promise<Redelivery> {
  let caseId: string | undefined;
  const result = await redeliverHeld(deps.db, { id }, async (d) => {
    caseId = d.caseId;
    return send(deps, d);
  });
  if (result.outcome === 'delivered') deps.log.info({ caseId, notificationId: id }, 'dead letter redelivered');
  if (result.outcome === 'failed') deps.log.warn({ caseId, notificationId: id, error: result.error }, 'dead letter redelivery failed; it stays on the list');
  return { id, ...result } as Redelivery;
}

export interface RedeliveryRun {
  delivered: string[];
  failed: { id: string; error: string }[];
  /** Not tried in this run: their sender had just failed, or another redelivery held them. */
  skipped: string[];
  /** Dead letters matching the filter still waiting after the run. */
  waiting: number;
}

/**
 * Redelivers up to `limit` waiting dead letters that match, oldest first. Once a sender fails, the rest of
 * its messages are skipped in this run rather than each waiting out its timeout.
 */
export async function redeliverDeadLetters(deps: RedeliveryDeps, filter: Omit<DeadLetterFilter, 'status'>, limit: number): Promise<RedeliveryRun> {
  const run: RedeliveryRun = { delivered: [], failed: [], skipped: [], waiting: 0 };
  const failedSenders = new Set<string>();
  for (const { id, recipient } of await waitingDeadLetters(deps.db, { ...filter, limit })) {
    const name = senderFor(deps.senders, { recipient }).name;
    if (failedSenders.has(name)) {
      run.skipped.push(id);
      continue;
    }
    const result = await redeliverDeadLetter(deps, id);
    if (result.outcome === 'delivered') run.delivered.push(id);
    else if (result.outcome === 'failed') {
      failedSenders.add(name);
      run.failed.push({ id, error: result.error });
    } else run.skipped.push(id);
  }
  run.waiting = await countDeadLetters(deps.db, { ...filter, status: 'waiting' });
  deps.log.info({ delivered: run.delivered.length, failed: run.failed.length, skipped: run.skipped.length, waiting: run.waiting }, 'dead letters redelivered');
  return run;
}
