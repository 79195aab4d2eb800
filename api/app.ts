// The Fastify app as a plugin: the server file builds the instance and listens, tests build the same
// app and call `inject`. Every route is schema-first; the same zod schemas give /openapi.json.

import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type ZodTypeProvider,
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { sql } from 'drizzle-orm';
import client from 'prom-client';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { STATS_DIMENSIONS, caseStats, getCaseByTrackingCode, listCaseEvents, listCases } from '../db/queries/cases.js';
import { type Principal, findPrincipalByKey, hashApiKey } from '../db/queries/principals.js';
import { type Actor, RATINGS } from '../domain/case.js';
import { isBelowCity, isWithin } from '../domain/units.js';
import type { Policy } from '../domain/policy.js';
import { countParkedCases } from '../platform/parked-cases.js';
import { type CaseServiceDeps, actOnCase, actorOf, fileCase, present, readCase } from './cases.js';
import { HttpError, badRequest, notFound } from './errors.js';
import { guardInput } from './input.js';
import type { OrgDirectory } from './org.js';
import {
  actionSchema,
  caseSchema,
  errorSchema,
  eventSchema,
  intakeSchema,
  listQuerySchema,
  statsSchema,
  unitSchema,
  workstationSchema,
} from './schemas.js';

export interface AppDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  policy: Policy;
  org: OrgDirectory;
  actionTimeoutMs?: number;
  /** prom-client registry for /metrics; each app gets its own so tests can build many. */
  metrics?: client.Registry;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Routes open without a key: health, docs, citizen tracking. */
    public?: boolean;
  }
}

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 503: errorSchema };
const caseParams = z.strictObject({ id: z.string().min(1).max(64) });
const trackParams = z.strictObject({ trackingCode: z.string().min(4).max(32) });
/** Routes that take no query parameters say so: an unexpected one is refused, not ignored. */
const noQuery = z.strictObject({});
const idempotencyHeader = z.object({ 'idempotency-key': z.string().min(1).max(200).optional().describe('makes a retried request safe: the same key applies it once') });

function principalCache(db: Db) {
  const cache = new Map<string, { principal: Principal | undefined; until: number }>();
  return async (key: string): Promise<Principal | undefined> => {
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
}

function encodeCursor(c: object): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(s: string) {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString()) as { deadlineAt: string | null; id: string };
    if (typeof v.id !== 'string' || (v.deadlineAt !== null && typeof v.deadlineAt !== 'string')) throw new Error('shape');
    return v;
  } catch {
    throw badRequest('cursor is not one this API gave out: pass back the `next` of the previous page', 'querystring.cursor');
  }
}

