// One error handler for the whole API. A refusal the API makes on purpose (HttpError) or a request the
// schemas refuse answers its status with `{ error, … }` for the client; anything else is logged with its
// request and answers 500 without details, or 503 when Postgres or Temporal is away, so the client retries.

import { isConnectionFailure } from '../../db/errors.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { HttpError } from '../errors.js';

export default fp(
  async (app) => {
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
      if ((err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        const limit = request.routeOptions.bodyLimit;
        const message = `is larger than this route takes: at most ${limit} bytes`;
        return reply.code(413).send({ error: `the request body ${message} (${Math.floor(limit / 1024)} KiB)`, issues: [{ path: 'body', message }] });
      }
      if ((err as { code?: string }).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        return reply.code(415).send({ error: `this API takes JSON bodies: send content-type: application/json, not ${request.headers['content-type'] ?? 'none'}` });
      }
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
  },
  { name: 'errors' },
);

/** Connection-level failures of Postgres or Temporal (drizzle wraps them as causes): the client should retry. */
export function isUnavailable(err: unknown): boolean {
  if (isConnectionFailure(err)) return true;
  for (let e = err as { code?: string | number; name?: string; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === 14) return true; // gRPC UNAVAILABLE
    if (e.name === 'ServiceError' || /UNAVAILABLE|ECONNREFUSED/.test(e.message ?? '')) return true;
  }
  return false;
}
