// Who is asking: every request carries `Authorization: Bearer <key>` — an API key (`bn_…`), or, with
// AUTH_JWKS_URL set, a JWT from the identity provider (api/jwt.ts) — and its principal (role, unit,
// channel) rides on the request as `request.principal`. A route open without a key says so with
// `config: { public: true }`, and the API description then says it needs none.
//
// Keys are checked in PostgreSQL and cached briefly. A key that stops (revoked, rotated out) must stop on
// every instance at once, so the cache is trusted only while this instance LISTENs for key changes
// (db/key-changes.ts): a notification drops the principal's entries, and a connection that drops or
// comes back drops them all, since notifications may have been missed in between. With PostgreSQL out
// of reach no key can be checked, and none is accepted: 503, retry.

import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../../db/client.js';
import { isConnectionFailure } from '../../db/errors.js';
import { listenForKeyChanges } from '../../db/key-changes.js';
import { type Principal, findPrincipalByKey, hashApiKey, touchApiKey } from '../../db/queries/principals.js';
import type { JwtSettings } from '../../platform/config.js';
import { HttpError } from '../errors.js';
import { jwtAuthenticator, looksLikeJwt } from '../jwt.js';
import type { OrgDirectory } from '../org.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The key holder; set on every route that is not public. */
    principal?: Principal;
  }
  interface FastifyInstance {
    /**
     * Drops what this instance cached for a principal whose keys it has just changed, so its own next
     * request sees the change without waiting for the notification (which every other instance gets).
     */
    forgetPrincipal(principalId: string): void;
    /** Calls `watch` whenever a principal's keys change (one revoked, rotated or expiring), on any instance. */
    watchKeyChanges(watch: (principalId: string) => void): void;
  }
  interface FastifyContextConfig {
    /** Routes open without a key: health, docs, citizen tracking. */
    public?: boolean;
  }
}

export interface AuthenticationOptions {
  db: Db;
  /** Where a JWT's unit claim is looked up. */
  org: OrgDirectory;
  /** Bearer JWTs beside API keys; unset, API keys only. */
  jwt?: JwtSettings;
}

/** A backstop: a change whose notification never came still shows within this. */
const KNOWN_KEY_TTL_MS = 30_000;
const UNKNOWN_KEY_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;
/** last_used_at is written at most this often per key and instance. */
const TOUCH_EVERY_MS = 60_000;

/** Principals by key hash, trusted only while the key-change listener is connected. */
function principalCache(db: Db) {
  const entries = new Map<string, { principal: Principal | undefined; until: number }>();
  let trusted = false;
  // Bumped by every invalidation: a lookup that overlapped one does not cache what it read before it.
  let epoch = 0;
  const reset = (trust: boolean) => {
    epoch++;
    trusted = trust;
    entries.clear();
  };

  const lookup = async (key: string): Promise<Principal | undefined> => {
    const hash = hashApiKey(key);
    const hit = trusted ? entries.get(hash) : undefined;
    if (hit && hit.until > Date.now()) return hit.principal;
    const seen = epoch;
    let found: Awaited<ReturnType<typeof findPrincipalByKey>>;
    try {
      found = await findPrincipalByKey(db, { key });
    } catch (err) {
      if (!isConnectionFailure(err)) throw err;
      const unreachable = new HttpError(503, 'the key store (PostgreSQL) is unreachable, so no API key can be checked: the API is unavailable; retry shortly');
      unreachable.cause = err;
      throw unreachable;
    }
    if (trusted && seen === epoch) {
      if (entries.size >= MAX_ENTRIES) entries.clear();
      const ttl = found ? KNOWN_KEY_TTL_MS : UNKNOWN_KEY_TTL_MS;
      const until = Math.min(Date.now() + ttl, found?.expiresAt ? Date.parse(found.expiresAt) : Infinity);
      entries.set(hash, { principal: found?.principal, until });
    }
    return found?.principal;
  };

  return {
    lookup,
    forget(principalId: string) {
      epoch++;
      for (const [hash, entry] of entries) if (entry.principal?.id === principalId) entries.delete(hash);
    },
    trust: () => reset(true),
    distrust: () => reset(false),
  };
}

/** Records each key's last use, at most once a minute per key; a failure is logged and never fails the request. */
function keyUseRecorder(db: Db, log: FastifyBaseLogger) {
  const touched = new Map<string, number>();
  return (keyId: string) => {
    const now = Date.now();
    if ((touched.get(keyId) ?? -Infinity) > now - TOUCH_EVERY_MS) return;
    if (touched.size >= MAX_ENTRIES) touched.clear();
    touched.set(keyId, now);
    void touchApiKey(db, { keyId }).catch((err: unknown) => log.warn({ err, keyId }, 'could not record when an API key was last used'));
  };
}

export default fp<AuthenticationOptions>(
  async (app: FastifyInstance, { db, org, jwt }) => {
    const principals = principalCache(db);
    const recordUse = keyUseRecorder(db, app.log);
    const verifyJwt = jwt ? jwtAuthenticator(jwt, org) : undefined;

    const watchers = new Set<(principalId: string) => void>();
    let failing = false;
    const listener = listenForKeyChanges(db, {
      changed: (principalId) => {
        principals.forget(principalId);
        for (const watch of watchers) watch(principalId);
      },
      connected: () => {
        failing = false;
        principals.trust();
        app.log.info('listening for key changes: cached keys are trusted');
      },
      disconnected: () => {
        principals.distrust();
        app.log.warn('the key-change listener lost its connection: every key is checked in PostgreSQL until it is back');
      },
      failed: (err) => {
        // Once per outage: the listener tries again every second or two.
        if (!failing) app.log.warn({ err }, 'cannot listen for key changes: every key is checked in PostgreSQL; trying again');
        failing = true;
      },
    });
    await listener.ready;
    app.addHook('onClose', async () => {
      principals.distrust();
      await listener.close();
    });

    app.decorateRequest('principal', undefined);
    app.decorate('forgetPrincipal', (principalId: string) => principals.forget(principalId));
    app.decorate('watchKeyChanges', (watch: (principalId: string) => void) => void watchers.add(watch));

    app.addHook('onRoute', (route) => {
      if (route.config?.public && route.schema) route.schema.security = [];
    });

    app.addHook('onRequest', async (request) => {
      // No route (a 404) needs no key either: the answer names the missing route.
      if (request.routeOptions.config?.public || !request.routeOptions.url) return;
      const header = request.headers.authorization;
      const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
      if (!token) throw new HttpError(401, 'missing API key: send Authorization: Bearer <key> (keys come from `./bangnong principal create`)');
      if (verifyJwt && looksLikeJwt(token)) {
        request.principal = await verifyJwt(token);
        return;
      }
      const principal = await principals.lookup(token);
      if (!principal) throw new HttpError(401, 'unknown or revoked API key');
      if (principal.keyId) recordUse(principal.keyId);
      request.principal = principal;
    });
  },
  { name: 'authentication' },
);
