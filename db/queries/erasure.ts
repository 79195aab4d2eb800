// What erasing a citizen's personal data (the `erase_personal_data` action) changes in the database beyond
// the case's row, which the projection writes: the payloads of its timeline and the bodies of its outbox,
// rewritten, and its files' rows. Each is safe to repeat.

import { and, eq, inArray, ne } from 'drizzle-orm';
import type { Db } from '../client.js';
import { type FileRow, caseEvents, files, notifications } from '../schema.js';

type Redact = <T>(value: T) => T;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Rewrites every timeline payload and every outbox message of the case through `redact`, in one
 * transaction (rows locked, so a delivery or projection in between waits for it). Sent messages too: what
 * was sent stays in the row as a record, and the record must not keep what the citizen asked to erase.
 * Answers how many rows changed; a second run changes none.
 */
export async function redactCaseRecords(db: Db, { caseId, redact }: { caseId: string; redact: Redact }): Promise<{ events: number; notifications: number }> {
  return db.transaction(async (tx) => {
    let changedEvents = 0;
    let changedNotifications = 0;
    const events = await tx.select({ seq: caseEvents.seq, payload: caseEvents.payload }).from(caseEvents).where(eq(caseEvents.caseId, caseId)).for('update');
    for (const e of events) {
      const payload = redact(e.payload);
      if (same(payload, e.payload)) continue;
      await tx.update(caseEvents).set({ payload }).where(and(eq(caseEvents.caseId, caseId), eq(caseEvents.seq, e.seq)));
      changedEvents++;
    }
    const messages = await tx.select({ id: notifications.id, body: notifications.body }).from(notifications).where(eq(notifications.caseId, caseId)).for('update');
    for (const n of messages) {
      const body = redact(n.body);
      if (same(body, n.body)) continue;
      await tx.update(notifications).set({ body }).where(eq(notifications.id, n.id));
      changedNotifications++;
    }
    return { events: changedEvents, notifications: changedNotifications };
  });
}

/**
 * The case's files, and the storage keys (bytes and previews) that only this case's files use: the store
 * keeps bytes by their checksum, so the same bytes uploaded to another case are that case's as well and
 * stay for it.
 */
export async function caseFilesToForget(db: Db, { caseId }: { caseId: string }): Promise<{ files: FileRow[]; keys: string[] }> {
  const rows = await db.select().from(files).where(eq(files.caseId, caseId));
  if (rows.length === 0) return { files: [], keys: [] };
  const keys = [...new Set(rows.map((r) => r.storageKey))];
  const shared = await db
    .select({ storageKey: files.storageKey })
    .from(files)
    .where(and(inArray(files.storageKey, keys), ne(files.caseId, caseId)));
  const kept = new Set(shared.map((r) => r.storageKey));
  const only = rows.filter((r) => !kept.has(r.storageKey));
  const owned = [...new Set(only.flatMap((r) => (r.previewKey ? [r.storageKey, r.previewKey] : [r.storageKey])))];
  return { files: rows, keys: owned };
}

/** Forgets the case's files' rows (after their bytes): `GET /v1/files/:id` then answers 404. */
export async function deleteCaseFileRows(db: Db, { caseId }: { caseId: string }): Promise<number> {
  const deleted = await db.delete(files).where(eq(files.caseId, caseId)).returning({ id: files.id });
  return deleted.length;
}
