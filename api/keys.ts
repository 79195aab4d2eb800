// API keys and the principals that hold them, for administrators: list, issue, rotate, revoke. An
// administrator manages the principals of its own unit and the units below it (the authorisation table's
// `keys.manage`), so each change is checked against the unit of the principal it touches. A key shows
// in clear once, in the answer that issues it; the queries tell every API instance when a key stops.

import {
  type KeyListing,
  type PrincipalListing,
  type Principal,
  PrincipalRevokedError,
  createPrincipal,
  getPrincipal,
  listPrincipals,
  principalIdOfKey,
  revokeApiKey,
  revokePrincipal,
  rotateApiKey,
} from '../db/queries/principals.js';
import { reachesBeyondItsUnit, refusal } from '../domain/access.js';
import { isBelowCity } from '../domain/units.js';
import type { Channel, Role } from '../domain/case.js';
import type { CaseServiceDeps } from './cases.js';
import { HttpError, badRequest, notFound } from './errors.js';

const iso = (at: string) => new Date(at).toISOString();
const isoOrNull = (at: string | null) => (at === null ? null : iso(at));

/** A principal and its keys as the API shows them: times in ISO 8601, never a key's hash. */
export function presentPrincipal(p: PrincipalListing) {
  const key = (k: KeyListing) => ({ ...k, createdAt: iso(k.createdAt), lastUsedAt: isoOrNull(k.lastUsedAt), expiresAt: isoOrNull(k.expiresAt), revokedAt: isoOrNull(k.revokedAt) });
  return { ...p, createdAt: iso(p.createdAt), revokedAt: isoOrNull(p.revokedAt), keys: p.keys.map(key) };
}

/** 403 unless the table lets the administrator manage keys in the unit at `unitPath` (or at all, without one). */
function assertManages(admin: Principal, unitPath?: string, what?: string): void {
  const why = refusal(admin, 'keys.manage', unitPath === undefined ? undefined : { units: [unitPath] });
  if (why) throw new HttpError(403, what ? `${what}: ${why}` : why);
}

/** The principal `id`, if the administrator may manage it: 404 when there is none, 403 outside its unit. */
async function managedPrincipal(deps: CaseServiceDeps, admin: Principal, id: string): Promise<PrincipalListing> {
  assertManages(admin);
  const target = await getPrincipal(deps.db, { id });
  if (!target) throw notFound(`no principal "${id}": GET /v1/principals lists them`);
  assertManages(admin, target.unitPath, `principal ${id}`);
  return target;
}

/** The principals of the administrator's unit and below it, or of one unit inside it. */
export async function principalsFor(deps: CaseServiceDeps, admin: Principal, query: { unit?: string }) {
  assertManages(admin);
  let within = admin.unitPath;
  if (query.unit) {
    const unit = await deps.org.unit(query.unit);
    if (!unit) throw badRequest(`no unit "${query.unit}": GET /v1/units lists them`, 'querystring.unit');
    assertManages(admin, unit.path, `unit ${unit.id}`);
    within = unit.path;
  }
  return { principals: (await listPrincipals(deps.db, { within })).map(presentPrincipal) };
}

export interface NewPrincipal {
  name: string;
  role: Role;
  unitId: string;
  channel?: Channel;
}

/** Creates a principal in a unit the administrator manages, with its first key. */
export async function issuePrincipal(deps: CaseServiceDeps, admin: Principal, body: NewPrincipal) {
  assertManages(admin);
  const unit = await deps.org.unit(body.unitId);
  if (!unit) throw badRequest(`no unit "${body.unitId}": GET /v1/units lists them`, 'body.unitId');
  if (body.channel && body.role !== 'intake') throw badRequest(`only an intake principal is bound to a channel; this one is a ${body.role}`, 'body.channel');
  assertManages(admin, unit.path, `unit ${unit.id}`);
  // A key whose role reaches the whole city (a channel's system, a reporter) is the city's to issue: a
  // district's administrator would otherwise give itself, through it, more than its own unit.
  if (reachesBeyondItsUnit(body.role) && isBelowCity(admin.unitPath)) {
    throw new HttpError(403, `a ${body.role} key reaches cases outside any one unit, so only an administrator of the city bureau issues it`);
  }
  const { principal, key, keyId } = await createPrincipal(deps.db, body);
  deps.log.info({ principalId: principal.id, keyId, role: principal.role, unitId: unit.id, by: admin.id }, 'principal created');
  return { key, keyId, principal: presentPrincipal((await getPrincipal(deps.db, { id: principal.id }))!) };
}

/** A new key for the principal; its other live keys keep working for `overlapSeconds` (24 h by default; 0 stops them now). */
export async function rotateKey(deps: CaseServiceDeps, admin: Principal, principalId: string, body: { overlapSeconds?: number }) {
  await managedPrincipal(deps, admin, principalId);
  let rotated: Awaited<ReturnType<typeof rotateApiKey>>;
  try {
    rotated = await rotateApiKey(deps.db, { principalId, overlapSeconds: body.overlapSeconds });
  } catch (err) {
    if (err instanceof PrincipalRevokedError) throw new HttpError(409, err.message);
    throw err;
  }
  if (!rotated) throw notFound(`no principal "${principalId}": GET /v1/principals lists them`);
  deps.log.info({ principalId, keyId: rotated.keyId, previousKeysExpireAt: rotated.previousKeysExpireAt, by: admin.id }, 'API key rotated');
  return {
    key: rotated.key,
    keyId: rotated.keyId,
    previousKeysExpireAt: isoOrNull(rotated.previousKeysExpireAt),
    principal: presentPrincipal((await getPrincipal(deps.db, { id: principalId }))!),
  };
}

/** Revokes one key, at once on every instance. */
export async function revokeKey(deps: CaseServiceDeps, admin: Principal, keyId: string) {
  assertManages(admin);
  const principalId = await principalIdOfKey(deps.db, { keyId });
  if (!principalId) throw notFound(`no API key "${keyId}": GET /v1/principals lists each principal's keys`);
  await managedPrincipal(deps, admin, principalId);
  await revokeApiKey(deps.db, { keyId });
  deps.log.info({ principalId, keyId, by: admin.id }, 'API key revoked');
  return presentPrincipal((await getPrincipal(deps.db, { id: principalId }))!);
}

/** Revokes a principal: every key of it stops, at once on every instance. */
export async function revokePrincipalFor(deps: CaseServiceDeps, admin: Principal, principalId: string) {
  await managedPrincipal(deps, admin, principalId);
  await revokePrincipal(deps.db, { principalId });
  deps.log.info({ principalId, by: admin.id }, 'principal revoked');
  return presentPrincipal((await getPrincipal(deps.db, { id: principalId }))!);
}
