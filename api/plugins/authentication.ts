// Who is asking: every request carries `Authorization: Bearer <key>`, and the key's principal (its role
// and unit) rides on the request as `request.principal`. A route open without a key says so with
// `config: { public: true }`, and the API description then says it needs none.

import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../../db/client.js';
import { type Principal, findPrincipalByKey, hashApiKey } from '../../db/queries/principals.js';
import { HttpError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The key holder; set on every route that is not public. */
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Routes open without a key: health, docs, citizen tracking. */
    public?: boolean;
  }
}

export interface AuthenticationOptions {
  db: Db;
}

/** Principals by key hash, so a request costs a query only when its key is new or its entry has expired. */
function principalCache(db: Db) {
  const cache = new Map<string, { principal: Principal | undefined; until: number }>();
  const lookup = async (key: string): Promise<Principal | undefined> => {
    const hash = hashApiKey(key);
    const hit = cache.get(hash);
    if (hit && hit.until > Date.now()) return hit.principal;
    let principal: Principal | undefined;
    try {
      principal = await findPrincipalByKey(db, { key });
    } catch (e) {
      // While Postgres is away, a key already known keeps working: intake goes on through Temporal.
      if (hit?.principal) return hit.principal;
      throw e;
    }
    if (cache.size > 10_000) cache.clear();
    // Known keys are kept a minute (revocation takes effect within it); unknown ones only briefly.
    cache.set(hash, { principal, until: Date.now() + (principal ? 60_000 : 5_000) });
    return principal;
  };
  return { lookup, clear: () => cache.clear() };
}

export default fp<AuthenticationOptions>(
  async (app: FastifyInstance, { db }) => {
    const principals = principalCache(db);
    app.decorateRequest('principal', undefined);

    app.addHook('onRoute', (route) => {
      if (route.config?.public && route.schema) route.schema.security = [];
    });

    app.addHook('onRequest', async (request) => {
      // No route (a 404) needs no key either: the answer names the missing route.
      if (request.routeOptions.config?.public || !request.routeOptions.url) return;
      const header = request.headers.authorization;
      const key = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
      if (!key) throw new HttpError(401, 'missing API key: send Authorization: Bearer <key> (keys come from `./bangnong principal create`)');
      const principal = await principals.lookup(key);
      if (!principal) throw new HttpError(401, 'unknown or revoked API key');
      request.principal = principal;
    });

    app.addHook('onClose', async () => principals.clear());
  },
  { name: 'authentication' },
);
