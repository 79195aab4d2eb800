// The API's principals and their keys. A key lives until it is revoked, its principal is revoked, or a
// rotation lets it run out; every query that can end a key's life NOTIFYs `bangnong_keys` with the
// principal's id inside its transaction, so each API instance hears of it at commit (db/key-changes.ts)
// and stops trusting what it cached for that principal.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type SQL, and, asc, eq, gt, isNull, or, sql } from 'drizzle-orm';
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

/** The principal a key belongs to, if the key and its principal are live (not revoked, not run out), and when the key runs out. */
export async function findPrincipalByKey(db: Db, { key }: { key: string }): Promise<{ principal: Principal; expiresAt: string | null } | undefined> {
  const [row] = await db
    .select({
      id: principals.id,
      name: principals.name,
      role: principals.role,
      unitId: principals.unitId,
      unitPath: units.path,
      channel: principals.channel,
      keyId: apiKeys.id,
      expiresAt: apiKeys.expiresAt,
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
  const { channel, expiresAt, ...rest } = row;
  return { principal: channel ? { ...rest, channel: channel as Channel } : rest, expiresAt };
}

/** The channel every API instance listens on for keys that stop; the payload is the principal's id. */
export const KEY_CHANGES_CHANNEL = 'bangnong_keys';

/** How long a rotated key keeps working beside its successor, unless the rotation says otherwise. */
export const DEFAULT_ROTATION_OVERLAP_SECONDS = 24 * 3600;

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Delivered at commit, and only if the transaction commits. */
const notifyKeyChange = (tx: Tx, principalId: string) => tx.execute(sql`select pg_notify(${KEY_CHANGES_CHANNEL}, ${principalId})`);

export type KeyState = 'active' | 'expiring' | 'expired' | 'revoked';

export interface KeyListing {
  id: string;
  prefix: string;
  /** active; expiring (rotated, still working until expiresAt); expired; revoked. */
  state: KeyState;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface PrincipalListing {
  id: string;
  name: string;
  role: Role;
  unitId: string;
  unitPath: string;
  channel: string | null;
  createdAt: string;
  revokedAt: string | null;
  keys: KeyListing[];
}

const keyState = sql<KeyState>`case
  when ${apiKeys.revokedAt} is not null then 'revoked'
  when ${apiKeys.expiresAt} <= now() then 'expired'
  when ${apiKeys.expiresAt} is not null then 'expiring'
  else 'active' end`;

/** The unit at `path` and every unit below it. */
const inUnit = (path: string): SQL => or(eq(units.path, path), sql`starts_with(${units.path}, ${`${path}/`})`)!;

/** The officers of a unit and below it whose keys may still be used: who a case can be assigned to, by name. */
export async function listOfficers(db: Db, { within }: { within: string }): Promise<{ id: string; name: string; unitId: string }[]> {
  return db
    .select({ id: principals.id, name: principals.name, unitId: principals.unitId })
    .from(principals)
    .innerJoin(units, eq(units.id, principals.unitId))
    .where(and(eq(principals.role, 'officer'), isNull(principals.revokedAt), inUnit(within)))
    .orderBy(asc(units.path), asc(principals.name), asc(principals.id));
}

/** Principals with all their keys (never a key's hash), by unit then age; `within` keeps those of a unit and below it. */
export async function listPrincipals(db: Db, filter: { within?: string; id?: string } = {}): Promise<PrincipalListing[]> {
  const where = and(filter.within ? inUnit(filter.within) : undefined, filter.id ? eq(principals.id, filter.id) : undefined);
  const rows = await db
    .select({
      id: principals.id,
      name: principals.name,
      role: principals.role,
      unitId: principals.unitId,
      unitPath: units.path,
      channel: principals.channel,
      createdAt: principals.createdAt,
      revokedAt: principals.revokedAt,
    })
    .from(principals)
    .innerJoin(units, eq(units.id, principals.unitId))
    .where(where)
    .orderBy(asc(units.path), asc(principals.createdAt), asc(principals.id));
  if (rows.length === 0) return [];
  const keys = await db
    .select({
      principalId: apiKeys.principalId,
      id: apiKeys.id,
      prefix: apiKeys.prefix,
      state: keyState,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .innerJoin(principals, eq(principals.id, apiKeys.principalId))
    .innerJoin(units, eq(units.id, principals.unitId))
    .where(where)
    .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
  const byPrincipal = new Map(rows.map((r) => [r.id, { ...r, keys: [] as KeyListing[] }]));
  for (const { principalId, ...key } of keys) byPrincipal.get(principalId)?.keys.push(key);
  return [...byPrincipal.values()];
}

export async function getPrincipal(db: Db, { id }: { id: string }): Promise<PrincipalListing | undefined> {
  const [found] = await listPrincipals(db, { id });
  return found;
}

/** The principal a key belongs to (whatever the key's state), by the key's id. */
export async function principalIdOfKey(db: Db, { keyId }: { keyId: string }): Promise<string | undefined> {
  const [row] = await db.select({ principalId: apiKeys.principalId }).from(apiKeys).where(eq(apiKeys.id, keyId));
  return row?.principalId;
}

export class PrincipalRevokedError extends Error {
  constructor(readonly principalId: string) {
    super(`principal ${principalId} is revoked: its keys cannot be rotated; create a new principal`);
    this.name = 'PrincipalRevokedError';
  }
}

/**
 * A new key for a live principal (returned once, in clear); its other live keys keep working for
 * `overlapSeconds` more (0: they stop now), or less if they were already running out sooner.
 * Undefined when there is no such principal.
 */
export async function rotateApiKey(
  db: Db,
  { principalId, overlapSeconds = DEFAULT_ROTATION_OVERLAP_SECONDS }: { principalId: string; overlapSeconds?: number },
): Promise<{ key: string; keyId: string; previousKeysExpireAt: string | null } | undefined> {
  const { key, prefix, keyHash } = newApiKey();
  return db.transaction(async (tx) => {
    // The row lock orders concurrent rotations and revocations of one principal.
    const [principal] = await tx.select({ revokedAt: principals.revokedAt }).from(principals).where(eq(principals.id, principalId)).for('update');
    if (!principal) return undefined;
    if (principal.revokedAt) throw new PrincipalRevokedError(principalId);
    const until = sql`now() + make_interval(secs => ${overlapSeconds})`;
    const runningOut = await tx
      .update(apiKeys)
      .set({ expiresAt: sql`least(coalesce(${apiKeys.expiresAt}, 'infinity'), ${until})` })
      .where(and(eq(apiKeys.principalId, principalId), isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, sql`now()`))))
      .returning({ expiresAt: apiKeys.expiresAt });
    const keyId = randomUUID();
    await tx.insert(apiKeys).values({ id: keyId, principalId, prefix, keyHash });
    await notifyKeyChange(tx, principalId);
    const latest = runningOut.map((k) => k.expiresAt!).sort((a, b) => Date.parse(b) - Date.parse(a))[0];
    return { key, keyId, previousKeysExpireAt: latest ?? null };
  });
}

/** Revokes one key; revoking it again changes nothing. The principal's id, or undefined when there is no such key. */
export async function revokeApiKey(db: Db, { keyId }: { keyId: string }): Promise<string | undefined> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
      .where(eq(apiKeys.id, keyId))
      .returning({ principalId: apiKeys.principalId });
    if (row) await notifyKeyChange(tx, row.principalId);
    return row?.principalId;
  });
}

/** Revokes a principal and every key of it; again changes nothing. False when there is no such principal. */
export async function revokePrincipal(db: Db, { principalId }: { principalId: string }): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(principals)
      .set({ revokedAt: sql`coalesce(${principals.revokedAt}, now())` })
      .where(eq(principals.id, principalId))
      .returning({ id: principals.id });
    if (!row) return false;
    await tx.update(apiKeys).set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` }).where(eq(apiKeys.principalId, principalId));
    await notifyKeyChange(tx, principalId);
    return true;
  });
}

/** Records that a key was just used (the caller keeps this to about once a minute per key). */
export async function touchApiKey(db: Db, { keyId }: { keyId: string }): Promise<void> {
  await db.update(apiKeys).set({ lastUsedAt: sql`now()` }).where(eq(apiKeys.id, keyId));
}
