// The console's session: sign in once with a key (kept in an HttpOnly cookie, api/plugins/session.ts),
// sign out, and who the caller is with what its role may do.

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { findPrincipalByKey } from '../../../db/queries/principals.js';
import { HttpError } from '../../errors.js';
import { describePrincipal } from '../../me.js';
import { endSession, startSession } from '../../plugins/session.js';
import { errorAnswers, noQuery } from '../../schemas.js';
import { meSchema, signInBodySchema, signedOutSchema } from './schemas.js';

const session: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/session',
    {
      // Public, so it counts against the stricter limit per address; a refused key counts as one too.
      config: { public: true },
      bodyLimit: 4_096,
      schema: {
        operationId: 'signIn',
        tags: ['console'],
        summary: 'Sign the console in with an API key',
        querystring: noQuery,
        body: signInBodySchema,
        response: { 200: meSchema, ...errorAnswers(400, 401, 503) },
        answers: {
          200: 'The key holder; the answer sets the HttpOnly cookie `bn_session`, which stands for the key until the browser closes or signs out.',
          401: 'The key is unknown, revoked or rotated out.',
        },
      },
    },
    async (request, reply) => {
      const found = await findPrincipalByKey(app.services.db, { key: request.body.key });
      if (!found) throw new HttpError(401, 'unknown or revoked API key');
      const me = await describePrincipal(app.services.org, found.principal);
      startSession(request, reply, request.body.key);
      return me;
    },
  );

  app.delete(
    '/v1/session',
    {
      config: { public: true },
      schema: {
        operationId: 'signOut',
        tags: ['console'],
        summary: 'Sign the console out',
        querystring: noQuery,
        response: { 200: signedOutSchema, ...errorAnswers(400, 403) },
        answers: {
          200: 'The cookie is cleared.',
          403: 'The request came with the session cookie but without the header `x-bangnong-console: 1`.',
        },
      },
    },
    async (request, reply) => {
      endSession(request, reply);
      return { signedOut: true as const };
    },
  );

  app.get(
    '/v1/me',
    {
      config: { access: 'org.read' },
      schema: {
        operationId: 'whoAmI',
        tags: ['console'],
        summary: 'The caller, its unit, and what its role may do where',
        querystring: noQuery,
        response: { 200: meSchema, ...errorAnswers(400, 401, 403, 503) },
        answers: { 200: 'The key holder and, for each operation its role may take, where relative to its unit.' },
      },
    },
    async (request) => describePrincipal(app.services.org, request.principal!),
  );
};

export default session;
