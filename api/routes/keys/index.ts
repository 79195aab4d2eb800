// Principals and their API keys, for administrators: list them, create one (its first key answered
// once), rotate a principal's key, revoke a key or a whole principal. After a change, this instance drops
// what it cached for the principal at once; the others hear of it by NOTIFY at the change's commit.

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { issuePrincipal, principalsFor, revokeKey, revokePrincipalFor, rotateKey } from '../../keys.js';
import { errorAnswers, noQuery } from '../../schemas.js';
import {
  issuedPrincipalSchema,
  keyParams,
  newPrincipalSchema,
  principalListQuerySchema,
  principalListSchema,
  principalParams,
  principalSchema,
  rotatedKeySchema,
  rotationSchema,
} from './schemas.js';

const keys: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/principals',
    {
      config: { access: 'keys.manage' },
      schema: {
        operationId: 'listPrincipals',
        tags: ['keys'],
        summary: 'Principals and their API keys',
        querystring: principalListQuerySchema,
        response: { 200: principalListSchema, ...errorAnswers(400, 401, 403, 503) },
        answers: { 200: "Every principal of the unit (the caller's by default) and below it, revoked ones too, with each key's prefix and state: never a key itself." },
      },
    },
    async (request) => principalsFor(app.services, request.principal!, request.query),
  );

  app.post(
    '/v1/principals',
    {
      config: { access: 'keys.manage' },
      schema: {
        operationId: 'createPrincipal',
        tags: ['keys'],
        summary: 'Create a principal and its first API key',
        querystring: noQuery,
        body: newPrincipalSchema,
        response: { 201: issuedPrincipalSchema, ...errorAnswers(400, 401, 403, 503) },
        answers: {
          201: 'The principal, and its key in clear: shown this once, stored only as a hash.',
          400: '`issues` names the field: an unknown unit, a channel for a role other than intake.',
          403: "The caller is not an administrator, or the unit lies outside the caller's.",
        },
      },
    },
    async (request, reply) => reply.code(201).send(await issuePrincipal(app.services, request.principal!, request.body)),
  );

  app.post(
    '/v1/principals/:id/keys',
    {
      config: { access: 'keys.manage' },
      // A POST without a body rotates with the defaults.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        operationId: 'rotateKey',
        tags: ['keys'],
        summary: "Rotate a principal's API key",
        description: 'Issues a new key. The keys it replaces keep working for `overlapSeconds` (24 h by default), so holders can switch without a gap; 0 stops them at once, on every API instance. Without a body, the defaults apply.',
        params: principalParams,
        querystring: noQuery,
        body: rotationSchema,
        response: { 201: rotatedKeySchema, ...errorAnswers(400, 401, 403, 404, 409, 503) },
        answers: {
          201: 'The new key in clear (shown this once), and when the keys it replaces stop.',
          403: "The caller is not an administrator, or the principal's unit lies outside the caller's.",
          404: 'No such principal.',
          409: 'The principal is revoked: create a new one.',
        },
      },
    },
    async (request, reply) => {
      const rotated = await rotateKey(app.services, request.principal!, request.params.id, request.body);
      app.forgetPrincipal(request.params.id);
      return reply.code(201).send(rotated);
    },
  );

  app.delete(
    '/v1/principals/:id',
    {
      config: { access: 'keys.manage' },
      schema: {
        operationId: 'revokePrincipal',
        tags: ['keys'],
        summary: 'Revoke a principal and every key of it',
        description: 'Its keys are refused at once on every API instance. Revoking it again changes nothing.',
        params: principalParams,
        querystring: noQuery,
        response: { 200: principalSchema, ...errorAnswers(400, 401, 403, 404, 503) },
        answers: {
          200: 'The principal, revoked, with its keys.',
          403: "The caller is not an administrator, or the principal's unit lies outside the caller's.",
          404: 'No such principal.',
        },
      },
    },
    async (request) => {
      const revoked = await revokePrincipalFor(app.services, request.principal!, request.params.id);
      app.forgetPrincipal(revoked.id);
      return revoked;
    },
  );

  app.delete(
    '/v1/keys/:keyId',
    {
      config: { access: 'keys.manage' },
      schema: {
        operationId: 'revokeKey',
        tags: ['keys'],
        summary: 'Revoke one API key',
        description: 'The key is refused at once on every API instance; its principal and other keys stay. Revoking it again changes nothing.',
        params: keyParams,
        querystring: noQuery,
        response: { 200: principalSchema, ...errorAnswers(400, 401, 403, 404, 503) },
        answers: {
          200: 'The principal the key belonged to, with its keys.',
          403: "The caller is not an administrator, or the key's principal lies outside the caller's unit.",
          404: 'No such key.',
        },
      },
    },
    async (request) => {
      const principal = await revokeKey(app.services, request.principal!, request.params.keyId);
      app.forgetPrincipal(principal.id);
      return principal;
    },
  );
};

export default keys;
