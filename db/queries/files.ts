import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../client.js';
import { type FileRow, files } from '../schema.js';

export type NewFile = typeof files.$inferInsert;

/**
 * Records an uploaded file, unless the same principal has uploaded the same bytes to the same case
 * before: then that file is answered, with `created: false`.
 */
export async function recordFile(db: Db, file: NewFile): Promise<{ created: boolean; file: FileRow }> {
  const [inserted] = await db.insert(files).values(file).onConflictDoNothing().returning();
  if (inserted) return { created: true, file: inserted };
  const [existing] = await db
    .select()
    .from(files)
    .where(and(eq(files.caseId, file.caseId), eq(files.ownerId, file.ownerId), eq(files.sha256, file.sha256)));
  if (!existing) throw new Error(`file of case ${file.caseId} neither recorded nor found`);
  return { created: false, file: existing };
}

export async function findUpload(db: Db, q: { caseId: string; ownerId: string; sha256: string }): Promise<FileRow | undefined> {
  const [row] = await db
    .select()
    .from(files)
    .where(and(eq(files.caseId, q.caseId), eq(files.ownerId, q.ownerId), eq(files.sha256, q.sha256)));
  return row;
}

export async function getFileById(db: Db, { id }: { id: string }): Promise<FileRow | undefined> {
  const [row] = await db.select().from(files).where(eq(files.id, id));
  return row;
}

/** A case's files, oldest first. */
export async function listCaseFiles(db: Db, { caseId }: { caseId: string }): Promise<FileRow[]> {
  return db.select().from(files).where(eq(files.caseId, caseId)).orderBy(asc(files.createdAt), asc(files.id));
}

/** Those of `ids` that are files of the case. */
export async function filesOfCase(db: Db, { caseId, ids }: { caseId: string; ids: string[] }): Promise<FileRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(files).where(and(eq(files.caseId, caseId), inArray(files.id, ids)));
}
