// The dead-letter list: outbox messages the delivery activity gave up on (DELIVERY_GIVE_UP_AFTER), moved
// here so their workflow could finish, until an operator redelivers them.

import { and, asc, eq, inArray, isNotNull, isNull, like, notExists, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { type DeadLetterRow, type NotificationRow, deadLetters, notifications } from '../schema.js';

/** The outbox messages among `ids` still to deliver: not sent, and not moved to the dead-letter list. */
export async function undeliveredNotifications(db: Db, { ids }: { ids: string[] }): Promise<NotificationRow[]> {
  return db
    .select()
    .from(notifications)
    .where(
      and(
        inArray(notifications.id, ids),
        isNull(notifications.sentAt),
        notExists(db.select({ one: sql`1` }).from(deadLetters).where(eq(deadLetters.notificationId, notifications.id))),
      ),
    );
}

export interface NewDeadLetter {
  notificationId: string;
  caseId: string;
  sender: string;
  error: string;
  attempts: number;
  firstAttemptAt: string;
}

/**
 * Moves one message to the list, with the unit its case (or suggestion, publicity item, duty shortfall)
 * lies in — the city's when none is found. Once only: a retried activity finds it there and moves nothing.
 * True when this call moved it.
 */
export async function moveToDeadLetters(db: Db, d: NewDeadLetter): Promise<boolean> {
  const rows = await db.execute<{ notification_id: string }>(sql`
    insert into dead_letters (notification_id, case_id, sender, unit_path, error, attempts, first_attempt_at)
    values (${d.notificationId}, ${d.caseId}, ${d.sender}, coalesce(
      (select assigned_unit_path from cases where id = ${d.caseId}),
      (select unit_path from suggestions where id = ${d.caseId}),
      (select unit_path from publicity_items where id = ${d.caseId}),
      (select unit_path from duty_shortfalls where id = ${d.caseId}),
      (select path from units where parent_id is null order by path limit 1),
      ''
    ), ${d.error.slice(0, 2000)}, ${d.attempts}, ${d.firstAttemptAt}::timestamptz)
    on conflict (notification_id) do nothing
    returning notification_id`);
  return rows.length > 0;
}

export type DeadLetterStatus = 'waiting' | 'redelivered';

export interface DeadLetterFilter {
  /** Waiting (the default), redelivered, or both when undefined. */
  status?: DeadLetterStatus;
  /** Messages whose case lies in this unit or below it. */
  unitPath?: string;
  caseId?: string;
  recipient?: string;
  sender?: string;
  kind?: string;
}

/** A dead letter with the message it holds back. */
export interface DeadLetter extends DeadLetterRow {
  recipient: string;
  to: string;
  kind: string;
  body: Record<string, unknown>;
  createdAt: string;
  /** Set when the message went out after all (an older worker's retry): redelivering only closes the row. */
  sentAt: string | null;
}

const columns = {
  notificationId: deadLetters.notificationId,
  caseId: deadLetters.caseId,
  sender: deadLetters.sender,
  unitPath: deadLetters.unitPath,
  error: deadLetters.error,
  attempts: deadLetters.attempts,
  firstAttemptAt: deadLetters.firstAttemptAt,
  deadAt: deadLetters.deadAt,
  redeliveryAttempts: deadLetters.redeliveryAttempts,
  lastTriedAt: deadLetters.lastTriedAt,
  redeliveredAt: deadLetters.redeliveredAt,
  recipient: notifications.recipient,
  to: notifications.to,
  kind: notifications.kind,
  body: notifications.body,
  createdAt: notifications.createdAt,
  sentAt: notifications.sentAt,
};

const matching = (f: DeadLetterFilter) =>
  and(
    f.status === 'waiting' ? isNull(deadLetters.redeliveredAt) : f.status === 'redelivered' ? isNotNull(deadLetters.redeliveredAt) : undefined,
    f.unitPath ? or(eq(deadLetters.unitPath, f.unitPath), like(deadLetters.unitPath, `${f.unitPath.replace(/[\\%_]/g, '\\$&')}/%`)) : undefined,
    f.caseId ? eq(deadLetters.caseId, f.caseId) : undefined,
    f.recipient ? eq(notifications.recipient, f.recipient) : undefined,
    f.sender ? eq(deadLetters.sender, f.sender) : undefined,
    f.kind ? eq(notifications.kind, f.kind) : undefined,
  );

/** A page of dead letters, oldest first (the order they are redelivered in), after the cursor's. */
export async function listDeadLetters(
  db: Db,
  f: DeadLetterFilter & { limit: number; after?: { deadAt: string; id: string } },
): Promise<{ deadLetters: DeadLetter[]; next?: { deadAt: string; id: string } }> {
  const rows = await db
    .select(columns)
    .from(deadLetters)
    .innerJoin(notifications, eq(notifications.id, deadLetters.notificationId))
    .where(and(matching(f), f.after ? sql`(${deadLetters.deadAt}, ${deadLetters.notificationId}) > (${f.after.deadAt}::timestamptz, ${f.after.id})` : undefined))
    .orderBy(asc(deadLetters.deadAt), asc(deadLetters.notificationId))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  return { deadLetters: page, next: rows.length > f.limit && last ? { deadAt: last.deadAt, id: last.notificationId } : undefined };
}

export async function getDeadLetter(db: Db, { id }: { id: string }): Promise<DeadLetter | undefined> {
  const [row] = await db.select(columns).from(deadLetters).innerJoin(notifications, eq(notifications.id, deadLetters.notificationId)).where(eq(deadLetters.notificationId, id));
  return row;
}

export async function countDeadLetters(db: Db, f: DeadLetterFilter = {}): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(deadLetters)
    .innerJoin(notifications, eq(notifications.id, deadLetters.notificationId))
    .where(matching(f));
  return row?.n ?? 0;
}

