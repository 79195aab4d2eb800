// Bearer JWTs from an identity provider, beside API keys (AUTH_JWKS_URL, platform/config.ts). A token is
// verified against the provider's key set (fetched and cached by jose), must carry the configured issuer
// and audience, a subject and an expiry, and names its role and unit (and, for intake, its channel) in
// claims. Such a principal has no key to revoke here: it lasts as long as its token.

import { type JWTPayload, createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { Principal } from '../db/queries/principals.js';
import { CHANNELS, type Channel, ROLES, type Role } from '../domain/case.js';
import type { JwtSettings } from '../platform/config.js';
import { HttpError } from './errors.js';
import type { OrgDirectory } from './org.js';

/** Three base64url parts separated by dots, and not one of our own keys (`bn_…`). */
export const looksLikeJwt = (token: string): boolean => !token.startsWith('bn_') && /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);

const refused = (why: string) => new HttpError(401, `bearer token refused: ${why}`);

/** Turns a verified token into the principal it speaks for, or refuses it with 401 (503 when the key set cannot be fetched). */
export function jwtAuthenticator(settings: JwtSettings, org: OrgDirectory): (token: string) => Promise<Principal> {
  const keySet = createRemoteJWKSet(new URL(settings.jwksUrl));

  const claim = <T extends string>(payload: JWTPayload, name: string, allowed: readonly T[], required: boolean): T | undefined => {
    const value = payload[name];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string') throw refused(`it carries no "${name}" claim (a string)`);
    if (!allowed.includes(value as T)) throw refused(`claim "${name}" is "${value}", not one of ${allowed.join(', ')}`);
    return value as T;
  };

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet, { issuer: settings.issuer, audience: settings.audience, requiredClaims: ['sub', 'exp'] }));
    } catch (err) {
      throw refusalOf(err);
    }
    const role = claim<Role>(payload, settings.roleClaim, ROLES, true)!;
    const unitId = payload[settings.unitClaim];
    if (typeof unitId !== 'string') throw refused(`it carries no "${settings.unitClaim}" claim (a unit id of GET /v1/units)`);
    const unit = await org.unit(unitId);
    if (!unit) throw refused(`claim "${settings.unitClaim}" names no unit ("${unitId}"): GET /v1/units lists them`);
    const channel = claim<Channel>(payload, settings.channelClaim, CHANNELS, false);
    const name = typeof payload.name === 'string' ? payload.name : payload.sub!;
    return { id: `jwt:${payload.sub}`, name, role, unitId: unit.id, unitPath: unit.path, ...(channel ? { channel } : {}) };
  };
}

/** What a failed verification tells the client: its token is wrong (401), or the provider's key set is out of reach (503). */
function refusalOf(err: unknown): HttpError {
  if (err instanceof errors.JWTExpired) return refused('it has expired: get a new one from the identity provider');
  if (err instanceof errors.JWTClaimValidationFailed) return refused(`claim "${err.claim}" ${err.reason === 'missing' ? 'is missing' : 'is not what this API expects'} (${err.message})`);
  const unreachable =
    !(err instanceof errors.JOSEError) || err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || err.code === 'ERR_JOSE_GENERIC';
  if (unreachable) {
    const failure = new HttpError(503, "the identity provider's key set (AUTH_JWKS_URL) could not be fetched, so the token cannot be checked; retry shortly");
    failure.cause = err;
    return failure;
  }
  return refused(`${(err as Error).message} (it must be signed by a key of AUTH_JWKS_URL)`);
}
