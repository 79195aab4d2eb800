import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { and, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { Channel, Role } from '../../domain/case.js';
import type { Db } from '../client.js';
import { type PrincipalRow, apiKeys, principals, units } from '../schema.js';

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** How many characters of a key are kept in clear, so lists can tell keys apart: "bn_" and 8 more. */
export const KEY_PREFIX_LENGTH = 11;

export interface Principal {
  id: string;
  name: string;
  role: Role;
  unitId: string;
  unitPath: string;
  /** An intake key bound to one channel. */
  channel?: Channel;
  /** The key this request came with (absent for identities from a bearer JWT). */
  keyId?: string;
}

/** A new key in clear (returned once, never stored) and the row that keeps its hash. */
export function newApiKey(): { key: string; prefix: string; keyHash: string } {
  const key = `bn_${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, KEY_PREFIX_LENGTH), keyHash: hashApiKey(key) };
}

/** Creates a principal with its first key, and returns the key: the only time it exists in clear. */
export async function createPrincipal(
  db: Db,
  input: { name: string; role: Role; unitId: string; channel?: Channel },
): Promise<{ principal: PrincipalRow; key: string; keyId: string }> {
  const { key, prefix, keyHash } = newApiKey();
  return db.transaction(async (tx) => {
    const [principal] = await tx
      .insert(principals)
      .values({ id: randomUUID(), name: input.name, role: input.role, unitId: input.unitId, channel: input.channel ?? null })
      .returning();
    const keyId = randomUUID();
    await tx.insert(apiKeys).values({ id: keyId, principalId: principal!.id, prefix, keyHash });
    return { principal: principal!, key, keyId };
  });
}

/** The principal a key belongs to, if the key and its principal are live (not revoked, not run out). */
export async function findPrincipalByKey(db: Db, { key }: { key: string }): Promise<Principal | undefined> {
  const [row] = await db
    .select({
      id: principals.id,
      name: principals.name,
      role: principals.role,
      unitId: principals.unitId,
      unitPath: units.path,
      channel: principals.channel,
      keyId: apiKeys.id,
    })
    .from(apiKeys)
    .innerJoin(principals, eq(principals.id, apiKeys.principalId))
    .innerJoin(units, eq(units.id, principals.unitId))
    .where(
      and(
        eq(apiKeys.keyHash, hashApiKey(key)),
        isNull(apiKeys.revokedAt),
        isNull(principals.revokedAt),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, sql`now()`)),
      ),
    );
  if (!row) return undefined;
  const { channel, ...rest } = row;
  return channel ? { ...rest, channel: channel as Channel } : rest;
}
