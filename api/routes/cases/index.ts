// Cases: file one, list them, read one and its timeline.

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { caseTimeline, fileCase, present, visibleCase } from '../../cases.js';
import { listCasesFor } from '../../lists.js';
import { caseParams, caseSchema, errorAnswers, idempotencyHeader, intakeSchema, noQuery } from '../../schemas.js';
import { caseListSchema, listQuerySchema, timelineSchema } from './schemas.js';

const cases: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'File a complaint (intake)',
        querystring: noQuery,
        headers: idempotencyHeader,
        body: intakeSchema,
        response: { 200: caseSchema, 201: caseSchema, ...errorAnswers(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const { created, view } = await fileCase(app.services, request.body, request.principal!, request.headers['idempotency-key']);
      return reply.code(created ? 201 : 200).send(present(view, request.principal));
    },
  );

  app.get(
    '/v1/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'List cases, most overdue first',
        querystring: listQuerySchema,
        response: { 200: caseListSchema, ...errorAnswers(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => listCasesFor(app.services, request.principal!, request.query),
  );

  app.get(
    '/v1/cases/:id',
    {
      schema: {
        tags: ['cases'],
        summary: 'A case as it stands',
        params: caseParams,
        querystring: noQuery,
        response: { 200: caseSchema, ...errorAnswers(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => present(await visibleCase(app.services, request.params.id, request.principal!), request.principal),
  );

  app.get(
    '/v1/cases/:id/events',
    {
      schema: {
        tags: ['cases'],
        summary: 'The timeline of a case',
        params: caseParams,
        querystring: noQuery,
        response: { 200: timelineSchema, ...errorAnswers(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => ({ events: await caseTimeline(app.services, request.params.id, request.principal!) }),
  );
};

export default cases;
