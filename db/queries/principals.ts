import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Role } from '../../domain/case.js';
import type { Db } from '../client.js';
import { type PrincipalRow, principals, units } from '../schema.js';

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export interface Principal {
  id: string;
  name: string;
  role: Role;
  unitId: string;
  unitPath: string;
}

/** Creates a principal and returns its key: the only time the key exists in clear. */
export async function createPrincipal(db: Db, input: { name: string; role: Role; unitId: string }): Promise<{ principal: PrincipalRow; key: string }> {
  const key = `bn_${randomBytes(32).toString('base64url')}`;
  const [principal] = await db
    .insert(principals)
    .values({ id: randomUUID(), name: input.name, role: input.role, unitId: input.unitId, keyHash: hashApiKey(key) })
    .returning();
  return { principal: principal!, key };
}

export async function findPrincipalByKey(db: Db, { key }: { key: string }): Promise<Principal | undefined> {
  const [row] = await db
    .select({ id: principals.id, name: principals.name, role: principals.role, unitId: principals.unitId, unitPath: units.path })
    .from(principals)
    .innerJoin(units, eq(units.id, principals.unitId))
    .where(and(eq(principals.keyHash, hashApiKey(key)), isNull(principals.revokedAt)));
  return row;
}
