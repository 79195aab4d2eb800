// What every answer carries and what every caller is held to, before a key is looked up: security headers
// (helmet), CORS for the origins configured (none by default, and then no CORS header at all), and rate
// limits. A request counts against its API key — kept as a hash, never the key itself — or, without one,
// against its address; the routes open without a key (the citizen's tracking and rating) have a stricter
// limit per address, and an address that keeps sending keys the API refuses is stopped for the rest of
// the minute. Probes, metrics and the API description are not limited. The limiter runs before
// authentication, so a flood costs no database query.

import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hashApiKey } from '../../db/queries/principals.js';
import { HttpError } from '../errors.js';
import { errorSchema } from '../schemas.js';

export interface SecurityOptions {
  /**
   * Requests a minute: `perMinute` per API key (or per address without one), `publicPerMinute` per
   * address on the routes open without a key, and refused keys per address. Unset, nothing is limited:
   * the tests send hundreds of requests with one key. api/server.ts sets it from the configuration.
   */
  rateLimit?: { perMinute: number; publicPerMinute: number };
  /** Origins whose browser pages may call the API; none by default. */
  corsOrigins?: string[];
}

/** Routes no limit applies to: probes, metrics scrapes, the API description, and the static files of the console and the citizen's pages. */
const UNLIMITED = /^\/(healthz|readyz|metrics|openapi\.json|docs|console|citizen)(\/|$)/;
const DOCS = /^\/docs(\/|$)/;
// The citizen's pages (/citizen) are served under the console's CSP: the same rules, no other origin.
const CONSOLE = /^\/(console|citizen)(\/|$)/;

// A JSON answer loads nothing, runs nothing and is framed by no one.
const API_CSP = { 'default-src': ["'none'"], 'base-uri': ["'none'"], 'form-action': ["'none'"], 'frame-ancestors': ["'none'"] };
// Swagger UI (/docs): its scripts, styles and the description come from this server; it draws icons as
// data: images and sets inline styles. No upgrade-insecure-requests: the API is served over plain HTTP
// on 127.0.0.1 in development, and that directive would send the page's scripts to https.
const DOCS_CSP = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
};

// The console (/console): its scripts, styles and data come from this server only, and it runs no inline
// script or style; ECharts draws on a canvas and the page may show data: images, and blob: ones (the
// officer's photos, shown from the phone before they are uploaded).
const CONSOLE_CSP = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
};

const WINDOW_MS = 60_000;

const bearer = (request: FastifyRequest): string | undefined => {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() || undefined : undefined;
};
const address = (request: FastifyRequest) => `address:${normalizeIP(request.ip)}`;

export default fp<SecurityOptions>(
  async (app, { rateLimit: limits, corsOrigins }) => {
    app.addHook('onRoute', (route) => {
      // A route that takes a body may refuse it for its size or its type: its description says so.
      const response = route.schema?.response as Record<string, unknown> | undefined;
      if (route.schema?.body && response) for (const status of [413, 415]) response[status] ??= errorSchema;
      if (DOCS.test(route.url)) route.helmet = { contentSecurityPolicy: { useDefaults: false, directives: DOCS_CSP } };
      if (CONSOLE.test(route.url)) route.helmet = { contentSecurityPolicy: { useDefaults: false, directives: CONSOLE_CSP } };
      // CORS's preflight route needs no key: the browser sends none with it.
      if (route.method === 'OPTIONS' && route.url === '*') route.config = { ...route.config, public: true };
    });

    if (corsOrigins?.length) {
      await app.register(cors, {
        origin: corsOrigins,
        methods: ['GET', 'POST'],
        allowedHeaders: ['authorization', 'content-type', 'idempotency-key'],
        exposedHeaders: ['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
        maxAge: 600,
      });
    }
    await app.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: API_CSP } });

    if (!limits) return;
    await app.register(rateLimit, { global: false });
    const keyed = app.createRateLimit({
      max: limits.perMinute,
      timeWindow: WINDOW_MS,
      keyGenerator: (request) => {
        const key = bearer(request);
        return key ? `key:${hashApiKey(key)}` : address(request);
      },
    });
    const open = app.createRateLimit({ max: limits.publicPerMinute, timeWindow: WINDOW_MS, keyGenerator: address });
    const refusedKeys = app.createRateLimit({ max: limits.publicPerMinute, timeWindow: WINDOW_MS, keyGenerator: address });

    app.addHook('onRequest', async (request, reply) => {
      const route = request.routeOptions.url;
      if (route && UNLIMITED.test(route)) return;
      if (request.routeOptions.config?.public) {
        return hold(reply, await open(request), (max) => `this address may call the routes open without a key ${max} times a minute`);
      }
      hold(reply, await refusedKeys(request, { increment: false }), (max) => `this address sent more than ${max} API keys the API refused within a minute`, false);
      hold(reply, await keyed(request), (max) => `this API key (or, without one, this address) may make ${max} requests a minute`);
    });
    // A key the API refused counts against its address, so guessing keys is no way around the limit.
    app.addHook('onResponse', async (request, reply) => {
      if (reply.statusCode === 401) await refusedKeys(request);
    });
  },
  { name: 'security' },
);

type Verdict = Awaited<ReturnType<ReturnType<FastifyInstance['createRateLimit']>>>;

/**
 * Tells the client where it stands against a limit (unless the request was only checked against it, not
 * counted), and refuses it with 429 and Retry-After once past.
 */
function hold(reply: FastifyReply, verdict: Verdict, what: (max: number) => string, counted = true): void {
  if (verdict.isAllowed) return;
  const seconds = Math.max(1, verdict.ttlInSeconds);
  if (counted) {
    reply.header('x-ratelimit-limit', verdict.max);
    reply.header('x-ratelimit-remaining', verdict.remaining);
    reply.header('x-ratelimit-reset', seconds);
  }
  if (!verdict.isExceeded) return;
  reply.header('retry-after', seconds);
  throw new HttpError(429, `too many requests: ${what(verdict.max)}; retry in ${seconds} s (Retry-After)`);
}