export async function buildApp(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const service: CaseServiceDeps = { ...deps, log: app.log };
  const lookupPrincipal = principalCache(deps.db);
  const registry = deps.metrics ?? new client.Registry();
  const httpDuration = new client.Histogram({
    name: 'bangnong_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new client.Gauge({
    name: 'bangnong_cases_parked',
    help: 'Cases whose projection the database refused: not in lists or tracking until fixed (./bangnong parked)',
    registers: [registry],
    async collect() {
      // While Temporal is unreachable the gauge keeps its last value; /readyz says what is down.
      await countParkedCases(deps.temporal).then((n) => this.set(n), () => {});
    },
  });

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  guardInput(app);

  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = (err as { validationContext?: string }).validationContext ?? 'body';
      const issues = err.validation.flatMap((v) => {
        const path = `${where}${v.instancePath.replaceAll('/', '.').replace(/\.$/, '')}`;
        // An unknown field is named by its own path, so the client sees which of its fields was not taken.
        const unknown = v.keyword === 'unrecognized_keys' ? ((v.params as { keys?: string[] }).keys ?? []) : [];
        if (unknown.length > 0) return unknown.map((key) => ({ path: `${path}.${key}`, message: 'unknown field: this request has no such field' }));
        return [{ path, message: v.message ?? 'invalid' }];
      });
      return reply.code(400).send({ error: `invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues });
    }
    if (err instanceof HttpError) {
      if (err.statusCode >= 500) request.log.warn({ err }, err.message);
      return reply.code(err.statusCode).send({ error: err.message, ...err.extra });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply.code(status).send({ error: (err as Error).message });
    }
    request.log.error({ err }, 'request failed');
    const unavailable = isUnavailable(err);
    return reply
      .code(unavailable ? 503 : 500)
      .send({ error: unavailable ? 'a backing service (Temporal or Postgres) is unavailable; retry shortly' : 'internal error; the log has the details under this request id' });
  });

  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no route ${request.method} ${request.url}` }));

  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url;
    if (request.routeOptions.config?.public || !route || route === '/docs' || route.startsWith('/docs/')) return;
    const header = request.headers.authorization;
    const key = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!key) throw new HttpError(401, 'missing API key: send Authorization: Bearer <key> (keys come from `./bangnong principal create`)');
    const principal = await lookupPrincipal(key);
    if (!principal) throw new HttpError(401, 'unknown or revoked API key');
    request.principal = principal;
  });

  app.addHook('onResponse', async (request, reply) => {
    httpDuration.observe({ method: request.method, route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Bangnong', version: '1', description: 'Case orchestration for Shanghai urban-management complaints (新民帮侬忙).' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });

  /** The unit a list or count covers: the one asked for, inside the principal's own; below the city, its own by default. */
  const unitInScope = async (principal: Principal, requested: string | undefined) => {
    const scope = isBelowCity(principal.unitPath) ? principal.unitId : undefined;
    const id = requested ?? scope;
    if (!id) return undefined;
    const row = await deps.org.unit(id);
    if (!row) throw badRequest(`no unit "${id}": GET /v1/units lists them`, 'querystring.unit');
    if (scope && !isWithin(row.path, principal.unitPath)) throw new HttpError(403, `unit ${row.id} lies outside your unit ${principal.unitId}`);
    return { id: row.id, kind: row.kind };
  };

  /** The case, if the principal's unit covers where it is handled or where it lies (the city sees all). */
  const visibleCase = async (id: string, principal: Principal) => {
    const view = await readCase(service, id);
    if (!view) throw notFound(`no case "${id}"`);
    const covers = (path: string | undefined) => path !== undefined && isWithin(path, principal.unitPath);
    if (!covers(view.assignedUnitPath) && !covers(view.squadPath)) throw new HttpError(403, `case ${id} lies outside your unit ${principal.unitId}`);
    return view;
  };

  const r = app.withTypeProvider<ZodTypeProvider>();
  const open = { config: { public: true } };

  r.get('/openapi.json', { ...open, schema: { hide: true } }, async () => app.swagger());

  r.get('/healthz', { ...open, schema: { hide: true } }, async () => ({ status: 'ok' }));

  r.get('/readyz', { ...open, schema: { hide: true } }, async (_request, reply) => {
    const [postgres, temporal] = await Promise.all([
      deps.db.execute(sql`select 1`).then(() => 'ok', (e: Error) => e.message),
      deps.temporal.connection.workflowService.getSystemInfo({}).then(() => 'ok', (e: Error) => e.message),
    ]);
    const ready = postgres === 'ok' && temporal === 'ok';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', postgres, temporal });
  });

  r.get('/metrics', { ...open, schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });

  r.post(
    '/v1/cases',
    { schema: { tags: ['cases'], summary: 'File a complaint (intake)', querystring: noQuery, headers: idempotencyHeader, body: intakeSchema, response: { 200: caseSchema, 201: caseSchema, ...errors } } },
    async (request, reply) => {
      const { created, view } = await fileCase(service, request.body, request.principal!, request.headers['idempotency-key']);
      return reply.code(created ? 201 : 200).send(present(view, request.principal));
    },
  );

  r.get(
    '/v1/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'List cases, most overdue first',
        querystring: listQuerySchema,
        response: { 200: z.object({ cases: z.array(caseSchema), next: z.string().optional() }), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const unit = await unitInScope(request.principal!, q.unit);
      const { cases, next } = await listCases(deps.db, {
        state: q.state,
        overdue: q.overdue,
        unit,
        category: q.category,
        channel: q.channel,
        from: q.from,
        to: q.to,
        q: q.q,
        limit: q.limit,
        cursor: q.cursor ? decodeCursor(q.cursor) : undefined,
      });
      return { cases: cases.map((c) => present(c, request.principal)), next: next ? encodeCursor(next) : undefined };
    },
  );

  r.get(
    '/v1/cases/:id',
    { schema: { tags: ['cases'], summary: 'A case as it stands', params: caseParams, querystring: noQuery, response: { 200: caseSchema, ...errors } } },
    async (request) => present(await visibleCase(request.params.id, request.principal!), request.principal),
  );

  r.get(
    '/v1/cases/:id/events',
    {
      schema: {
        tags: ['cases'],
        summary: 'The timeline of a case',
        params: caseParams,
        querystring: noQuery,
        response: { 200: z.object({ events: z.array(eventSchema) }), ...errors },
      },
    },
    async (request) => {
      await visibleCase(request.params.id, request.principal!);
      const rows = await listCaseEvents(deps.db, { caseId: request.params.id });
      return { events: rows.map((e) => ({ seq: e.seq, type: e.type, actor: e.actor, at: new Date(e.at).toISOString(), from: e.fromState, to: e.toState, payload: e.payload })) };
    },
  );

  r.post(
    '/v1/cases/:id/actions',
    {
      schema: {
        tags: ['cases'],
        summary: 'Take an action on a case',
        description: 'Answers the case after the action, or 409 with the state it is in and the actions allowed there. Send Idempotency-Key to make a retry safe.',
        params: caseParams,
        querystring: noQuery,
        headers: idempotencyHeader,
        body: actionSchema,
        response: { 200: caseSchema, ...errors },
      },
    },
    async (request) => {
      const view = await actOnCase(service, request.params.id, request.body, actorOf(request.principal!), request.headers['idempotency-key']);
      return present(view, request.principal);
    },
  );

  r.get(
    '/v1/stats',
    {
      schema: {
        tags: ['statistics'],
        summary: 'Counts and times of cases filed in a period, by one dimension',
        description: 'overdue: stage deadline passed now; resolvedAtSquad: resolved without escalation; avgHoursToResolution: filing to resolution.',
        querystring: z.strictObject({
          by: z.enum(STATS_DIMENSIONS).default('category'),
          unit: z.string().max(64).optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
        }),
        response: { 200: statsSchema, ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const unit = await unitInScope(request.principal!, q.unit);
      const groups = await caseStats(deps.db, { by: q.by, from: q.from, to: q.to, unit });
      return { by: q.by, unit: unit?.id, from: q.from, to: q.to, groups };
    },
  );

  r.get('/v1/units', { schema: { tags: ['organisation'], summary: 'The unit tree', querystring: noQuery, response: { 200: z.object({ units: z.array(unitSchema) }) } } }, async () => ({
    units: deps.org.allUnits(),
  }));

  r.get(
    '/v1/workstations',
    {
      schema: {
        tags: ['organisation'],
        summary: 'Community workstations',
        querystring: z.strictObject({ district: z.string().max(50).optional(), street: z.string().max(50).optional() }),
        response: { 200: z.object({ workstations: z.array(workstationSchema) }) },
      },
    },
    async (request) => ({ workstations: deps.org.workstations(request.query) }),
  );

  const publicCase = z.object({
    trackingCode: z.string(),
    state: z.string(),
    outcome: z.string().optional(),
    category: z.string().optional(),
    title: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    answer: z.string().optional(),
    rating: z.enum(RATINGS).optional(),
    canRate: z.boolean(),
    timeline: z.array(z.object({ type: z.string(), at: z.string(), state: z.string() })),
  });

  const trackView = async (trackingCode: string) => {
    const view = await getCaseByTrackingCode(deps.db, { trackingCode });
    if (!view) throw notFound(`no case with tracking code "${trackingCode}"`);
    return view;
  };

  r.get(
    '/v1/track/:trackingCode',
    { ...open, schema: { tags: ['citizen'], summary: 'Follow a case by its tracking code (no personal data)', params: trackParams, querystring: noQuery, response: { 200: publicCase, 404: errorSchema } } },
    async (request) => {
      const view = await trackView(request.params.trackingCode);
      const events = await listCaseEvents(deps.db, { caseId: view.id });
      return {
        trackingCode: view.trackingCode,
        state: view.state,
        outcome: view.outcome,
        category: view.category,
        title: view.title,
        createdAt: view.createdAt,
        updatedAt: view.updatedAt,
        answer: view.feedback,
        rating: view.rating?.rating,
        canRate: present(view).allowedActions.includes('rate'),
        timeline: events.map((e) => ({ type: e.type, at: new Date(e.at).toISOString(), state: e.toState })),
      };
    },
  );

  r.post(
    '/v1/track/:trackingCode/rating',
    {
      ...open,
      schema: {
        tags: ['citizen'],
        summary: 'Rate the answer to a case',
        params: trackParams,
        querystring: noQuery,
        body: z.strictObject({ rating: z.enum(RATINGS), comment: z.string().max(2000).optional() }),
        response: { 200: z.object({ trackingCode: z.string(), rating: z.enum(RATINGS) }), ...errors },
      },
    },
    async (request) => {
      const view = await trackView(request.params.trackingCode);
      const citizen: Actor = { id: 'citizen', role: 'citizen', unitPath: deps.org.rootPath() };
      const after = await actOnCase(service, view.id, { type: 'rate', ...request.body }, citizen);
      return { trackingCode: after.trackingCode, rating: after.rating!.rating };
    },
  );
}

/** Connection-level failures of Postgres or Temporal (drizzle wraps them as causes): the client should retry. */
function isUnavailable(err: unknown): boolean {
  for (let e = err as { code?: string | number; name?: string; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (['ECONNREFUSED', 'ECONNRESET', 'CONNECTION_CLOSED', 'CONNECT_TIMEOUT', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', '57P01', '57P03'].includes(String(e.code))) return true;
    if (e.code === 14) return true; // gRPC UNAVAILABLE
    if (e.name === 'ServiceError' || /UNAVAILABLE|ECONNREFUSED/.test(e.message ?? '')) return true;
  }
  return false;
}