/** How many wait for redelivery, and how many were ever moved (rows are kept after redelivery): for the metrics. */
export async function deadLetterTotals(db: Db): Promise<{ waiting: number; moved: number }> {
  const [row] = await db
    .select({ waiting: sql<number>`(count(*) filter (where ${deadLetters.redeliveredAt} is null))::int`, moved: sql<number>`count(*)::int` })
    .from(deadLetters);
  return { waiting: row?.waiting ?? 0, moved: row?.moved ?? 0 };
}

/**
 * Runs `redeliver` on one waiting dead letter while holding its row: another redelivery of the same
 * message (a second click, another API instance, the command line) skips it instead of sending it twice.
 * `redeliver` answers the sender's name on success, or throws the sender's failure, which is recorded.
 * Answers `busy` when another redelivery holds it, `gone` when it is not waiting (anymore).
 */
export async function redeliverHeld(
  db: Db,
  { id }: { id: string },
  redeliver: (d: DeadLetter) => Promise<string>,
): Promise<{ outcome: 'delivered' } | { outcome: 'failed'; error: string } | { outcome: 'busy' | 'gone' }> {
  return db.transaction(async (tx) => {
    const [held] = await tx
      .select(columns)
      .from(deadLetters)
      .innerJoin(notifications, eq(notifications.id, deadLetters.notificationId))
      .where(and(eq(deadLetters.notificationId, id), isNull(deadLetters.redeliveredAt)))
      .for('update', { of: deadLetters, skipLocked: true });
    if (!held) {
      const [exists] = await tx.select({ at: deadLetters.redeliveredAt }).from(deadLetters).where(eq(deadLetters.notificationId, id));
      return { outcome: exists && !exists.at ? 'busy' : 'gone' };
    }
    try {
      // Already sent (by an older worker's retry, say): nothing to send, only the list to put right.
      if (!held.sentAt) {
        const sender = await redeliver(held);
        await tx
          .update(notifications)
          .set({ sentAt: sql`now()`, sender, attempts: sql`${notifications.attempts} + 1` })
          .where(eq(notifications.id, id));
      }
      await tx
        .update(deadLetters)
        .set({ redeliveredAt: sql`now()`, lastTriedAt: sql`now()`, redeliveryAttempts: sql`${deadLetters.redeliveryAttempts} + 1` })
        .where(eq(deadLetters.notificationId, id));
      return { outcome: 'delivered' };
    } catch (err) {
      const error = (err instanceof Error ? err.message : String(err)).slice(0, 2000);
      await tx
        .update(deadLetters)
        .set({ error, lastTriedAt: sql`now()`, redeliveryAttempts: sql`${deadLetters.redeliveryAttempts} + 1` })
        .where(eq(deadLetters.notificationId, id));
      return { outcome: 'failed', error };
    }
  });
}

/** The waiting dead letters that match, oldest first, and whom each is for: what "redeliver all" works through. */
export async function waitingDeadLetters(db: Db, f: Omit<DeadLetterFilter, 'status'> & { limit: number }): Promise<{ id: string; recipient: string }[]> {
  return db
    .select({ id: deadLetters.notificationId, recipient: notifications.recipient })
    .from(deadLetters)
    .innerJoin(notifications, eq(notifications.id, deadLetters.notificationId))
    .where(matching({ ...f, status: 'waiting' }))
    .orderBy(asc(deadLetters.deadAt), asc(deadLetters.notificationId))
    .limit(f.limit);
}
