import { randomUUID } from 'node:crypto';
import { and, arrayContains, desc, eq, gte, like, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { type AuditRow, auditLog } from '../schema.js';

export interface AuditEntry {
  principalId: string;
  role: string;
  unitPath: string;
  operation: string;
  caseIds: string[];
  requestId?: string;
  ip?: string;
}

/** Records one unmasked read; awaited before the answer goes out, so no read escapes the log. */
export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({ id: randomUUID(), ...entry, requestId: entry.requestId ?? null, ip: entry.ip ?? null });
}

export interface AuditFilter {
  /** Entries of principals in this unit or below it. */
  unitPath?: string;
  principalId?: string;
  caseId?: string;
  from?: string;
  to?: string;
  limit: number;
  /** The last entry of the previous page: newest first, by time then id. */
  before?: { at: string; id: string };
}

export async function listAudit(db: Db, f: AuditFilter): Promise<{ entries: AuditRow[]; next?: { at: string; id: string } }> {
  const where = and(
    f.unitPath ? or(eq(auditLog.unitPath, f.unitPath), like(auditLog.unitPath, `${f.unitPath.replace(/[\\%_]/g, '\\$&')}/%`)) : undefined,
    f.principalId ? eq(auditLog.principalId, f.principalId) : undefined,
    f.caseId ? arrayContains(auditLog.caseIds, [f.caseId]) : undefined,
    f.from ? gte(auditLog.at, f.from) : undefined,
    f.to ? lt(auditLog.at, f.to) : undefined,
    f.before ? sql`(${auditLog.at}, ${auditLog.id}) < (${f.before.at}::timestamptz, ${f.before.id})` : undefined,
  );
  const rows = await db.select().from(auditLog).where(where).orderBy(desc(auditLog.at), desc(auditLog.id)).limit(f.limit + 1);
  const entries = rows.slice(0, f.limit);
  const last = entries.at(-1);
  return { entries, next: rows.length > f.limit && last ? { at: last.at, id: last.id } : undefined };
}
